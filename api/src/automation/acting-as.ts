// What the engines that act for a user (scheduled tasks, workflows) share: the owner as a principal, for calls
// through the operation pipeline, and a failed call's problem as the API would have rendered it.
import type { Knex } from 'knex';
import type { Principal } from '../platform/operations/principals.js';
import { Problem, problemType } from '../platform/problems.js';
import { users } from '../security/users.js';

/** The user `userId` as the pipeline sees a caller: the engines' calls get exactly the owner's permissions. */
export async function ownerPrincipal(db: Knex, userId: string): Promise<Principal> {
  const user = await db(users.table).where({ id: userId }).first('is_admin', 'name');
  return { userId, isAdmin: Boolean(user?.is_admin), tokenId: null, name: user?.name };
}

/** The problem a failed call answered, as its JSON body. */
export function problemOf(e: unknown): Record<string, unknown> {
  if (e instanceof Problem)
    return {
      type: problemType(e.code),
      title: e.title,
      status: e.status,
      detail: e.detail,
      code: e.code,
      ...(e.errors ? { errors: e.errors } : {}),
    };
  return { type: problemType('InternalError'), title: 'Internal error', status: 500, detail: String(e) };
}
