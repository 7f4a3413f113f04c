// Restore jobs: a new resource from a completed recovery point, made through the public operations as the owner. A
// volume comes from the point's snapshot (createVolume with snapshot_id; the job completes when the volume is
// available, on the clock's ticks: settle.ts); a bucket is created under the given name and the copy's objects are
// uploaded into it (putObject), then the job completes.
import type { Deps, Workers } from '../../platform/deps.js';
import { defineKind, type KindHandlers, type Unfinished } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { getHandler, listHandler } from '../../platform/resources/crud.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { bucketNameProblem } from '../bucket-store.js';
import { actingAs, reasonOf } from './acting.js';
import { copyIn } from './bucket-copy.js';
import { points, restores, vaults, type PointRow, type RestoreRow } from './repos.js';

export const RESTORE = 'run-restore';

function restoreHandlers({ jobs, clock }: Deps): KindHandlers<'restore_job'> {
  return {
    listRestoreJobs: listHandler(restores, ['status']),
    getRestoreJob: getHandler(restores),
    async createRestoreJob(ctx) {
      const b = ctx.body;
      // FOR SHARE: a concurrent delete of the point waits for this create, then sees the restore running.
      const point: PointRow | undefined = await points
        .scoped(ctx.db, ctx.principal, true)
        .where('id', b.recovery_point_id)
        .forShare()
        .first();
      if (!point) throw problems.referenceNotFound('recovery_point_id', b.recovery_point_id);
      if (point.status !== 'completed')
        throw problems.invalidField(
          'recovery_point_id',
          `recovery point ${point.id} is ${point.status}; it must be completed`,
          'RecoveryPointNotCompleted',
        );
      if (point.resource_type === 'bucket') {
        if (!b.name)
          throw problems.validation([{ pointer: '/name', detail: 'a restored bucket needs a name', code: 'Required' }]);
        const bad = bucketNameProblem(b.name);
        if (bad) throw problems.invalidField('name', bad, 'InvalidBucketName');
        if (b.availability_zone !== undefined)
          throw problems.invalidField('availability_zone', 'applies to a volume restore only');
      }
      const row = await restores.insert(ctx.db, {
        name: b.name ?? `restore-${point.id}`,
        recovery_point_id: point.id,
        availability_zone: b.availability_zone ?? null,
        resource_type: point.resource_type,
        status: 'running',
        owner: point.owner,
        created_at: clock.date(),
      } as Partial<RestoreRow>);
      await jobs.send(ctx.db, RESTORE, { id: row.id });
      ctx.afterCommit(() => jobs.nudge(RESTORE));
      ctx.audit = { resource_type: 'restore_job', resource_id: row.id, details: { recovery_point_id: point.id } };
      return { status: 202, body: restores.present(row), headers: { Location: restores.location(row.id) } };
    },
  };
}

function restoreWorkers(deps: Deps): Workers {
  const { db } = deps;
  const end = async (row: RestoreRow, changes: Partial<RestoreRow>) => {
    const cur = await db(restores.table).where({ id: row.id, status: 'running' }).first();
    if (cur) await restores.update(db, cur, changes);
    rowCache.invalidate(row.id);
  };
  return {
    async [RESTORE](data: { id: string }) {
      const row: RestoreRow | undefined = await db(restores.table).where({ id: data.id, status: 'running' }).first();
      if (!row || row.created_resource_id) return;
      const point: PointRow | undefined = await db(points.table).where({ id: row.recovery_point_id }).first();
      if (!point || point.status === 'deleting')
        return end(row, { status: 'failed', status_reason: 'the recovery point was deleted' });
      const act = await actingAs(deps, row.owner, `rj-${row.id}`);
      try {
        if (point.resource_type === 'volume') {
          const body = {
            name: row.name,
            snapshot_id: point.snapshot_id,
            ...(row.availability_zone ? { availability_zone: row.availability_zone } : {}),
          };
          // Prefer: wait, as a client would: most restores end here; one cut short (a crash, a slow placement) stays
          // running with the volume's id, and settle.ts completes it once the volume is available.
          const r = await act('createVolume', { body, idempotencyKey: `restore-${row.id}`, waitSeconds: 30 });
          const vol = r.body as { id: string; status: string };
          await end(row, {
            created_resource_id: vol.id,
            ...(vol.status === 'available' ? { status: 'completed' } : {}),
            ...(vol.status === 'error'
              ? { status: 'failed', status_reason: `the volume ${vol.id} ended in error` }
              : {}),
          } as Partial<RestoreRow>);
        } else {
          const r = await act('createBucket', { body: { name: row.name }, idempotencyKey: `restore-${row.id}` });
          const bucketId = (r.body as { id: string }).id;
          const vault = await db(vaults.table).where({ id: point.vault_id }).first();
          await copyIn(deps, act, vault, bucketId, point.manifest ?? []);
          await end(row, { status: 'completed', created_resource_id: bucketId });
        }
      } catch (e) {
        await end(row, { status: 'failed', status_reason: reasonOf(e) });
      }
    },
  };
}

async function unfinished(db: Deps['db']): Promise<Unfinished[]> {
  const rows = await db(restores.table).where({ status: 'running' }).whereNull('created_resource_id').select('id');
  return rows.map((r: { id: string }) => ({ queue: RESTORE, id: r.id }));
}

export const restoreJobKind = defineKind('restore_job', {
  handlers: restoreHandlers,
  workers: restoreWorkers,
  recover: unfinished,
});
