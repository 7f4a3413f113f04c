// The security service: users, their tokens, and the audit log.
import { defineService } from '../platform/manifest.js';
import { auditLogOperations } from './audit-logs.js';
import { tokenKind } from './tokens.js';
import { userKind } from './users.js';

export const security = defineService('security', [userKind, tokenKind, auditLogOperations]);
