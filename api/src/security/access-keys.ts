// Access keys: S3 credentials per user, as AWS IAM access keys (at most 2 per user; the secret shown once, kept
// sealed for SigV4; deactivated, reactivated, deleted). The S3 door's lookup is in access-key-directory.ts.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, checkIfMatch, mergePatch, type Schemas } from '../platform/resources/repo.js';
import {
  forgetAccessKeys,
  newAccessKeyId,
  newSecretAccessKey,
  openAccessKeyDirectory,
  type AccessKeyDirectory,
} from './access-key-directory.js';
import { parentFromPath } from './iam/groups.js';
import { users } from './users.js';

export { lookupAccessKey, touchAccessKey, type AccessKeyIdentity } from './access-key-directory.js';

/** As many as AWS IAM allows a user: two, so one can be rotated in while the other is still in use. */
export const MAX_ACCESS_KEYS_PER_USER = 2;

type Stored = { secret_wrapped: string; last_used_at: Date | null };

// The id is the access key id, and the user is the owner: the API shows each under both names.
export const accessKeys = new ResourceRepo<Schemas['AccessKey'], Stored>(
  registry.access_key,
  { access_key_id: (row) => row.id, user_id: (row) => row.owner, secret_access_key: () => undefined },
  newAccessKeyId,
);

/** The key `id`, as the caller may see it, and (on a user's path) only if it is that user's: 404 otherwise. */
async function keyOf(ctx: OpContext, id: string, userId: string | undefined, lock: boolean) {
  const row = await accessKeys.get(ctx.db, ctx.principal, id, lock);
  if (userId !== undefined && row.owner !== userId) throw problems.notFound('access_key', id);
  return row;
}

function accessKeyHandlers(deps: Deps): KindHandlers<'access_key'> {
  const directory: AccessKeyDirectory = openAccessKeyDirectory(deps);
  const db: Knex = deps.db;

  const list = async (ctx: OpContext, where: Record<string, unknown>) => ({
    status: 200,
    body: await accessKeys.list(ctx.db, ctx.principal, where, ctx.query.limit, ctx.query.cursor),
  });

  const get = async (ctx: OpContext, id: string, userId?: string) => ({
    status: 200,
    body: accessKeys.present(await keyOf(ctx, id, userId, false)),
  });

  /** A merge patch of status and description (user_id is immutable); a status change reaches the S3 door at once. */
  async function update(ctx: OpContext, id: string, userId?: string) {
    const row = await keyOf(ctx, id, userId, true);
    checkIfMatch(ctx.ifMatch, row);
    const changes = mergePatch(accessKeys.meta, ctx.body, accessKeys.present(row));
    const updated = await accessKeys.update(ctx.db, row, changes);
    ctx.afterCommit(() => forgetAccessKeys(db, [row.id]));
    ctx.audit = {
      resource_type: 'access_key',
      resource_id: row.id,
      details: { user_id: row.owner, changed: Object.keys(changes) },
    };
    return { status: 200, body: accessKeys.present(updated) };
  }

  async function remove(ctx: OpContext, id: string, userId?: string) {
    const row = await keyOf(ctx, id, userId, true);
    checkIfMatch(ctx.ifMatch, row);
    await accessKeys.remove(ctx.db, row);
    ctx.afterCommit(() => forgetAccessKeys(db, [row.id]));
    ctx.audit = { resource_type: 'access_key', resource_id: row.id, details: { user_id: row.owner } };
    return { status: 204 };
  }

  return {
    async createAccessKey(ctx) {
      // The user's row lock makes two creates at once count one after the other, so neither passes the limit.
      const user = await users.get(ctx.db, ctx.principal, parentFromPath(ctx, 'user_id'), true);
      const held = await ctx.db(accessKeys.table).where({ owner: user.id }).orderBy('seq').pluck('id');
      if (held.length >= MAX_ACCESS_KEYS_PER_USER)
        throw problems.limitExceeded(
          `User ${user.id} has ${held.length} access keys (${held.join(', ')}), the most a user may have (${MAX_ACCESS_KEYS_PER_USER}); delete one first.`,
        );
      const secret = newSecretAccessKey();
      const draft = accessKeys.draft({
        owner: user.id,
        status: ctx.body.status ?? 'Active',
        description: ctx.body.description ?? '',
      });
      const row = await accessKeys.insert(ctx.db, { ...draft, secret_wrapped: directory.seal(draft.id, secret) });
      ctx.audit = { resource_type: 'access_key', resource_id: row.id, details: { user_id: user.id } };
      return {
        status: 201,
        body: { ...accessKeys.present(row), secret_access_key: secret },
        headers: { Location: accessKeys.location(row.id) },
      };
    },
    async listUserAccessKeys(ctx) {
      await users.get(ctx.db, ctx.principal, ctx.params.id);
      return list(ctx, { owner: ctx.params.id, status: ctx.query.status });
    },
    listAccessKeys: (ctx) => list(ctx, { owner: ctx.query.user_id, status: ctx.query.status }),
    getAccessKey: (ctx) => get(ctx, ctx.params.id),
    getUserAccessKey: (ctx) => get(ctx, ctx.params.access_key_id, ctx.params.id),
    updateAccessKey: (ctx) => update(ctx, ctx.params.id),
    updateUserAccessKey: (ctx) => update(ctx, ctx.params.access_key_id, ctx.params.id),
    deleteAccessKey: (ctx) => remove(ctx, ctx.params.id),
    deleteUserAccessKey: (ctx) => remove(ctx, ctx.params.access_key_id, ctx.params.id),
  };
}

export const accessKeyKind = defineKind('access_key', { handlers: accessKeyHandlers });
