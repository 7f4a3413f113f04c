// The logs' upkeep on the platform clock: day partitions made ahead of time, lines past their owner's retention
// deleted, a partition dropped whole once it is older than every owner's retention, and old origins forgotten.
// Every step is idempotent and partition changes are serialised by an advisory lock (in atonix_log_partition), so
// every process may sweep at the same tick.
import type { Knex } from 'knex';

const DAY_MS = 86_400_000;
/** Partitions made ahead of the clock: a line pushed with a time a little in the future still finds its day. */
export const AHEAD_DAYS = 3;
/** How long an origin is remembered: far longer than any process takes to hear the event it names. */
const ORIGIN_MS = DAY_MS;

const utcDay = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** The day partitions that exist, by their day (UTC, ms since the epoch). */
async function dayPartitions(db: Knex): Promise<{ name: string; day: number }[]> {
  const { rows } = await db.raw(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'log_entries'::regclass and c.relname ~ '^log_entries_p[0-9]{8}$'`,
  );
  return rows.map(({ name }: { name: string }) => {
    const d = name.slice(-8);
    return { name, day: Date.parse(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T00:00:00Z`) };
  });
}

export async function sweepLogs(db: Knex, now: number, defaultDays: number): Promise<void> {
  await db.raw(`select atonix_log_partition(?::date + d) from generate_series(0, ${AHEAD_DAYS}) d`, [utcDay(now)]);
  const { rows } = await db.raw(`select coalesce(max(retention_days), 0)::int as longest from log_settings`);
  const longest = Math.max(defaultDays, rows[0].longest);
  // A partition whose whole day is older than the longest retention holds nothing anyone keeps: dropped, not deleted.
  for (const p of await dayPartitions(db))
    if (p.day + DAY_MS <= now - longest * DAY_MS) await db.raw(`drop table if exists ??`, [p.name]);
  // The rest row by row: owners with a retention of their own through the owner index, the others (the default)
  // only in the partitions older than the default.
  await db.raw(
    `delete from log_entries l using log_settings s
      where l.owner = s.owner and l.time < ?::timestamptz - make_interval(days => s.retention_days)`,
    [new Date(now)],
  );
  await db.raw(
    `delete from log_entries l
      where l.time < ?::timestamptz - make_interval(days => ?)
        and not exists (select 1 from log_settings s where s.owner = l.owner)`,
    [new Date(now), defaultDays],
  );
  await db.raw(`delete from log_origins where at < ?`, [new Date(now - ORIGIN_MS)]);
}

export const partitionNames = async (db: Knex) => (await dayPartitions(db)).map((p) => p.name);
