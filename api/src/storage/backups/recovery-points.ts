// Recovery points: listed per vault or all together, read, and deleted with what they hold (a volume's snapshot,
// deleted through deleteSnapshot as the owner; a bucket copy's files). Not while a restore from it runs.
//
// A delete is crash-safe in three steps: the row is marked `deleting` (committed), what it holds is released, and
// only then the row goes. A process that dies between leaves a `deleting` row, never an orphaned copy or snapshot
// that no row names: the tick's sweep (settle.ts) finishes every such row, and releasing twice is harmless.
import type { Knex } from 'knex';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import { Problem, problems } from '../../platform/problems.js';
import { blockers, getHandler, listHandler } from '../../platform/resources/crud.js';
import { checkIfMatch } from '../../platform/resources/repo.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { actingAs } from './acting.js';
import { removeCopy } from './bucket-copy.js';
import { points, vaults, type PointRow } from './repos.js';

/** Deletes what a recovery point held (a snapshot or a file already gone is fine). */
export async function releasePoint(deps: Deps, point: PointRow): Promise<void> {
  if (point.resource_type === 'bucket') return removeCopy(deps, point.manifest);
  if (!point.snapshot_id) return;
  const act = await actingAs(deps, point.owner, `rp-${point.id}`);
  await act('deleteSnapshot', { params: { id: point.snapshot_id } }).catch((e) => {
    if (!(e instanceof Problem && e.status === 404)) throw e;
  });
}

/** The last two steps of a delete: release what a `deleting` point holds, then remove its row. */
export async function finishDeletion(deps: Deps, point: PointRow): Promise<void> {
  await releasePoint(deps, point);
  await deps.db(points.table).where({ id: point.id, status: 'deleting' }).delete();
  rowCache.invalidate(point.id);
}

function pointHandlers(deps: Deps): KindHandlers<'recovery_point'> {
  return {
    listRecoveryPoints: listHandler(points, ['vault_id', 'resource_id', 'status']),
    async listVaultRecoveryPoints(ctx) {
      await vaults.get(ctx.db, ctx.principal, ctx.params.id);
      return listHandler(points, ['resource_id'], () => ({ vault_id: ctx.params.id }))(ctx);
    },
    getRecoveryPoint: getHandler(points),
    async deleteRecoveryPoint(ctx) {
      const trx = ctx.db as Knex.Transaction;
      const row = await points.get(trx, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.status === 'pending')
        throw problems.invalidTransition('recovery_point', row.id, 'delete', row.status, ['completed', 'failed']);
      const using = await blockers(trx, 'restore_job', { recovery_point_id: row.id, status: 'running' });
      if (using.length) throw problems.inUse('recovery_point', row.id, using);
      if (row.status === 'deleting') return { status: 204 }; // already on its way; the sweep finishes it
      await points.update(trx, row, { status: 'deleting' } as Partial<PointRow>);
      ctx.afterCommit(() => {
        // A failure here leaves the row `deleting`: the next tick's sweep retries.
        finishDeletion(deps, row).catch((e) => deps.log.warn({ err: e, point: row.id }, 'recovery point not released'));
      });
      ctx.audit = { resource_type: 'recovery_point', resource_id: row.id };
      return { status: 204 };
    },
  };
}

export const recoveryPointKind = defineKind('recovery_point', {
  handlers: pointHandlers,
  // Made by backup jobs (their worker and recovery); completed with their snapshot by the tick's settle sweep, which
  // index.ts adds as this kind's workers.
  recover: async () => [],
});
