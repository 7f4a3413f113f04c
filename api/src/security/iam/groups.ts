// Groups of users, and memberships: policies attached to a group apply to every member. A group with members or
// policies cannot be deleted (409 naming them), as AWS refuses DeleteGroup.
import { registry } from '../../generated/registry.js';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import type { OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { createHandler, deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';
import { users } from '../users.js';

export const groups = new ResourceRepo<Schemas['Group']>(registry.group);
export const memberships = new ResourceRepo<Schemas['GroupMembership']>(registry.group_membership);

function groupHandlers(): KindHandlers<'group'> {
  return {
    listGroups: listHandler(groups, ['name']),
    getGroup: getHandler(groups),
    createGroup: createHandler(groups, { uniqueName: true }),
    updateGroup: patchHandler(groups, async (ctx, row, changes) => {
      if (
        changes.name &&
        (await ctx.db(groups.table).where({ name: changes.name }).whereNot({ id: row.id }).first('id'))
      )
        throw problems.alreadyExists('group', 'name', String(changes.name));
    }),
    deleteGroup: deleteHandler(groups, [
      { kind: 'group_membership', column: 'group_id' },
      { kind: 'group_policy_attachment', column: 'group_id' },
    ]),
  };
}

/** Checks that the path's parent matches a body that names it, as a subnet's create does with its VPC. */
export function parentFromPath(ctx: OpContext, field: string): string {
  const id = ctx.params.id as string;
  const given = (ctx.body as Record<string, unknown>)[field];
  if (given !== undefined && given !== id) throw problems.invalidField(field, `must be the path's ${id} or left out`);
  return id;
}

function membershipHandlers({ policyStore }: Deps): KindHandlers<'group_membership'> {
  return {
    async listGroupMembers(ctx) {
      await groups.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(memberships, [], () => ({ group_id: ctx.params.id }))(ctx);
    },
    listGroupMemberships: listHandler(memberships, ['group_id', 'user_id']),
    async listUserGroups(ctx) {
      await users.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(memberships, [], () => ({ user_id: ctx.params.id }))(ctx);
    },
    getGroupMembership: getHandler(memberships),
    async createGroupMembership(ctx) {
      const group = await groups.get(ctx.db, ctx.principal, parentFromPath(ctx, 'group_id'), true);
      const user = await ctx.db(users.table).where({ id: ctx.body.user_id }).first('id');
      if (!user) throw problems.referenceNotFound('user_id', ctx.body.user_id);
      const existing = await ctx.db(memberships.table).where({ group_id: group.id, user_id: user.id }).first('id');
      if (existing) throw problems.alreadyExists('group membership', 'user_id', `${user.id} (${existing.id})`);
      const row = await memberships.insert(ctx.db, { group_id: group.id, user_id: user.id });
      ctx.audit = { resource_type: 'group_membership', resource_id: row.id };
      ctx.afterCommit(() => policyStore.invalidate());
      return { status: 201, body: memberships.present(row), headers: { Location: memberships.location(row.id) } };
    },
    deleteGroupMembership: deleteHandler(memberships, [], async (ctx) => {
      ctx.afterCommit(() => policyStore.invalidate());
    }),
  };
}

export const groupKind = defineKind('group', { handlers: groupHandlers });
export const groupMembershipKind = defineKind('group_membership', { handlers: membershipHandlers });
