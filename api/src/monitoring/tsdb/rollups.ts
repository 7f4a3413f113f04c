// The rollup pass, on the platform clock's ticks: closed 1-minute buckets are rolled from raw samples and closed
// hours from their minutes, in SQL (count, sum, min, max, last, and the quantile sketch of sketch.ts), as idempotent
// upserts. Each resolution's watermark moves in the same transaction as the rolls behind it, a bounded span at a
// time, so a crash loses nothing and concurrent passes (several processes) roll each bucket once; late points
// queued by the writer re-roll their minute and its hour.
import type { Knex } from 'knex';
import { RELATIVE_ACCURACY } from './sketch.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const RESOLUTIONS = ['1m', '1h'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
const WIDTH: Record<Resolution, number> = { '1m': MINUTE, '1h': HOUR };
/** Buckets rolled per transaction while catching up: the writer's FOR SHARE of the watermark waits this long. */
const SPAN: Record<Resolution, number> = { '1m': 60 * MINUTE, '1h': 24 * HOUR };

const LOG_GAMMA = Math.log((1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY));
const floorTo = (t: number, w: number) => Math.floor(t / w) * w;

export async function watermark(db: Knex | Knex.Transaction, res: Resolution): Promise<number> {
  const row = await db('metric_rollup_state').where('resolution', res).first('done_until');
  return Number(row?.done_until ?? 0);
}

// The raw samples of a set of minutes, aggregated and sketched (the SQL twin of sketch.add: the same bucket index).
const ROLL_1M = `
  with s as (select series_id, t - ((t % ${MINUTE}) + ${MINUTE}) % ${MINUTE} as bucket, t, v from metric_samples
             where t >= ? and t < ? /*where*/),
  agg as (
    select series_id, bucket, count(*) filter (where v <> 'NaN') as c,
           coalesce(sum(v) filter (where v <> 'NaN'), 0) as s,
           coalesce(min(v) filter (where v <> 'NaN'), 'NaN') as mn,
           coalesce(max(v) filter (where v <> 'NaN'), 'NaN') as mx,
           (array_agg(v order by t desc))[1] as l, max(t) as lt
    from s group by 1, 2),
  idx as (
    select series_id, bucket,
           case when abs(v) < 1e-9 then 'z' when v > 0 then 'p' else 'n' end as side,
           case when abs(v) >= 1e-9 then ceil(ln(abs(v)) / ${LOG_GAMMA})::int end as i, count(*) as n
    from s where v <> 'NaN' and v <> 'Infinity' and v <> '-Infinity' group by 1, 2, 3, 4),
  sk as (
    select series_id, bucket,
           coalesce(jsonb_object_agg(i, n) filter (where side = 'p'), '{}') as p,
           coalesce(jsonb_object_agg(i, n) filter (where side = 'n'), '{}') as ng,
           coalesce(sum(n) filter (where side = 'z'), 0) as z
    from idx group by 1, 2)
  insert into metric_rollups_1m (series_id, bucket, count, sum, min, max, last, last_t, sketch)
  select a.series_id, a.bucket, a.c, a.s, a.mn, a.mx, a.l, a.lt,
         jsonb_build_object('p', coalesce(sk.p, '{}'), 'n', coalesce(sk.ng, '{}'), 'z', coalesce(sk.z, 0))
  from agg a left join sk using (series_id, bucket)
  on conflict (series_id, bucket) do update set count = excluded.count, sum = excluded.sum, min = excluded.min,
    max = excluded.max, last = excluded.last, last_t = excluded.last_t, sketch = excluded.sketch`;

// An hour's minutes merged: counts and sums add, extremes of non-empty minutes, the latest last, sketches add.
const ROLL_1H = `
  with r as (select bucket - ((bucket % ${HOUR}) + ${HOUR}) % ${HOUR} as hb, m.* from metric_rollups_1m m
             where bucket >= ? and bucket < ? /*where*/),
  agg as (
    select series_id, hb, sum(count)::int as c, sum(sum) filter (where count > 0) as s,
           coalesce(min(min) filter (where count > 0), 'NaN') as mn,
           coalesce(max(max) filter (where count > 0), 'NaN') as mx,
           (array_agg(last order by last_t desc))[1] as l, max(last_t) as lt, sum((sketch->>'z')::int) as z
    from r group by 1, 2),
  e as (
    select series_id, hb, side, key, sum(value::int) as n
    from r, lateral (select 'p' as side, * from jsonb_each_text(r.sketch->'p')
                     union all select 'n', * from jsonb_each_text(r.sketch->'n')) x
    group by 1, 2, 3, 4),
  sk as (
    select series_id, hb, coalesce(jsonb_object_agg(key, n) filter (where side = 'p'), '{}') as p,
           coalesce(jsonb_object_agg(key, n) filter (where side = 'n'), '{}') as ng
    from e group by 1, 2)
  insert into metric_rollups_1h (series_id, bucket, count, sum, min, max, last, last_t, sketch)
  select a.series_id, a.hb, a.c, coalesce(a.s, 0), a.mn, a.mx, a.l, a.lt,
         jsonb_build_object('p', coalesce(sk.p, '{}'), 'n', coalesce(sk.ng, '{}'), 'z', coalesce(a.z, 0))
  from agg a left join sk using (series_id, hb)
  on conflict (series_id, bucket) do update set count = excluded.count, sum = excluded.sum, min = excluded.min,
    max = excluded.max, last = excluded.last, last_t = excluded.last_t, sketch = excluded.sketch`;

