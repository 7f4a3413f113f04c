// The security service: users, their tokens, the audit log, and encryption keys with their aliases.
import { defineService } from '../platform/manifest.js';
import { auditLogOperations } from './audit-logs.js';
import { keyAliasKind } from './key-aliases.js';
import { keyKind } from './keys.js';
import { tokenKind } from './tokens.js';
import { userKind } from './users.js';

export const security = defineService('security', [userKind, tokenKind, auditLogOperations, keyKind, keyAliasKind]);
