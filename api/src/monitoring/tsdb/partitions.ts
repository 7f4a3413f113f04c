// Partition upkeep and retention, on the platform clock: each table's partitions are made a few spans ahead (rows
// the DEFAULT partition caught for a new partition's range move into it first), and partitions wholly older than
// their resolution's retention are dropped whole (the DEFAULT partition's old rows are deleted).
import type { Knex } from 'knex';
import { DAY } from './rollups.js';

export interface Retention {
  rawMs: number;
  '1mMs': number;
  '1hMs': number;
}

interface Table {
  name: string;
  column: string;
  /** each partition's span of time (ms), aligned to multiples of it since the epoch */
  span: number;
  retention: keyof Retention;
}

export const TABLES: Table[] = [
  { name: 'metric_samples', column: 't', span: DAY, retention: 'rawMs' },
  { name: 'metric_rollups_1m', column: 'bucket', span: DAY, retention: '1mMs' },
  { name: 'metric_rollups_1h', column: 'bucket', span: 7 * DAY, retention: '1hMs' },
];
/** How many spans ahead of now partitions exist. */
const AHEAD = 2;
/** Serialises upkeep across processes (one pass's create or drop at a time). */
const LOCK = 7319;

const partitionName = (t: Table, lo: number) => `${t.name}_p${lo}`;

/** The partitions of `t` (not DEFAULT) by their lower bound, read from their names. */
async function partitions(db: Knex | Knex.Transaction, t: Table): Promise<number[]> {
  const rows: { relname: string }[] = (
    await db.raw(
      `select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
       where i.inhparent = ?::regclass and c.relname ~ ?`,
      [t.name, `^${t.name}_p[0-9]+$`],
    )
  ).rows;
  return rows.map((r) => Number(r.relname.slice(t.name.length + 2))).sort((a, b) => a - b);
}

/** Makes the partition of `t` starting at `lo`, taking over the DEFAULT partition's rows of its range. */
async function create(trx: Knex.Transaction, t: Table, lo: number): Promise<void> {
  const name = partitionName(t, lo);
  const hi = lo + t.span;
  await trx.raw(`create table ${name} (like ${t.name} including defaults)`);
  await trx.raw(
    `with moved as (delete from ${t.name}_default where ${t.column} >= ? and ${t.column} < ? returning *)
     insert into ${name} select * from moved`,
    [lo, hi],
  );
  await trx.raw(`alter table ${t.name} attach partition ${name} for values from (${lo}) to (${hi})`);
  // Only digits and ISO times in it: nothing to escape (COMMENT takes no parameters).
  await trx.raw(
    `comment on table ${name} is '${t.name} for [${new Date(lo).toISOString()}, ${new Date(hi).toISOString()})'`,
  );
}

export interface UpkeepReport {
  created: string[];
  dropped: string[];
}

/** One upkeep pass at platform time `now`. */
export async function upkeep(db: Knex, now: number, retention: Retention): Promise<UpkeepReport> {
  const report: UpkeepReport = { created: [], dropped: [] };
  for (const t of TABLES) {
    await db.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [LOCK]);
      const have = new Set(await partitions(trx, t));
      const cutoff = now - retention[t.retention];
      const first = Math.max(Math.floor(now / t.span) * t.span - t.span, Math.floor(cutoff / t.span) * t.span);
      for (let lo = first; lo <= Math.floor(now / t.span) * t.span + AHEAD * t.span; lo += t.span) {
        if (have.has(lo) || lo + t.span <= cutoff) continue;
        await create(trx, t, lo);
        report.created.push(partitionName(t, lo));
      }
      for (const lo of have) {
        if (lo + t.span > cutoff) continue;
        await trx.raw(`drop table ${partitionName(t, lo)}`);
        report.dropped.push(partitionName(t, lo));
      }
      await trx.raw(`delete from ${t.name}_default where ${t.column} < ?`, [cutoff]);
    });
  }
  return report;
}
