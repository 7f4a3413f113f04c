// The data-access side of the collectors: what the platform's tables say about the resources whose series they
// write (running instances, attached volumes, bucket usage, scheduled-task runs, queued jobs, owners of ids).
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';

const COLLECTIONS = 'metric_collections';

/**
 * Runs `fn(from, trx)` for collection `name` if no other process holds it and at least `stepMs` passed since it last
 * ran, then records `now` as collected. The row stays locked while `fn` writes (in `trx`, so its points commit with
 * the progress or not at all), so two processes never both do and a crash leaves nothing half-written. The first
 * run starts from `firstFrom`.
 */
export async function whileHolding(
  db: Knex,
  name: string,
  now: number,
  stepMs: number,
  fn: (from: number, trx: Knex.Transaction) => Promise<void>,
  firstFrom = now - stepMs,
): Promise<boolean> {
  await db.raw(`insert into ${COLLECTIONS} (name, collected_until) values (?, ?) on conflict do nothing`, [
    name,
    new Date(firstFrom),
  ]);
  return db.transaction(async (trx) => {
    const row = await trx(COLLECTIONS).where({ name }).forUpdate().skipLocked().first('collected_until');
    if (!row) return false;
    const from = new Date(row.collected_until).getTime();
    if (now - from < stepMs) return false;
    await fn(from, trx);
    await trx(COLLECTIONS)
      .where({ name })
      .update({ collected_until: new Date(now) });
    return true;
  });
}

export interface RunningInstance {
  id: string;
  owner: string;
  metadata: Record<string, unknown> | null;
  created_at: Date;
}

/** Instances that are running now (a stopped guest does no work, so it has no modelled series). */
export const runningInstances = (db: Knex): Promise<RunningInstance[]> =>
  db(registry.instance.table).where({ status: 'running' }).select('id', 'owner', 'metadata', 'created_at');

export interface AttachedVolume {
  id: string;
  owner: string;
  created_at: Date;
  instance_id: string;
  instance_metadata: Record<string, unknown> | null;
}

/** Volumes attached to a running instance: their disk operations follow the instance's workload. */
export const busyVolumes = (db: Knex): Promise<AttachedVolume[]> =>
  db(`${registry.volume.table} as v`)
    .join('volume_attachments as a', 'a.volume_id', 'v.id')
    .join(`${registry.instance.table} as i`, 'i.id', 'a.instance_id')
    .where('i.status', 'running')
    .select('v.id', 'v.owner', 'v.created_at', 'i.id as instance_id', 'i.metadata as instance_metadata');

/** Every bucket's stored bytes and object versions. */
export const bucketUsage = (db: Knex): Promise<{ id: string; owner: string; bytes: string; objects: string }[]> =>
  db(`${registry.bucket.table} as b`)
    .leftJoin('bucket_usage as u', 'u.bucket_id', 'b.id')
    .select(
      'b.id',
      'b.owner',
      db.raw('coalesce(u.used_bytes, 0) as bytes'),
      db.raw('coalesce(u.object_count, 0) as objects'),
    );

/** Finished runs of every scheduled task so far, by outcome (a cumulative count: a counter). */
export const taskRuns = (db: Knex): Promise<{ task_id: string; owner: string; status: string; n: string }[]> =>
  db('scheduled_task_runs as r')
    .join(`${registry.scheduled_task.table} as t`, 't.id', 'r.task_id')
    .whereIn('r.status', ['succeeded', 'failed', 'skipped', 'timed_out'])
    .groupBy('r.task_id', 't.owner', 'r.status')
    .select('r.task_id', 't.owner', 'r.status', db.raw('count(*) as n'));

/** Jobs waiting, being retried or running, per queue (pg-boss's tables); an empty queue is a 0. */
export const queueDepths = async (db: Knex): Promise<{ name: string; n: string }[]> =>
  (
    await db.raw(
      `select q.name, count(j.id) as n from pgboss.queue q
         left join pgboss.job j on j.name = q.name and j.state in ('created', 'retry', 'active')
        group by q.name`,
    )
  ).rows;

/** The first admin: the platform's own series (the job queues) are theirs. */
export const adminId = async (db: Knex): Promise<string | undefined> =>
  (await db(registry.user.table).where({ is_admin: true }).orderBy('created_at').first('id'))?.id;

/** The owners of ids of one table (load balancers, target groups); unknown ids are left out. */
export async function ownersOf(db: Knex, table: string, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows: { id: string; owner: string }[] = await db(table).whereIn('id', ids).select('id', 'owner');
  return new Map(rows.map((r) => [r.id, r.owner]));
}

/** Bucket ids by name (S3 requests name their bucket). */
export async function bucketsByName(db: Knex, names: string[]): Promise<Map<string, { id: string; owner: string }>> {
  if (!names.length) return new Map();
  const rows: { id: string; name: string; owner: string }[] = await db(registry.bucket.table)
    .whereIn('name', names)
    .select('id', 'name', 'owner');
  return new Map(rows.map((r) => [r.name, { id: r.id, owner: r.owner }]));
}
