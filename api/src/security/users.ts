// Users: created by admins; a user may read themself. Deleting a user who still owns resources is a 409.
import { registry, type Kind } from '../generated/registry.js';
import { blockers, createHandler, getHandler, listHandler, patchHandler } from '../platform/resources/crud.js';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';
import { newId } from '../platform/resources/ids.js';
import { giveOverview } from '../monitoring/dashboards/overview.js';
import { forgetAccessKeys } from './access-key-directory.js';
import { managedPolicyId, OWNER_FULL_ACCESS } from './iam/managed-policies.js';
import { ResourceRepo, type Schemas, checkIfMatch } from '../platform/resources/repo.js';

export const users = new ResourceRepo<Schemas['User']>(registry.user);
/**
 * The user's own credentials and views: they go with the user (a cascade), as tokens do, rather than block the
 * deletion (a dashboard only draws its owner's own series).
 */
const GO_WITH_USER: ReadonlySet<string> = new Set(['access_key', 'dashboard']);
/** Every kind a user can own: deleting its owner would orphan it. */
const OWNED = Object.values(registry)
  .filter((m) => 'owner' in m.properties && !GO_WITH_USER.has(m.kind))
  .map((m) => m.kind as Kind);

function userHandlers({ auth, db }: Deps): KindHandlers<'user'> {
  return {
    listUsers: listHandler(users, ['name']),
    getUser: getHandler(users),
    async createUser(ctx) {
      const { attach_default_policy: attachDefault = true, ...body } = ctx.body;
      const inner = { ...ctx, body };
      const created = await createHandler(users, { uniqueName: true })(inner);
      ctx.audit = inner.audit;
      await giveOverview(ctx.db, (created.body as { id: string }).id);
      // A new user can do on their own resources what every user could before IAM, unless asked otherwise.
      if (attachDefault && !body.is_admin) {
        await ctx.db('user_policy_attachments').insert({
          id: newId(registry.user_policy_attachment.idPrefix),
          user_id: (created.body as { id: string }).id,
          policy_id: managedPolicyId(OWNER_FULL_ACCESS),
        });
      }
      return created;
    },
    updateUser: patchHandler(users, async (ctx, row) => {
      ctx.afterCommit(() => auth.forgetUser(row.id));
    }),
    async deleteUser(ctx) {
      const row = await users.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.id === ctx.principal.userId) throw problems.conflict('You cannot delete yourself; ask another admin.');
      const owned = [];
      for (const kind of OWNED) owned.push(...(await blockers(ctx.db, kind, { owner: row.id })));
      if (owned.length) throw problems.inUse('user', row.id, owned.slice(0, 10));
      await users.remove(ctx.db, row);
      ctx.afterCommit(() => {
        auth.forgetUser(row.id);
        forgetAccessKeys(db); // theirs went with them: this process's S3 door refuses them at once
      });
      ctx.audit = { resource_type: 'user', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const userKind = defineKind('user', { handlers: userHandlers });
