// Custom metrics: POST /api/monitoring/metrics writes a batch of points (all or none), GET answers one metric's
// series as statistics per step (with the seed's 5-minute cache for recent queries on one resource). The store and
// its upkeep (rollups, partitions, retention) are in tsdb/.
import { defineOperations } from '../platform/manifest.js';
import type { Principal } from '../platform/operations/principals.js';
import type { Scope } from './types.js';
import { tsdb } from './tsdb/index.js';
import { metricsCache } from './tsdb/cache.js';
import { pointsOf, type BatchBody } from './tsdb/points.js';
import { metricQuery } from './tsdb/query.js';
import { startUpkeep } from './tsdb/upkeep.js';

/** A user's queries see their own series; the admin's see every owner's. */
export const scopeOf = (p: Principal): Scope => ({ owner: p.isAdmin ? null : p.userId });

export const metricOperations = defineOperations('monitoring/metrics', {
  handlers: (deps) => ({
    async putMetricData(ctx) {
      const { points, metadata } = pointsOf(ctx.body as BatchBody, deps.clock.now());
      await tsdb(deps).writeIn(ctx.db, ctx.principal.userId, points, metadata);
      ctx.audit = { details: { points: points.length } };
      return { status: 204 };
    },
    async getMetricData(ctx) {
      const store = tsdb(deps);
      const body = await metricQuery(
        deps.db,
        store.source,
        metricsCache(deps),
        scopeOf(ctx.principal),
        ctx.query,
        deps.clock.now(),
      );
      return { status: 200, body };
    },
  }),
  workers(deps) {
    startUpkeep(deps);
    return {};
  },
});
