// The store's write path: a batch of one owner's points becomes series ids (from an in-process cache, so steady
// ingest looks nothing up) and one multi-row insert of samples, all or none. Points landing in a 1-minute bucket the
// rollup pass has already closed queue that bucket to be rolled again, in the same statement.
import type { Knex } from 'knex';
import type { MetricMetadata, Point } from '../types.js';
import { fingerprintOf, seriesKey, storedLabels, sortedLabels } from './labels.js';

/** Entries kept in the series cache before it starts again (a bound on memory, about 200 bytes an entry). */
const SERIES_CACHE_MAX = 500_000;
export const MINUTE = 60_000;

/** A series' key from its point as sent (labels in the order given): one of the cache's names for the series. */
function asSent(owner: string, p: Point): string {
  let s = `\xfe${owner}\xff${p.name}`;
  for (const k in p.labels) s += `\xff${k}\xff${p.labels[k]}`;
  return s;
}

export class SeriesIds {
  private ids = new Map<string, number>();

  constructor(
    private db: Knex,
    private now: () => number,
  ) {}

  /**
   * The ids of the points' series, creating the missing ones. Series are committed on their own (outside the
   * batch's transaction): a series without samples is invisible to every read, and a cached id then always exists.
   */
  async resolve(owner: string, points: Point[]): Promise<number[]> {
    const out = new Array<number>(points.length);
    const missing = new Map<string, { name: string; labels: Record<string, string>; at: number[] }>();
    points.forEach((p, i) => {
      // The labels as sent, in their order, name the series too: steady ingest neither copies nor sorts them.
      let id = this.ids.get(asSent(owner, p));
      if (id !== undefined) {
        out[i] = id;
        return;
      }
      const labels = storedLabels(owner, p.labels);
      const key = seriesKey(owner, p.name, labels);
      id = this.ids.get(key);
      if (id !== undefined) {
        out[i] = id;
        this.ids.set(asSent(owner, p), id);
      } else {
        const m = missing.get(key);
        if (m) m.at.push(i);
        else missing.set(key, { name: p.name, labels, at: [i] });
      }
    });
    if (missing.size) {
      const rows = [...missing].map(([key, m]) => ({
        owner,
        name: m.name,
        labels: JSON.stringify(sortedLabels(m.labels)),
        fingerprint: fingerprintOf(key),
        created_at: this.now(),
      }));
      await this.db('metric_series').insert(rows).onConflict(['owner', 'fingerprint']).ignore();
      const found: { id: number; fingerprint: string }[] = await this.db('metric_series')
        .where('owner', owner)
        .whereIn(
          'fingerprint',
          rows.map((r) => r.fingerprint),
        )
        .select('id', 'fingerprint');
      const byPrint = new Map(found.map((r) => [r.fingerprint, r.id]));
      if (this.ids.size + missing.size > SERIES_CACHE_MAX) this.ids.clear();
      for (const [key, m] of missing) {
        const id = byPrint.get(fingerprintOf(key))!;
        this.ids.set(key, id);
        for (const i of m.at) {
          out[i] = id;
          this.ids.set(asSent(owner, points[i]!), id);
        }
      }
    }
    return out;
  }
}

/**
 * Inserts the samples (a repeated series and time keeps the last value, as a re-sent sample overwrites) and queues
 * the closed 1-minute buckets they land in. The watermark is read FOR SHARE: the rollup pass's move of it waits for
 * this transaction, so a point is either seen by the pass or queued as late, never lost between them.
 */
export async function insertSamples(db: Knex | Knex.Transaction, ids: number[], points: Point[]): Promise<void> {
  const last = new Map<string, number>();
  points.forEach((p, i) => last.set(`${ids[i]}:${p.timestamp}`, i));
  const s: number[] = [];
  const t: number[] = [];
  const v: (number | string)[] = [];
  for (const i of last.values()) {
    s.push(ids[i]!);
    t.push(points[i]!.timestamp);
    v.push(floatText(points[i]!.value));
  }
  const bindings = [s, t, v as string[]];
  // Re-sent samples are rare: a plain insert (cheaper than an upsert's speculative insertion) in a savepoint, and the
  // upsert only when a sample is already there.
  try {
    await (db.isTransaction
      ? (db as Knex.Transaction).transaction((sp) => sp.raw(sql(false), bindings))
      : db.raw(sql(false), bindings));
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
    await db.raw(sql(true), bindings);
  }
}

const sql = (upsert: boolean) => `
  with w as (select done_until from metric_rollup_state where resolution = '1m' for share),
  ins as (
    insert into metric_samples (series_id, t, v)
    select * from unnest(?::bigint[], ?::bigint[], ?::float8[])
    ${upsert ? 'on conflict (series_id, t) do update set v = excluded.v' : ''}
    returning series_id, t)
  insert into metric_rollup_dirty (series_id, bucket)
  select distinct series_id, t - ((t % ${MINUTE}) + ${MINUTE}) % ${MINUTE} from ins, w where ins.t < w.done_until
  on conflict do nothing`;

/** PostgreSQL's spelling of a float8, infinities and NaN included (JSON has none of them). */
export const floatText = (x: number): number | string =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x;

export async function upsertMetadata(
  db: Knex | Knex.Transaction,
  owner: string,
  metadata: Record<string, MetricMetadata>,
): Promise<void> {
  const rows = Object.entries(metadata).map(([name, m]) => ({ owner, name, type: m.type, help: m.help, unit: m.unit }));
  if (rows.length) await db('metric_metadata').insert(rows).onConflict(['owner', 'name']).merge();
}
