// Backup selections: the resources a plan backs up, by id (volumes, buckets) or by a bucket's metadata (volumes carry
// none). Ids are checked to be the owner's when written; what a selection names is resolved again at every run.
import type { Knex } from 'knex';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import type { OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { withDefaults } from '../../platform/resources/repo.js';
import { buckets } from '../bucket-store.js';
import { volumes } from '../volume-repo.js';
import { plans, selections } from './repos.js';

/** 422 naming the first id that is not a volume or bucket of the caller's. */
async function checkIds(ctx: OpContext, ids: string[]) {
  for (const [i, id] of ids.entries()) {
    const repo = id.startsWith('vol-') ? volumes : buckets;
    await repo.get(ctx.db, ctx.principal, id).catch(() => {
      throw problems.validation([
        {
          pointer: `/resource_ids/${i}`,
          detail: `${id} is not a volume or bucket of yours`,
          code: 'ReferenceNotFound',
        },
      ]);
    });
  }
}

/** The ids of what a plan's selections name now: their volumes and buckets, and the buckets their tags match. */
export async function selectedResources(db: Knex, planId: string, owner: string): Promise<string[]> {
  const out = new Set<string>();
  for (const s of await db(selections.table).where({ plan_id: planId }).orderBy('seq')) {
    for (const id of s.resource_ids as string[]) out.add(id);
    if (Object.keys(s.tags).length) {
      const rows = await db(buckets.table)
        .where({ owner })
        .whereRaw('metadata @> ?::jsonb', [JSON.stringify(s.tags)]);
      for (const b of rows.sort((x: any, y: any) => x.seq - y.seq)) out.add(b.id);
    }
  }
  return [...out];
}

const selectionHandlers = (): KindHandlers<'backup_selection'> => ({
  listBackupSelections: listHandler(selections, ['plan_id']),
  async listBackupPlanSelections(ctx) {
    await plans.get(ctx.db, ctx.principal, ctx.params.id);
    return listHandler(selections, [], () => ({ plan_id: ctx.params.id }))(ctx);
  },
  getBackupSelection: getHandler(selections),
  deleteBackupSelection: deleteHandler(selections),
  updateBackupSelection: patchHandler(selections, async (ctx, _row, changes) => {
    if (changes.resource_ids) await checkIds(ctx, changes.resource_ids as string[]);
  }),
  async createBackupSelection(ctx) {
    const planId = ctx.params.id as string;
    if (ctx.body.plan_id !== undefined && ctx.body.plan_id !== planId)
      throw problems.invalidField('plan_id', `must be the plan of the path (${planId}) or left out`);
    const plan = await plans.get(ctx.db, ctx.principal, planId);
    const values = withDefaults(selections.meta, ctx.body);
    await checkIds(ctx, values.resource_ids ?? []);
    const row = await selections.insert(ctx.db, { ...values, plan_id: plan.id, owner: plan.owner });
    ctx.audit = { resource_type: 'backup_selection', resource_id: row.id, details: { plan_id: plan.id } };
    return { status: 201, body: selections.present(row), headers: { Location: selections.location(row.id) } };
  },
});

export const backupSelectionKind = defineKind('backup_selection', { handlers: selectionHandlers });
