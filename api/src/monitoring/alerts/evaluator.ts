// The evaluator, on the platform clock's ticks: claims the rules whose evaluation is due (FOR UPDATE SKIP LOCKED,
// next_evaluation_at moved on in the same transaction, so each due evaluation happens once across processes), runs
// each rule's query in its owner's scope, applies the state machine (transitions.ts), and in the same transaction
// writes the alerts, the history, a delivery per webhook channel and an event per WebSocket channel.
import type { Knex } from 'knex';
import { ownerPrincipal } from '../../automation/acting-as.js';
import type { Deps } from '../../platform/deps.js';
import { newId } from '../../platform/resources/ids.js';
import { inTransaction } from '../../platform/resources/row-cache.js';
import type { Principal } from '../../platform/operations/principals.js';
import { pipelineEvaluator, type InstantEvaluator } from './engine.js';
import { webhookPayload, type NotifiedAlert } from './payload.js';
import { DELIVERIES, HISTORY, SILENCES, channels, rules, type ChannelRow, type RuleRow } from './repos.js';
import { timings } from './rule-query.js';
import type { SilenceRow } from './silences-match.js';
import { evaluate, type Outcome } from './transitions.js';

/** Rules claimed per transaction (their evaluations run one after another while their rows stay locked). */
const CLAIM_BATCH = 20;
/** Alerts named in one WebSocket event at most: NOTIFY carries 8000 bytes. */
const EVENT_ALERTS = 20;

/** The next due time after `now` on the rule's grid (a clock that jumped evaluates once, as Prometheus does). */
export function nextDue(previousDue: number, intervalMs: number, now: number): number {
  if (previousDue > now) return previousDue;
  return previousDue + (Math.floor((now - previousDue) / intervalMs) + 1) * intervalMs;
}

export function evaluationPass(deps: Deps, query: InstantEvaluator = pipelineEvaluator(deps)) {
  const { db, log, config } = deps;

  /** The owner's silences that can matter now (not yet ended). */
  const silencesOf = (trx: Knex.Transaction, owner: string, now: number): Promise<SilenceRow[]> =>
    trx(SILENCES)
      .where({ owner })
      .where('ends_at', '>', new Date(now))
      .select('id', 'matchers', 'starts_at', 'ends_at');

  async function evaluateOne(
    trx: Knex.Transaction,
    rule: RuleRow,
    now: number,
    silences: SilenceRow[],
    owner: Principal,
  ) {
    const { forMs, intervalMs } = timings(rule);
    const next = new Date(nextDue(new Date(rule.next_evaluation_at!).getTime(), intervalMs, now));
    let outcome: Outcome | null = null;
    let error: string | null = null;
    try {
      const result = await query(owner, rule.query, now);
      outcome = evaluate(
        {
          name: rule.name,
          labels: rule.labels,
          annotations: rule.annotations,
          forMs,
          generatorURL: `${config.alerts.externalUrl}/api/monitoring/alerts/${rule.id}`,
        },
        rule.alerts,
        result,
        now,
        silences,
      );
    } catch (e) {
      // A failed evaluation changes no alert (Prometheus keeps their state too); the error is the rule's to show.
      error = e instanceof Error ? e.message : String(e);
      log.warn({ rule: rule.id, err: e }, 'alert rule evaluation failed');
    }
    await rules.update(trx, rule, {
      ...(outcome ? { alerts: outcome.alerts, state: outcome.state } : {}),
      last_error: error,
      last_evaluated_at: new Date(now) as never,
      next_evaluation_at: next as never,
    });
    if (!outcome) return;
    if (outcome.transitions.length)
      await trx(HISTORY).insert(
        outcome.transitions.map((t) => ({
          id: newId('ahe'),
          rule_id: rule.id,
          at: new Date(now),
          fingerprint: t.fingerprint,
          labels: JSON.stringify(t.labels),
          from_state: t.from,
          to_state: t.to,
          value: t.value,
          silenced: t.silenced,
        })),
      );
    if (outcome.notify.length) await notify(trx, rule, outcome.notify, now);
  }

  /** A delivery per webhook channel of the rule's (the owner's, still there), an event per WebSocket channel. */
  async function notify(trx: Knex.Transaction, rule: RuleRow, alerts: NotifiedAlert[], now: number) {
    const ids = rule.channel_ids ?? [];
    if (!ids.length) return;
    const targets: ChannelRow[] = await trx(channels.table).whereIn('id', ids).where({ owner: rule.owner });
    const deliveries: Record<string, unknown>[] = [];
    const events: Record<string, unknown>[] = [];
    for (const ch of targets) {
      const sent = ch.send_resolved ? alerts : alerts.filter((a) => a.status === 'firing');
      if (!sent.length) continue;
      const payload = webhookPayload(ch.name, rule.name, sent, config.alerts.externalUrl);
      if (ch.type === 'webhook')
        deliveries.push({
          id: newId('dlv'),
          channel_id: ch.id,
          rule_id: rule.id,
          status: 'pending',
          alert_status: payload.status,
          payload: JSON.stringify(payload),
          next_attempt_at: new Date(now),
          created_at: new Date(now),
        });
      else
        events.push({
          type: 'alert_rule.notification',
          kind: 'alert_rule',
          id: rule.id,
          owner: rule.owner,
          status: payload.status,
          channel_id: ch.id,
          alerts: sent
            .slice(0, EVENT_ALERTS)
            .map((a) => ({ fingerprint: a.fingerprint, status: a.status, labels: a.labels })),
          at: new Date(now).toISOString(),
        });
    }
    if (deliveries.length) await trx(DELIVERIES).insert(deliveries);
    // NOTIFY is sent on commit only, so a rolled-back evaluation tells no one.
    for (const ev of events) await trx.raw(`select pg_notify('atonix_events', ?)`, [JSON.stringify([ev])]);
  }

  /** One batch: claimed, evaluated, written; the number claimed. */
  async function batch(now: number): Promise<number> {
    return inTransaction(db, async (trx) => {
      const due: RuleRow[] = await trx(rules.table)
        .where('enabled', true)
        .where('next_evaluation_at', '<=', new Date(now))
        .orderBy('next_evaluation_at')
        .limit(CLAIM_BATCH)
        .forUpdate()
        .skipLocked();
      // Each owner's silences and principal, read once per batch.
      const silences = new Map<string, Promise<SilenceRow[]>>();
      const owners = new Map<string, Promise<Principal>>();
      for (const rule of due) {
        if (!silences.has(rule.owner)) silences.set(rule.owner, silencesOf(trx, rule.owner, now));
        if (!owners.has(rule.owner)) owners.set(rule.owner, ownerPrincipal(db, rule.owner));
        await evaluateOne(trx, rule, now, await silences.get(rule.owner)!, await owners.get(rule.owner)!);
      }
      return due.length;
    });
  }

  /** Every rule due at `now`. */
  return async function evaluateDue(now: number): Promise<void> {
    while ((await batch(now)) === CLAIM_BATCH);
  };
}
