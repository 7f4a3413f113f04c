// The dashboard kind: CRUD with the layout and query rules checked on every write, and the Overview given to every
// user (at creation, in users.ts, and at start for users who never had one). The page that draws one is console/.
import { createHandler, deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { seedOverviews } from './overview.js';
import { dashboards } from './repo.js';
import { checkDashboard } from './rules.js';

function dashboardHandlers({ clock }: Deps): KindHandlers<'dashboard'> {
  const create = createHandler(dashboards, { owned: true });
  return {
    listDashboards: listHandler(dashboards, ['name']),
    getDashboard: getHandler(dashboards),
    async createDashboard(ctx) {
      checkDashboard(ctx.body, clock.now());
      return create(ctx);
    },
    // The rules judge the dashboard as it would be after the merge patch, not the patch alone.
    updateDashboard: patchHandler(dashboards, async (_ctx, row, changes) => {
      checkDashboard({ ...row, ...changes }, clock.now());
    }),
    deleteDashboard: deleteHandler(dashboards),
  };
}

export const dashboardKind = defineKind('dashboard', {
  handlers: dashboardHandlers,
  seed: ({ db }) => seedOverviews(db),
});
