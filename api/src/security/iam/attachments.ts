// Policies attached to users and to groups: one kind each (as Terraform manages them), the same rules for both.
import { registry } from '../../generated/registry.js';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import type { GenericHandler, OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler } from '../../platform/resources/crud.js';
import { ResourceRepo, type AnyRepo, type Schemas } from '../../platform/resources/repo.js';
import type { PolicyStore } from '../../platform/operations/policy-store.js';
import { users } from '../users.js';
import { groups, parentFromPath } from './groups.js';
import { policies } from './policies.js';

export const userAttachments = new ResourceRepo<Schemas['UserPolicyAttachment']>(registry.user_policy_attachment);
export const groupAttachments = new ResourceRepo<Schemas['GroupPolicyAttachment']>(registry.group_policy_attachment);

/** Attach: the holder (from the path) and the policy must exist; attaching twice is a 409 naming the first. */
function attach(repo: AnyRepo, holder: AnyRepo, field: 'user_id' | 'group_id', store: PolicyStore): GenericHandler {
  return async (ctx: OpContext) => {
    const target = await holder.get(ctx.db, ctx.principal, parentFromPath(ctx, field), true);
    const policy = await ctx.db(policies.table).where({ id: ctx.body.policy_id }).first('id');
    if (!policy) throw problems.referenceNotFound('policy_id', ctx.body.policy_id);
    const existing = await ctx
      .db(repo.table)
      .where({ [field]: target.id, policy_id: policy.id })
      .first('id');
    if (existing)
      throw problems.alreadyExists(repo.meta.kind.replaceAll('_', ' '), 'policy_id', `${policy.id} (${existing.id})`);
    const row = await repo.insert(ctx.db, { [field]: target.id, policy_id: policy.id });
    ctx.audit = {
      resource_type: repo.meta.kind,
      resource_id: row.id,
      details: { [field]: target.id, policy_id: policy.id },
    };
    ctx.afterCommit(() => store.invalidate());
    return { status: 201, body: repo.present(row), headers: { Location: repo.location(row.id) } };
  };
}

function listUnder(repo: AnyRepo, holder: AnyRepo, field: string): GenericHandler {
  return async (ctx: OpContext) => {
    await holder.get(ctx.db, ctx.principal, ctx.params.id);
    return listHandler(repo, [], () => ({ [field]: ctx.params.id }))(ctx);
  };
}

const detach = (repo: AnyRepo, store: PolicyStore) =>
  deleteHandler(repo, [], async (ctx) => {
    ctx.afterCommit(() => store.invalidate());
  });

export const userPolicyAttachmentKind = defineKind('user_policy_attachment', {
  handlers: ({ policyStore }: Deps): KindHandlers<'user_policy_attachment'> => ({
    listUserPolicies: listUnder(userAttachments, users, 'user_id'),
    attachUserPolicy: attach(userAttachments, users, 'user_id', policyStore),
    listUserPolicyAttachments: listHandler(userAttachments, ['user_id', 'policy_id']),
    getUserPolicyAttachment: getHandler(userAttachments),
    detachUserPolicy: detach(userAttachments, policyStore),
  }),
});

export const groupPolicyAttachmentKind = defineKind('group_policy_attachment', {
  handlers: ({ policyStore }: Deps): KindHandlers<'group_policy_attachment'> => ({
    listGroupPolicies: listUnder(groupAttachments, groups, 'group_id'),
    attachGroupPolicy: attach(groupAttachments, groups, 'group_id', policyStore),
    listGroupPolicyAttachments: listHandler(groupAttachments, ['group_id', 'policy_id']),
    getGroupPolicyAttachment: getHandler(groupAttachments),
    detachGroupPolicy: detach(groupAttachments, policyStore),
  }),
});