const ROLL = { '1m': ROLL_1M, '1h': ROLL_1H };

/** The bucket a row of each resolution's source falls in: a sample's minute, a minute's hour. */
const SOURCE_BUCKET: Record<Resolution, string> = {
  '1m': `t - ((t % ${MINUTE}) + ${MINUTE}) % ${MINUTE}`,
  '1h': `bucket - ((bucket % ${HOUR}) + ${HOUR}) % ${HOUR}`,
};

/** Rolls [from, to) of `res`, or only the given (series, bucket) pairs of it. */
async function roll(trx: Knex.Transaction, res: Resolution, from: number, to: number, only?: [number, number][]) {
  const where = only
    ? `and (series_id, ${SOURCE_BUCKET[res]}) in (select * from unnest(?::bigint[], ?::bigint[]))`
    : '';
  const bindings: (number | number[])[] = only ? [from, to, only.map((o) => o[0]), only.map((o) => o[1])] : [from, to];
  await trx.raw(ROLL[res].replace('/*where*/', where), bindings as any);
}

export interface RollupOptions {
  /** where a fresh store's first pass starts: no raw sample older than raw retention is kept */
  rawRetentionMs: number;
}

/** One pass: advance both watermarks to the closed buckets at `now`, then re-roll what late points touched. */
export async function rollupPass(db: Knex, now: number, opts: RollupOptions): Promise<void> {
  await advance(db, '1m', floorTo(now, MINUTE), now, opts);
  await rerollLate(db);
  await advance(db, '1h', floorTo(await watermark(db, '1m'), HOUR), now, opts);
}

async function advance(db: Knex, res: Resolution, target: number, now: number, opts: RollupOptions) {
  for (;;) {
    const moved = await db.transaction(async (trx) => {
      const row = await trx('metric_rollup_state').where('resolution', res).forUpdate().first('done_until');
      let from = Number(row.done_until);
      // A fresh store starts at its oldest sample (a full scan only while it is small: the watermark is then set).
      if (from === 0) from = await firstBucket(trx, res, now - opts.rawRetentionMs, target);
      if (from >= target) return false;
      const to = Math.min(target, from + SPAN[res]);
      await roll(trx, res, from, to);
      await trx('metric_rollup_state').where('resolution', res).update({ done_until: to });
      return to < target;
    });
    if (!moved) return;
  }
}

async function firstBucket(trx: Knex.Transaction, res: Resolution, oldest: number, target: number) {
  const source =
    res === '1m' ? 'select min(t) as m from metric_samples' : 'select min(bucket) as m from metric_rollups_1m';
  const m = (await trx.raw(source)).rows[0]?.m;
  return m == null ? target : floorTo(Math.max(Number(m), oldest), WIDTH[res]);
}

/** The queued late minutes: rolled again from raw samples, and their hours from their minutes where already rolled. */
async function rerollLate(db: Knex) {
  await db.transaction(async (trx) => {
    const late: { series_id: number; bucket: number }[] = (
      await trx.raw(`delete from metric_rollup_dirty where ctid in (select ctid from metric_rollup_dirty limit 10000)
                     returning series_id, bucket`)
    ).rows;
    if (!late.length) return;
    const minutes = late.map((l): [number, number] => [l.series_id, l.bucket]);
    const lo = Math.min(...minutes.map((m) => m[1]));
    const hi = Math.max(...minutes.map((m) => m[1])) + MINUTE;
    await roll(trx, '1m', lo, hi, minutes);
    const hourDone = await watermark(trx, '1h');
    const hours = [
      ...new Map(minutes.map(([s, b]) => [`${s}:${floorTo(b, HOUR)}`, [s, floorTo(b, HOUR)]])).values(),
    ].filter(([, h]) => h! < hourDone) as [number, number][];
    if (hours.length)
      await roll(trx, '1h', Math.min(...hours.map((h) => h[1])), Math.max(...hours.map((h) => h[1])) + HOUR, hours);
  });
}
