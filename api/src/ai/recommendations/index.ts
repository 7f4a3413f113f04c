// The recommendation kind: read-mostly (made by refreshes, never created), applied or dismissed by its owner, and
// refreshed every day on the platform clock where workers run (daily.ts).
import type { Deps } from '../../platform/deps.js';
import { getHandler, listHandler } from '../../platform/resources/crud.js';
import { defineKind } from '../../platform/manifest.js';
import { applyRecommendation, dismissRecommendation } from './apply.js';
import { runDaily } from './daily.js';
import { refreshOwner } from './refresh.js';
import { recommendations } from './repo.js';

export const recommendationKind = defineKind('recommendation', {
  handlers: (deps: Deps) => ({
    listRecommendations: listHandler(recommendations, ['type', 'resource_id', 'state']),
    getRecommendation: getHandler(recommendations),
    async refreshRecommendations(ctx) {
      return { status: 200, body: await refreshOwner(deps, ctx.principal.userId) };
    },
    applyRecommendation: (ctx) => applyRecommendation(deps, ctx),
    dismissRecommendation: (ctx) => dismissRecommendation(deps, ctx),
  }),
  async serve(deps) {
    let busy = false;
    const off = deps.clock.onTick(async (now) => {
      if (busy) return;
      busy = true;
      try {
        await runDaily(deps, now);
      } finally {
        busy = false;
      }
    });
    return { stop: async () => void off() };
  },
});
