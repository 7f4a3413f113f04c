// Backup jobs: one backup of one volume or bucket into a vault, on demand or for a plan's run. The create records the
// job `running` and sends a durable job; the worker makes the recovery point (once, under the job's row lock) and then
// either snapshots the volume through createSnapshot as the owner (the point completes with its snapshot, on the
// clock's ticks: settle.ts) or copies the bucket's objects into the vault (bucket-copy.ts) and completes at once.
import type { Deps, Workers } from '../../platform/deps.js';
import { defineKind, type KindHandlers, type Unfinished } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { getHandler, listHandler } from '../../platform/resources/crud.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { buckets, GIB } from '../bucket-store.js';
import { volumes } from '../volume-repo.js';
import { actingAs, reasonOf } from './acting.js';
import { copyOut } from './bucket-copy.js';
import { backupJobs, points, vaults, type BackupJobRow, type PointRow } from './repos.js';

export const BACKUP = 'run-backup';
const DAY_MS = 86_400_000;
const typeOf = (id: string) => (id.startsWith('vol-') ? 'volume' : 'bucket');

function jobHandlers({ jobs, clock }: Deps): KindHandlers<'backup_job'> {
  return {
    listBackupJobs: listHandler(backupJobs, ['status', 'resource_id']),
    getBackupJob: getHandler(backupJobs),
    async createBackupJob(ctx) {
      const b = ctx.body;
      const repo = typeOf(b.resource_id) === 'volume' ? volumes : buckets;
      await repo.get(ctx.db, ctx.principal, b.resource_id).catch(() => {
        throw problems.referenceNotFound('resource_id', b.resource_id);
      });
      const vault = await vaults.get(ctx.db, ctx.principal, b.vault_id).catch(() => {
        throw problems.referenceNotFound('vault_id', b.vault_id);
      });
      const row = await backupJobs.insert(ctx.db, {
        name: b.resource_id,
        resource_id: b.resource_id,
        vault_id: vault.id,
        retention_days: b.retention_days ?? null,
        status: 'running',
        owner: vault.owner,
        created_at: clock.date(),
      });
      await jobs.send(ctx.db, BACKUP, { id: row.id });
      ctx.afterCommit(() => jobs.nudge(BACKUP));
      ctx.audit = { resource_type: 'backup_job', resource_id: row.id, details: { resource_id: b.resource_id } };
      return { status: 202, body: backupJobs.present(row), headers: { Location: backupJobs.location(row.id) } };
    },
  };
}

/** Ends a job and its recovery point together (only while they are still running and pending). */
export async function finish(deps: Deps, job: BackupJobRow, point: PointRow, outcome: Partial<PointRow>) {
  const failed = outcome.status === 'failed';
  await deps.db.transaction(async (trx) => {
    const p = await trx(points.table).where({ id: point.id, status: 'pending' }).forUpdate().first();
    if (!p) return;
    await points.update(trx, p, { ...outcome, completed_at: failed ? null : deps.clock.date() } as Partial<PointRow>);
    const j = await trx(backupJobs.table).where({ id: job.id, status: 'running' }).forUpdate().first();
    if (j)
      await backupJobs.update(trx, j, {
        status: failed ? 'failed' : 'completed',
        status_reason: outcome.status_reason ?? null,
      });
  });
  rowCache.invalidate(point.id);
  rowCache.invalidate(job.id);
}

function jobWorkers(deps: Deps): Workers {
  const { db, clock } = deps;
  /** The job's recovery point, made once: the job's row lock makes a replayed job find the first one's. */
  const pointOf = (id: string) =>
    db.transaction(async (trx): Promise<[BackupJobRow, PointRow] | null> => {
      const job: BackupJobRow | undefined = await trx(backupJobs.table)
        .where({ id, status: 'running' })
        .forUpdate()
        .first();
      if (!job) return null;
      if (job.recovery_point_id) return [job, await trx(points.table).where({ id: job.recovery_point_id }).first()];
      const point = await points.insert(trx, {
        name: job.resource_id,
        vault_id: job.vault_id,
        resource_type: typeOf(job.resource_id),
        resource_id: job.resource_id,
        status: 'pending',
        plan_id: job.plan_id,
        rule_name: job.rule_name,
        job_id: job.id,
        expires_at: job.retention_days ? new Date(clock.now() + job.retention_days * DAY_MS) : null,
        retention_count: job.retention_count,
        owner: job.owner,
        created_at: clock.date(),
      } as Partial<PointRow>);
      return [await backupJobs.update(trx, job, { recovery_point_id: point.id }), point];
    });
  return {
    async [BACKUP](data: { id: string }) {
      const found = await pointOf(data.id);
      rowCache.invalidate(data.id);
      if (!found || found[1].status !== 'pending') return;
      const [job, point] = found;
      const act = await actingAs(deps, job.owner, `bj-${job.id}`);
      try {
        if (point.resource_type === 'volume') {
          if (point.snapshot_id) return;
          const r = await act('createSnapshot', {
            params: { id: job.resource_id },
            body: { name: `backup-${point.id}`, description: `recovery point ${point.id} in ${job.vault_id}` },
            idempotencyKey: `backup-${point.id}`,
          });
          const snap = r.body as { id: string; size_gb: number };
          await points.update(db, point, { snapshot_id: snap.id, size_bytes: snap.size_gb * GIB });
          rowCache.invalidate(point.id);
        } else {
          const vault = await db(vaults.table).where({ id: job.vault_id }).first();
          const { manifest, bytes } = await copyOut(deps, act, vault, job.resource_id);
          await finish(deps, job, point, {
            status: 'completed',
            manifest,
            size_bytes: bytes,
            object_count: manifest.length,
          } as Partial<PointRow>);
        }
      } catch (e) {
        await finish(deps, job, point, { status: 'failed', status_reason: reasonOf(e) });
      }
    },
  };
}

async function unfinished(db: Deps['db']): Promise<Unfinished[]> {
  const rows = await db(backupJobs.table).where({ status: 'running' }).select('id');
  return rows.map((r: { id: string }) => ({ queue: BACKUP, id: r.id }));
}

export const backupJobKind = defineKind('backup_job', {
  handlers: jobHandlers,
  workers: jobWorkers,
  recover: unfinished,
});
