// GET /api/monitoring/metrics: one metric's series as statistics per step, read from raw samples or the 1-minute or
// 1-hour rollups (the coarsest whose buckets divide the step and are rolled up over the whole range).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import type { Labels, Matcher, Scope } from '../types.js';
import type { Reader } from './reader.js';
import { CACHE_TTL_MS, type MetricsCache } from './cache.js';
import { STATS, addRollup, addSample, newAcc, statsOf, type Acc, type Stat } from './stats.js';
import { timeOf } from './points.js';
import { HOUR, MINUTE, RESOLUTIONS, watermark, type Resolution } from './rollups.js';

export const MAX_STEPS = 11_000;
/** An end this close to now makes a query "recent" (the seed's cache is for dashboards following the present). */
const RECENT_MS = 60_000;

export interface MetricQueryParams {
  name: string;
  labels?: string;
  start?: string;
  end?: string;
  step?: string;
  stat?: string;
}

interface Parsed {
  name: string;
  labels: Labels;
  start: number;
  end: number;
  step: number;
  stats: Stat[];
  endGiven: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: MINUTE, h: HOUR, d: 24 * HOUR, w: 7 * 24 * HOUR };

/** `30s`, `5m`, `1h30m`, or a number of seconds, in milliseconds (NaN when neither). */
export function durationMs(raw: string): number {
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const parts = [...raw.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== raw) return NaN;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

export function parseQuery(q: MetricQueryParams, now: number): Parsed {
  const errors: { pointer: string; detail: string; code: string }[] = [];
  const labels: Labels = {};
  for (const pair of q.labels ? q.labels.split(',') : []) {
    const m = /^([a-zA-Z_][a-zA-Z0-9_]*)=(.*)$/.exec(pair);
    if (!m) errors.push({ pointer: 'labels', detail: `"${pair}" is not name=value`, code: 'Pattern' });
    else labels[m[1]!] = m[2]!;
  }
  const end = q.end === undefined ? now : timeOf(q.end);
  if (!Number.isFinite(end)) errors.push({ pointer: 'end', detail: 'is not an RFC 3339 time or ms', code: 'Format' });
  const start = q.start === undefined ? end - HOUR : timeOf(q.start);
  if (!Number.isFinite(start))
    errors.push({ pointer: 'start', detail: 'is not an RFC 3339 time or ms', code: 'Format' });
  else if (start > end) errors.push({ pointer: 'start', detail: 'is after end', code: 'Range' });
  const step = durationMs(q.step ?? '60s');
  if (!(step >= 1000)) errors.push({ pointer: 'step', detail: 'must be a duration of at least 1s', code: 'Format' });
  else if ((end - start) / step > MAX_STEPS)
    errors.push({ pointer: 'step', detail: `makes more than ${MAX_STEPS} steps; take a longer step`, code: 'Range' });
  const stats = (q.stat ? q.stat.split(',') : [...STATS]) as Stat[];
  for (const s of stats)
    if (!STATS.includes(s))
      errors.push({ pointer: 'stat', detail: `"${s}" is not one of ${STATS.join(', ')}`, code: 'NotInEnum' });
  if (errors.length) throw problems.invalidParameter(errors);
  return { name: q.name, labels, start, end, step, stats: [...new Set(stats)], endGiven: q.end !== undefined };
}

/** The cache key of a recent query on one resource, or undefined for a query the cache does not serve. */
export function cacheKey(scope: Scope, p: Parsed, now: number): string | undefined {
  const resource = p.labels.resource_id;
  if (resource === undefined || (p.endGiven && Math.abs(now - p.end) > RECENT_MS)) return undefined;
  const duration = Math.round((p.end - p.start) / 1000);
  // Everything else that shapes the answer, so two different questions never share an entry.
  const rest = JSON.stringify([scope.owner, p.name, Object.entries(p.labels).sort(), p.step, p.stats]);
  return `metrics:${resource}:${duration}s:${createHash('sha256').update(rest).digest('base64url').slice(0, 16)}`;
}

export async function metricQuery(
  db: Knex,
  reader: Reader,
  cache: MetricsCache,
  scope: Scope,
  raw: MetricQueryParams,
  now: number,
) {
  const p = parseQuery(raw, now);
  const key = cacheKey(scope, p, now);
  if (key) {
    const hit = await cache.get(key, now);
    if (hit) return { ...(hit as object), cached: true };
  }
  const answer = await compute(db, reader, scope, p);
  if (key) await cache.set(key, answer, now);
  return { ...answer, cached: false };
}

async function compute(db: Knex, reader: Reader, scope: Scope, p: Parsed) {
  const first = Math.floor(p.start / p.step) * p.step;
  const last = Math.floor(p.end / p.step) * p.step;
  const until = last + p.step; // exclusive: the last step is whole
  const matchers: Matcher[] = [
    { name: '__name__', op: '=', value: p.name },
    ...Object.entries(p.labels).map(([name, value]): Matcher => ({ name, op: '=', value })),
  ];
  const resolution = await pick(db, p.step, until);
  const series = await reader.candidates(scope, matchers);
  const steps = new Map<number, Map<number, Acc>>(); // series id -> step -> accumulator
  const accOf = (id: number, t: number) => {
    let bySeries = steps.get(id);
    if (!bySeries) steps.set(id, (bySeries = new Map()));
    const at = Math.floor(t / p.step) * p.step;
    let a = bySeries.get(at);
    if (!a) bySeries.set(at, (a = newAcc()));
    return a;
  };
  const ids = series.map((s) => s.id);
  if (ids.length && resolution === 'raw') {
    const rows = await db.raw(
      `select series_id, t, v from metric_samples where series_id = any(?::bigint[]) and t >= ? and t < ?`,
      [ids, first, until],
    );
    for (const r of rows.rows) addSample(accOf(r.series_id, r.t), r.v);
  } else if (ids.length) {
    const rows = await db.raw(
      `select series_id, bucket, count, sum, min, max, sketch from metric_rollups_${resolution}
       where series_id = any(?::bigint[]) and bucket >= ? and bucket < ?`,
      [ids, first, until],
    );
    for (const r of rows.rows) addRollup(accOf(r.series_id, r.bucket), r);
  }
  return {
    name: p.name,
    start: new Date(first).toISOString(),
    end: new Date(last).toISOString(),
    step_seconds: p.step / 1000,
    resolution,
    stats: p.stats,
    series: series
      .filter((s) => steps.has(s.id))
      .map((s) => ({
        labels: s.labels,
        points: [...steps.get(s.id)!]
          .filter(([, a]) => a.count > 0)
          .sort((x, y) => x[0] - y[0])
          .map(([t, a]) => ({ timestamp: new Date(t).toISOString(), ...statsOf(a, p.stats) })),
      })),
  };
}

/** The coarsest resolution whose bucket divides the step and whose rollups cover everything before `until`. */
async function pick(db: Knex, step: number, until: number): Promise<Resolution | 'raw'> {
  for (const res of [...RESOLUTIONS].reverse()) {
    const width = res === '1h' ? HOUR : MINUTE;
    if (step % width === 0 && until <= (await watermark(db, res))) return res;
  }
  return 'raw';
}

export { CACHE_TTL_MS };
