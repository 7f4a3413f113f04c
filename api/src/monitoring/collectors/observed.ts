// Observed series read from the database (the same for every process, so one process writes them per interval):
// bucket sizes and object counts, scheduled-task runs, job queue depths.
import type { Knex } from 'knex';
import type { Point } from '../types.js';
import { adminId, bucketUsage, queueDepths, taskRuns } from './reads.js';

/** The points of one collection at `t`, by owner. */
export async function databasePoints(db: Knex, t: number): Promise<Map<string, Point[]>> {
  const byOwner = new Map<string, Point[]>();
  const add = (owner: string, p: Point) => {
    const list = byOwner.get(owner);
    if (list) list.push(p);
    else byOwner.set(owner, [p]);
  };
  for (const b of await bucketUsage(db)) {
    const labels = { resource_id: b.id, kind: 'bucket' };
    add(b.owner, { name: 'atonix_bucket_size_bytes', labels, value: Number(b.bytes), timestamp: t });
    add(b.owner, { name: 'atonix_bucket_objects', labels, value: Number(b.objects), timestamp: t });
  }
  for (const r of await taskRuns(db))
    add(r.owner, {
      name: 'atonix_scheduled_task_runs_total',
      labels: { resource_id: r.task_id, kind: 'scheduled_task', outcome: r.status },
      value: Number(r.n),
      timestamp: t,
    });
  const admin = await adminId(db);
  if (admin)
    for (const q of await queueDepths(db))
      add(admin, { name: 'atonix_job_queue_depth', labels: { queue: q.name }, value: Number(q.n), timestamp: t });
  return byOwner;
}
