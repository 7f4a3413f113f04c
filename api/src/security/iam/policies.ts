// IAM policies: documents checked against what the contract names (actions, condition keys); managed ones are the
// platform's and read-only; a policy attached anywhere cannot be deleted (409 naming the attachments).
import { registry } from '../../generated/registry.js';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { validateDocument } from '../../platform/operations/policy-documents.js';
import { policyVocabulary } from '../../platform/operations/policy-vocabulary.js';
import { loadSpec } from '../../platform/operations/spec.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { ResourceRepo, type Schemas } from '../../platform/resources/repo.js';
import { seedManagedPolicies } from './managed-policies.js';
import { simulateHandler } from './simulate.js';

export const policies = new ResourceRepo<Schemas['Policy']>(registry.policy);

function policyHandlers({ policyStore, authorizer, config }: Deps): KindHandlers<'policy'> {
  const vocabulary = policyVocabulary(loadSpec());
  const checkDocument = (doc: unknown) => {
    const errors = validateDocument(doc, vocabulary);
    if (errors.length) throw problems.validation(errors);
  };
  return {
    listPolicies: listHandler(policies, ['name', 'type']),
    getPolicy: getHandler(policies),
    async createPolicy(ctx) {
      checkDocument(ctx.body.document);
      if (await ctx.db(policies.table).where({ name: ctx.body.name }).first('id'))
        throw problems.alreadyExists('policy', 'name', ctx.body.name);
      const row = await policies.insert(ctx.db, {
        name: ctx.body.name,
        description: ctx.body.description ?? '',
        document: ctx.body.document,
        type: 'customer',
        owner: ctx.principal.userId,
      });
      ctx.audit = { resource_type: 'policy', resource_id: row.id };
      return { status: 201, body: policies.present(row), headers: { Location: policies.location(row.id) } };
    },
    updatePolicy: patchHandler(policies, async (ctx, row, changes) => {
      if (row.type === 'managed') throw problems.conflict(`${row.name} is a managed policy; it cannot be changed.`);
      if ('document' in changes) checkDocument(changes.document);
      ctx.afterCommit(() => policyStore.invalidate());
    }),
    deletePolicy: deleteHandler(
      policies,
      [
        { kind: 'user_policy_attachment', column: 'policy_id' },
        { kind: 'group_policy_attachment', column: 'policy_id' },
      ],
      async (_ctx, row) => {
        if (row.type === 'managed') throw problems.conflict(`${row.name} is a managed policy; it cannot be deleted.`);
      },
    ),
    async listPolicyAttachments(ctx) {
      const policy = await policies.get(ctx.db, ctx.principal, ctx.params.id);
      const [users, groups] = await Promise.all([
        ctx.db('user_policy_attachments').where({ policy_id: policy.id }).orderBy('seq'),
        ctx.db('group_policy_attachments').where({ policy_id: policy.id }).orderBy('seq'),
      ]);
      const item = (type: 'user' | 'group', r: Record<string, any>) => ({
        id: r.id,
        principal_type: type,
        principal_id: type === 'user' ? r.user_id : r.group_id,
        policy_id: r.policy_id,
        created_at: new Date(r.created_at).toISOString(),
      });
      return {
        status: 200,
        body: { items: [...users.map((r) => item('user', r)), ...groups.map((r) => item('group', r))] },
      };
    },
    simulatePolicies: simulateHandler(authorizer, config.region),
  };
}

export const policyKind = defineKind('policy', {
  handlers: policyHandlers,
  seed: ({ db }) => seedManagedPolicies(db, policyVocabulary(loadSpec()).actions),
});
