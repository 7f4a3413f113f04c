// apply: the action's operations called in order as the recommendation's owner, through the operation pipeline
// (so IAM, validation, tenancy and audit hold); a refusal is answered as it came and nothing is recorded as done.
import type { Knex } from 'knex';
import { actingAs } from '../../storage/backups/acting.js';
import type { Deps } from '../../platform/deps.js';
import type { OpContext } from '../../platform/operations/context.js';
import { Problem, problems } from '../../platform/problems.js';
import { checkIfMatch } from '../../platform/resources/repo.js';
import type { Step } from './proposal.js';
import { recommendations } from './repo.js';

const notOpen = (id: string, state: string, action: string) =>
  problems.invalidTransition('recommendation', id, action, state, ['open']);

export async function applyRecommendation(deps: Deps, ctx: OpContext) {
  const trx = ctx.db as Knex.Transaction;
  const row = await recommendations.get(trx, ctx.principal, ctx.params.id, true);
  checkIfMatch(ctx.ifMatch, row);
  if (row.state !== 'open') throw notOpen(row.id, row.state, 'apply');
  const act = await actingAs(deps, row.owner, ctx.requestId);
  const done: { operation_id: string; status: number; id: string | null }[] = [];
  // The steps run as their own operations (each its own transaction and audit record); a later step's refusal
  // leaves the earlier ones done, and the answer names them.
  for (const step of (row.action as { steps: Step[] }).steps) {
    try {
      const r = await act(step.operation_id, { params: step.params, body: step.body });
      done.push({ operation_id: step.operation_id, status: r.status, id: (r.body as { id?: string })?.id ?? null });
    } catch (e) {
      if (done.length && e instanceof Problem) e.extra.completed_steps = done;
      throw e;
    }
  }
  const updated = await recommendations.update(trx, row, {
    state: 'applied',
    state_reason: `applied at ${new Date(deps.clock.now()).toISOString()}`,
    result: { steps: done },
  } as never);
  ctx.audit = { resource_type: 'recommendation', resource_id: row.id, details: { steps: done } };
  return { status: 200, body: recommendations.present(updated) };
}

export async function dismissRecommendation(deps: Deps, ctx: OpContext) {
  const row = await recommendations.get(ctx.db, ctx.principal, ctx.params.id, true);
  checkIfMatch(ctx.ifMatch, row);
  if (row.state !== 'open') throw notOpen(row.id, row.state, 'dismiss');
  const updated = await recommendations.update(ctx.db, row, {
    state: 'dismissed',
    state_reason: `dismissed at ${new Date(deps.clock.now()).toISOString()}`,
  } as never);
  ctx.audit = { resource_type: 'recommendation', resource_id: row.id };
  return { status: 200, body: recommendations.present(updated) };
}
