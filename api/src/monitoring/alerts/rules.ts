// Alert rules: CRUD at the seed's path (/api/monitoring/alerts), the rule's PromQL made and checked at create and
// patch, its channels checked to be the owner's, and its history. Evaluation is the evaluator's (evaluator.ts).
import type { Deps } from '../../platform/deps.js';
import type { OpContext } from '../../platform/operations/context.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler } from '../../platform/resources/crud.js';
import { page } from '../../platform/resources/pagination.js';
import { checkIfMatch, mergePatch, withDefaults } from '../../platform/resources/repo.js';
import { checkQuery } from './engine.js';
import { evaluationPass } from './evaluator.js';
import { deliveryPass } from './deliveries.js';
import { HISTORY, channels, rules, type RuleRow } from './repos.js';
import { checkFields, queryOf, type RuleFields } from './rule-query.js';

/** The rule's PromQL, once its fields and the expression are known good (422s with pointers otherwise). */
function queryChecked(r: RuleFields): string {
  checkFields(r);
  const query = queryOf(r);
  checkQuery(query, r.expr ? '/expr' : '/metric');
  return query;
}

/** 422 at /channel_ids/i for a channel the caller cannot see. */
async function checkChannels(ctx: OpContext, ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries())
    await channels.get(ctx.db, ctx.principal, id).catch(() => {
      throw problems.referenceNotFound(`channel_ids/${i}`, id);
    });
}

const presentHistory = (h: Record<string, any>) => ({
  id: h.id,
  rule_id: h.rule_id,
  at: new Date(h.at).toISOString(),
  fingerprint: h.fingerprint,
  labels: h.labels,
  from: h.from_state,
  to: h.to_state,
  value: h.value,
  silenced: h.silenced,
});

function ruleHandlers(deps: Deps): KindHandlers<'alert_rule'> {
  const { clock } = deps;
  return {
    listAlertRules: listHandler(rules, ['state', 'name']),
    getAlertRule: getHandler(rules),
    deleteAlertRule: deleteHandler(rules),
    async createAlertRule(ctx) {
      const values = withDefaults(rules.meta, ctx.body) as Partial<RuleRow>;
      const query = queryChecked(values as RuleFields);
      await checkChannels(ctx, values.channel_ids ?? []);
      const now = clock.now();
      const row = await rules.insert(ctx.db, {
        ...values,
        query,
        state: 'inactive',
        alerts: [],
        // the first evaluation is due at once (the next tick), as a Prometheus rule group starts evaluating
        next_evaluation_at: values.enabled === false ? null : (new Date(now) as never),
        owner: ctx.principal.userId,
        created_at: new Date(now) as never,
        updated_at: new Date(now) as never,
      });
      ctx.audit = { resource_type: 'alert_rule', resource_id: row.id };
      return {
        status: 201,
        body: rules.present(row),
        headers: { Location: rules.location(row.id), ETag: `"r${row.rev}"` },
      };
    },
    // A merge patch; a changed condition is checked again, and disabling clears the alerts (nothing is evaluated).
    async updateAlertRule(ctx) {
      const row = await rules.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(rules.meta, ctx.body, rules.present(row)) as Partial<RuleRow>;
      const merged = { ...row, ...changes } as RuleRow;
      const query = queryChecked(merged as unknown as RuleFields);
      if (query !== row.query) changes.query = query;
      if (changes.channel_ids) await checkChannels(ctx, changes.channel_ids);
      if ('enabled' in changes || 'interval' in changes) {
        changes.next_evaluation_at = (merged.enabled ? new Date(clock.now()) : null) as never;
        if (!merged.enabled) Object.assign(changes, { alerts: [], state: 'inactive' });
      }
      const updated = await rules.update(ctx.db, row, changes);
      ctx.audit = { resource_type: 'alert_rule', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: rules.present(updated), headers: { ETag: `"r${updated.rev}"` } };
    },
    async listAlertRuleHistory(ctx) {
      const rule = await rules.get(ctx.db, ctx.principal, ctx.params.id);
      const q = ctx.db(HISTORY).where({ rule_id: rule.id }).select('*');
      if (ctx.query.fingerprint) q.where({ fingerprint: ctx.query.fingerprint });
      const { rows, next_cursor } = await page<any>(q, ctx.query.limit, ctx.query.cursor);
      return { status: 200, body: { items: rows.map(presentHistory), next_cursor } };
    },
  };
}

export const alertRuleKind = defineKind('alert_rule', {
  handlers: ruleHandlers,
  // Rules come due with platform time: evaluated on every tick (on an interval where workers run, at once when a
  // manual clock moves), then the notifications they made are delivered. A manual clock's move answers once both
  // are done, so a test sees the alert and its webhook at once; a real tick never waits on a receiver.
  workers(deps) {
    const evaluateDue = evaluationPass(deps);
    const deliverDue = deliveryPass(deps);
    deps.clock.onTick((now) => {
      const done = evaluateDue(now).then(() => deliverDue(deps.clock.now()));
      if (deps.clock.manual) return done;
      done.catch((err) => deps.log.error({ err }, 'alert evaluation or delivery failed'));
    });
    return {};
  },
});
