// The security service: users, their tokens, IAM (policies, groups, memberships, attachments), and the audit log.
import { defineService } from '../platform/manifest.js';
import { auditLogOperations } from './audit-logs.js';
import { tokenKind } from './tokens.js';
import { userKind } from './users.js';
import { groupKind, groupMembershipKind } from './iam/groups.js';
import { groupPolicyAttachmentKind, userPolicyAttachmentKind } from './iam/attachments.js';
import { policyKind } from './iam/policies.js';

export const security = defineService('security', [
  userKind,
  tokenKind,
  policyKind,
  groupKind,
  groupMembershipKind,
  userPolicyAttachmentKind,
  groupPolicyAttachmentKind,
  auditLogOperations,
]);
