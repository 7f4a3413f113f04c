// Anomaly subscriptions: created at the seed's path (POST /api/ai/anomalies/subscribe), listed, read, patched and
// deleted under /api/ai/anomalies/subscriptions. The engine (engine.ts) scores what they select on the clock's ticks.
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { deleteHandler, getHandler, listHandler } from '../../platform/resources/crud.js';
import { checkIfMatch, mergePatch, withDefaults } from '../../platform/resources/repo.js';
import { deliveryPass } from '../../monitoring/alerts/deliveries.js';
import { enginePass } from './engine.js';
import { SERIES, subscriptions, type SubscriptionRow } from './repos.js';
import { checkFields, thresholdOf, type SubscriptionFields } from './rules.js';

/** What a subscription says before its first points are seen. */
const WAITING = 'learning: no points of the selected series yet';

function subscriptionHandlers(deps: Deps): KindHandlers<'anomaly_subscription'> {
  const { clock } = deps;
  return {
    listAnomalySubscriptions: listHandler(subscriptions, ['status', 'mode', 'name']),
    getAnomalySubscription: getHandler(subscriptions),
    deleteAnomalySubscription: deleteHandler(subscriptions),
    async createAnomalySubscription(ctx) {
      const values = withDefaults(subscriptions.meta, ctx.body) as Partial<SubscriptionRow>;
      await checkFields(ctx.db, ctx.principal, values as unknown as SubscriptionFields);
      const now = new Date(clock.now());
      const row = await subscriptions.insert(ctx.db, {
        ...values,
        threshold: await thresholdOf(ctx.db, null, values.sensitivity!, values.mode!),
        status: 'learning',
        status_reason: WAITING,
        false_positives: 0,
        owner: ctx.principal.userId,
        created_at: now as never,
        updated_at: now as never,
      });
      ctx.audit = { resource_type: 'anomaly_subscription', resource_id: row.id };
      return {
        status: 201,
        body: subscriptions.present(row),
        headers: { Location: subscriptions.location(row.id), ETag: `"r${row.rev}"` },
      };
    },
    // A merge patch. A new selector, mode or step is a new set of series: its learnt state starts again.
    async updateAnomalySubscription(ctx) {
      const row = await subscriptions.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(subscriptions.meta, ctx.body, subscriptions.present(row)) as Partial<SubscriptionRow>;
      const merged = { ...row, ...changes } as SubscriptionRow;
      await checkFields(ctx.db, ctx.principal, merged as unknown as SubscriptionFields);
      if ('sensitivity' in changes || 'mode' in changes)
        changes.threshold = await thresholdOf(ctx.db, row.id, merged.sensitivity, merged.mode);
      if (['selector', 'mode', 'step'].some((f) => f in changes)) {
        await ctx.db(SERIES).where({ subscription_id: row.id }).delete();
        Object.assign(changes, { status: 'learning', status_reason: WAITING });
      }
      const updated = await subscriptions.update(ctx.db, row, changes);
      ctx.audit = {
        resource_type: 'anomaly_subscription',
        resource_id: row.id,
        details: { changed: Object.keys(changes) },
      };
      return { status: 200, body: subscriptions.present(updated), headers: { ETag: `"r${updated.rev}"` } };
    },
  };
}

export const anomalySubscriptionKind = defineKind('anomaly_subscription', {
  handlers: subscriptionHandlers,
  // Points are scored as they arrive: on every tick of the platform clock (an interval where workers run, at once
  // when a manual clock moves), then the webhook deliveries the episodes made are sent by the alerts' deliverer
  // (claims under SKIP LOCKED, so it and the alert rules' own pass never send one twice).
  workers(deps) {
    const score = enginePass(deps);
    const deliverDue = deliveryPass(deps);
    deps.clock.onTick((now) => {
      const done = score(now).then(() => deliverDue(deps.clock.now()));
      if (deps.clock.manual) return done;
      done.catch((err) => deps.log.error({ err }, 'anomaly scoring or delivery failed'));
    });
    return {};
  },
});
