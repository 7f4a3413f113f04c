// What every tick of the platform clock settles for backups, each step one statement so that concurrent sweeps in
// several processes never act twice: volume recovery points complete (or fail) with their snapshots (one due at this
// tick counts as completed: the snapshots' own sweep of the same tick may run after this one), volume restores
// with their volumes, and retention deletes the recovery points past their days or beyond their rule's count: it
// marks them `deleting` (one statement), and the last sweep finishes every `deleting` point, whether retention,
// a DELETE, or a process that died midway left it so (recovery-points.ts).
import type { Deps } from '../../platform/deps.js';
import { rowCache } from '../../platform/resources/row-cache.js';
import { finishDeletion } from './recovery-points.js';
import type { PointRow } from './repos.js';

/** A new revision of the alias's row (the ETag), as every write makes. */
const bump = (t: string) => `rev = ${t}.rev + 1, updated_at = now()`;

export function backupSettler(deps: Deps) {
  const { db, log } = deps;
  const invalidate = (rows: { id: string }[]) => rows.forEach((r) => rowCache.invalidate(r.id));

  async function settlePoints(now: Date) {
    const { rows } = await db.raw(
      `update recovery_points p set ${bump('p')},
              status = case when s.status = 'error' then 'failed' else 'completed' end,
              completed_at = case when s.status = 'error' then null else ?::timestamptz end,
              status_reason = case when s.status = 'error' then 'the snapshot ' || p.snapshot_id || ' failed' end
         from snapshots s where p.status = 'pending' and s.id = p.snapshot_id
          and (s.status in ('completed', 'error') or (s.status = 'pending' and s.completed_at <= ?))
       returning p.id, p.job_id, p.status, p.status_reason`,
      [now, now],
    );
    invalidate(rows);
    if (!rows.length) return;
    const jobs = await db.raw(
      `update backup_jobs j set ${bump('j')}, status = case when p.status = 'completed' then 'completed' else 'failed' end,
              status_reason = p.status_reason
         from recovery_points p where p.id = j.recovery_point_id and j.status = 'running' and p.id = any(?)
       returning j.id`,
      [rows.map((r: { id: string }) => r.id)],
    );
    invalidate(jobs.rows);
  }

  async function settleRestores() {
    const { rows } = await db.raw(
      `update restore_jobs r set ${bump('r')},
              status = case when v.status = 'error' then 'failed' else 'completed' end,
              status_reason = case when v.status = 'error' then 'the volume ' || v.id || ' ended in error' end
         from volumes v where r.status = 'running' and r.resource_type = 'volume' and v.id = r.created_resource_id
          and v.status in ('available', 'in-use', 'error')
       returning r.id`,
    );
    invalidate(rows);
  }

  /** Marks `deleting` the expired points and those beyond their rule's newest N per resource. */
  async function enforceRetention(now: Date) {
    const { rows } = await db.raw(
      `update recovery_points p set ${bump('p')}, status = 'deleting' where p.id in (
         select id from recovery_points where status in ('completed', 'failed') and expires_at <= ?
         union
         select id from (select id, retention_count,
                                row_number() over (partition by plan_id, rule_name, resource_id order by seq desc) n
                           from recovery_points where retention_count is not null and status = 'completed') c
          where n > retention_count)
         and not exists (select 1 from restore_jobs r where r.recovery_point_id = p.id and r.status = 'running')
       returning p.id`,
      [now],
    );
    invalidate(rows);
  }

  /** Releases and removes every `deleting` point (the oldest first, a bounded batch per tick). */
  async function finishDeletions() {
    const rows: PointRow[] = await db('recovery_points').where({ status: 'deleting' }).orderBy('seq').limit(100);
    for (const p of rows)
      await finishDeletion(deps, p).catch((e) => log.warn({ err: e, point: p.id }, 'recovery point not released'));
  }

  return async function settle(nowMs: number) {
    const now = new Date(nowMs);
    await settlePoints(now);
    await settleRestores();
    await enforceRetention(now);
    await finishDeletions();
  };
}
