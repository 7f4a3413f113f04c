// The anomaly engine, on the platform clock's ticks: claims each enabled subscription in turn under FOR UPDATE SKIP
// LOCKED (so two processes never score the same points), scores the points newer than its series' watermarks in
// its owner's scope, and writes in that one transaction the series' state, the anomalies, the episodes, the
// deliveries and events, and the subscription's status. A crash rolls the whole pass back; the next one redoes it.
import type { Knex } from 'knex';
import { tsdb } from '../../monitoring/tsdb/index.js';
import type { Deps } from '../../platform/deps.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { EpisodeTracker } from './episodes.js';
import { subscriptions, type SubscriptionRow } from './repos.js';
import { scoreResources } from './resource-mode.js';
import { timings } from './rules.js';
import { scoreSeries, type Progress } from './series-mode.js';

/** The status a pass's progress gives: active once any series is scored, else how far learning has come. */
export function statusOf(p: Progress, step: string): { status: 'learning' | 'active'; status_reason: string | null } {
  if (p.active > 0) return { status: 'active', status_reason: null };
  if (!p.learning.length)
    return { status: 'learning', status_reason: 'learning: no points of the selected series yet' };
  const best = p.learning.reduce((a, b) => (b.needed - b.have < a.needed - a.have ? b : a));
  return {
    status: 'learning',
    status_reason: `learning: ${best.have} of ${best.needed} points of history at ${step} steps (${Math.max(0, best.needed - best.have)} more needed)`,
  };
}

export function enginePass(deps: Deps) {
  const { db, log } = deps;
  const source = tsdb(deps).source;
  const externalUrl = deps.config.alerts.externalUrl;

  async function scoreOne(trx: Knex.Transaction, sub: SubscriptionRow, now: number) {
    const { stepMs, minDurationMs } = timings(sub);
    const tracker = new EpisodeTracker(sub, { stepMs, gapMs: 2 * stepMs, minDurationMs }, now, externalUrl);
    const open = await EpisodeTracker.openOf(trx, sub.id);
    const progress =
      sub.mode === 'resource'
        ? await scoreResources(trx, source, sub, now, tracker, open)
        : await scoreSeries(trx, source, sub, now, tracker, open);
    await tracker.write(trx);
    const status = statusOf(progress, sub.step);
    if (status.status !== sub.status || status.status_reason !== sub.status_reason)
      await subscriptions.update(trx, sub, status);
  }

  /** The next enabled subscription after `afterSeq` nobody else holds, scored in its own transaction. */
  async function next(afterSeq: number, now: number): Promise<number | null> {
    const seq = await db.transaction(async (trx) => {
      const sub: SubscriptionRow | undefined = await trx(subscriptions.table)
        .where('enabled', true)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .first()
        .forUpdate()
        .skipLocked();
      if (!sub) return null;
      try {
        // a savepoint: one subscription's failure (its owner's series unreadable) must not stop the others'
        await trx.transaction((inner) => scoreOne(inner, sub, now));
      } catch (err) {
        log.warn({ err, subscription: sub.id }, 'anomaly scoring failed');
      }
      return { seq: Number(sub.seq), id: sub.id };
    });
    if (!seq) return null;
    // its status may have changed: this process's cached row goes now (others' on the change event)
    rowCache.invalidate(seq.id);
    return seq.seq;
  }

  return async function scoreDue(now: number): Promise<void> {
    for (let seq: number | null = 0; seq !== null;) seq = await next(seq, now);
  };
}
