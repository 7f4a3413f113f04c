// Users: created by admins; a user may read themself. Deleting a user who still owns resources is a 409.
import { registry } from '../generated/registry.js';
import { createHandler, getHandler, listHandler, patchHandler } from '../platform/crud.js';
import type { Deps } from '../platform/deps.js';
import type { Handlers } from '../platform/http/context.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, checkIfMatch } from '../platform/resources.js';

export const users = new ResourceRepo(registry.user!, 'users');
const OWNED = [{ table: 'stacks', kind: 'stack' }, { table: 'instances', kind: 'instance' }, { table: 'subnets', kind: 'subnet' }, { table: 'vpcs', kind: 'vpc' }, { table: 'templates', kind: 'template' }];

export function userHandlers({ auth }: Deps): Handlers {
  return {
    listUsers: listHandler(users, ['name']),
    getUser: getHandler(users),
    createUser: createHandler(users, '/api/security/users', { uniqueName: true }),
    updateUser: patchHandler(users, async (ctx, row) => { ctx.afterCommit(() => auth.forgetUser(row.id)); }),
    async deleteUser(ctx) {
      const row = await users.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.id === ctx.principal.userId) throw problems.conflict('You cannot delete yourself; ask another admin.');
      const owned = [];
      for (const t of OWNED) owned.push(...(await ctx.db(t.table).where({ owner: row.id }).limit(10).select('id')).map((r) => ({ kind: t.kind, id: r.id as string })));
      if (owned.length) throw problems.inUse('user', row.id, owned.slice(0, 10));
      await users.remove(ctx.db, row);
      ctx.afterCommit(() => auth.forgetUser(row.id));
      ctx.audit = { resource_type: 'user', resource_id: row.id };
      return { status: 204 };
    },
  };
}
