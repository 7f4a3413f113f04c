// The 'ai/predictions' family: GET /api/ai/predictions forecasts the caller's series of a metric (the forecasting
// models are in ../forecast/; this reads the history through the monitoring service's PromQL engine and keeps answers).
import { scopeOf } from '../../monitoring/metrics.js';
import { tsdb } from '../../monitoring/tsdb/index.js';
import { defineOperations } from '../../platform/manifest.js';
import { predictionCache } from './cache.js';
import { answer, type Answer } from './forecasts.js';
import { readQuestion, type PredictionQuery } from './params.js';

export const predictionOperations = defineOperations('ai/predictions', {
  handlers: (deps) => ({
    async getPredictions(ctx) {
      const q = readQuestion(ctx.query as PredictionQuery);
      const cache = predictionCache<Answer>(deps);
      const body = await answer(tsdb(deps).source, scopeOf(ctx.principal), q, deps.clock.now(), cache);
      return { status: 200, body };
    },
  }),
});
