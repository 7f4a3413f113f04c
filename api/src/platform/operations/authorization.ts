// Whether a principal may call an operation: the rules the contract states (x-admin-only, x-self), in one place
// for every caller. IAM policy evaluation joins them here.
import type { Principal } from './principals.js';
import type { OperationMeta } from './context.js';
import { problems } from '../problems.js';

export function authorize(meta: OperationMeta, principal: Principal, params: Record<string, any>) {
  if (principal.isAdmin || meta.anonymous) return;
  if (meta.adminOnly) throw problems.forbidden(meta.permission);
  // x-self: a user may act on their own user record; another user's is a 404 (tenancy never confirms existence).
  if (meta.self && params[meta.self] !== principal.userId) throw problems.notFound('user', String(params[meta.self]));
}
