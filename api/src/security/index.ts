// The security service: users, their tokens and S3 access keys, IAM (policies, groups, memberships,
// attachments), the audit log, and encryption keys with their aliases.
import { defineService } from '../platform/manifest.js';
import { accessKeyKind } from './access-keys.js';
import { auditLogOperations } from './audit-logs.js';
import { keyAliasKind } from './key-aliases.js';
import { keyKind } from './keys.js';
import { tokenKind } from './tokens.js';
import { userKind } from './users.js';
import { groupKind, groupMembershipKind } from './iam/groups.js';
import { groupPolicyAttachmentKind, userPolicyAttachmentKind } from './iam/attachments.js';
import { policyKind } from './iam/policies.js';

export const security = defineService('security', [
  userKind,
  tokenKind,
  accessKeyKind,
  policyKind,
  groupKind,
  groupMembershipKind,
  userPolicyAttachmentKind,
  groupPolicyAttachmentKind,
  auditLogOperations,
  keyKind,
  keyAliasKind,
]);
