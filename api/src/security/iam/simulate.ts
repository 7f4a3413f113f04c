// "Why was this denied?": a user's policies evaluated for actions and resources, changing nothing. A user asks about
// themself; an admin about anyone (an admin's own calls are never evaluated: they are unrestricted).
import type { Authorizer } from '../../platform/operations/authorization.js';
import type { Handler } from '../../platform/operations/context.js';
import type { Context } from '../../platform/operations/policy-evaluation.js';
import { problems } from '../../platform/problems.js';

export function simulateHandler(authorizer: Authorizer, region: string): Handler<'simulatePolicies'> {
  return async (ctx) => {
    const { user_id, actions, resources, context } = ctx.body;
    if (!ctx.principal.isAdmin && user_id !== ctx.principal.userId) throw problems.notFound('user', user_id);
    const user = await ctx.db('users').where({ id: user_id }).first('id', 'name', 'is_admin');
    if (!user) throw problems.notFound('user', user_id);
    const principal = { userId: user.id, isAdmin: false, tokenId: null, name: user.name };
    const set = await authorizer.policiesOf(user.id);
    const names = new Map(set.policies.map((p) => [p.id, p.name]));
    const extra: Context = { 'atx:RequestedRegion': region, ...(context ?? {}) };
    const results = [];
    for (const action of actions) {
      for (const resource of resources?.length ? resources : ['*']) {
        // An admin is never evaluated: every call of theirs is allowed.
        if (user.is_admin) {
          results.push({ action, resource, decision: 'allowed' as const });
          continue;
        }
        const d = await authorizer.decide(principal, action, resource, extra);
        results.push({
          action,
          resource,
          decision: d.decision,
          ...(d.decision === 'implicit_deny'
            ? {}
            : {
                deciding_statement: {
                  policy_id: d.by.policyId,
                  ...(names.has(d.by.policyId) ? { policy_name: names.get(d.by.policyId)! } : {}),
                  ...(d.by.sid ? { sid: d.by.sid } : {}),
                  index: d.by.index,
                },
              }),
        });
      }
    }
    return { status: 200, body: { results } };
  };
}
