// What detection found: the anomalous points (GET /api/ai/anomalies, with filters and cursors), the episodes they
// are grouped into, and false-positive feedback on an episode, which tunes its subscription's threshold.
import type { Knex } from 'knex';
import { parseDuration } from '../../monitoring/alerts/durations.js';
import { defineOperations } from '../../platform/manifest.js';
import type { OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { page } from '../../platform/resources/pagination.js';
import { presentAnomaly, presentEpisode } from './present.js';
import { ANOMALIES, EPISODES, subscriptions, type EpisodeRow } from './repos.js';
import { thresholdOf } from './rules.js';

/** The caller's rows only (the admin's: everyone's). */
const owned = (ctx: OpContext, q: Knex.QueryBuilder, column: string) =>
  ctx.principal.isAdmin ? q : q.where(column, ctx.principal.userId);

const episodesQuery = (db: Knex | Knex.Transaction) =>
  db(`${EPISODES} as e`).join(`${subscriptions.table} as s`, 's.id', 'e.subscription_id').select('e.*', 's.step');

type EpisodeWithStep = EpisodeRow & { step: string };
const present = (r: EpisodeWithStep) => presentEpisode(r, parseDuration(r.step)!);

async function episodeOf(ctx: OpContext, id: string): Promise<EpisodeWithStep> {
  const row = await owned(ctx, episodesQuery(ctx.db).where('e.id', id), 'e.owner').first();
  if (!row) throw problems.notFound('anomaly_episode', id);
  return row;
}

export const anomalyOperations = defineOperations('ai/anomalies', {
  handlers: (deps) => ({
    async listAnomalies(ctx) {
      const q = owned(ctx, ctx.db(ANOMALIES).select('*'), 'owner');
      for (const f of ['subscription_id', 'episode_id', 'metric', 'resource_id'] as const)
        if (ctx.query[f] !== undefined) q.where(f, ctx.query[f]);
      if (ctx.query.from) q.where('at', '>=', new Date(ctx.query.from));
      if (ctx.query.to) q.where('at', '<', new Date(ctx.query.to));
      const { rows, next_cursor } = await page<any>(q, ctx.query.limit, ctx.query.cursor);
      return { status: 200, body: { items: rows.map(presentAnomaly), next_cursor } };
    },
    async listAnomalyEpisodes(ctx) {
      const q = owned(ctx, episodesQuery(ctx.db), 'e.owner');
      if (ctx.query.subscription_id) q.where('e.subscription_id', ctx.query.subscription_id);
      if (ctx.query.status) q.where('e.status', ctx.query.status);
      if (ctx.query.from) q.where('e.end_at', '>=', new Date(ctx.query.from));
      if (ctx.query.to) q.where('e.start_at', '<', new Date(ctx.query.to));
      const { rows, next_cursor } = await page<EpisodeWithStep>(q, ctx.query.limit, ctx.query.cursor, 'e.seq');
      return { status: 200, body: { items: rows.map(present), next_cursor } };
    },
    async getAnomalyEpisode(ctx) {
      return { status: 200, body: present(await episodeOf(ctx, ctx.params.id)) };
    },
    // Idempotent: a second mark changes nothing. The subscription is locked before the episode, in the engine's
    // order, so feedback and a scoring pass never deadlock.
    async markAnomalyFalsePositive(ctx) {
      const found = await episodeOf(ctx, ctx.params.id);
      const sub = await subscriptions.get(ctx.db, ctx.principal, found.subscription_id, true);
      const ep: EpisodeRow = await ctx.db(EPISODES).where({ id: found.id }).first().forUpdate();
      let current = sub;
      if (!ep.false_positive) {
        await ctx
          .db(EPISODES)
          .where({ id: ep.id })
          .update({ false_positive: true, false_positive_at: new Date(deps.clock.now()) });
        const threshold = await thresholdOf(ctx.db, sub.id, sub.sensitivity, sub.mode);
        current = await subscriptions.update(ctx.db, sub, { threshold, false_positives: sub.false_positives + 1 });
      }
      ctx.audit = {
        resource_type: 'anomaly_subscription',
        resource_id: sub.id,
        details: { episode_id: ep.id, threshold: current.threshold, already: ep.false_positive },
      };
      return {
        status: 200,
        body: {
          episode: present({ ...(await episodeOf(ctx, ep.id)) }),
          subscription: { id: sub.id, threshold: current.threshold, false_positives: current.false_positives },
        },
      };
    },
  }),
});
