// Statistics per step: from raw samples (exact) or from rollup rows (merged counts, sums, extremes and sketches).
// NaN samples count in no statistic; percentiles are the value of rank floor(q * (count - 1)), the sketch's rank.
import { add, emptySketch, merge, quantile, type Sketch } from './sketch.js';

export const STATS = ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'] as const;
export type Stat = (typeof STATS)[number];
const QUANTILES: Partial<Record<Stat, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/** One step's accumulated samples: exact values (raw) or a sketch (rollups). */
export interface Acc {
  count: number;
  sum: number;
  min: number;
  max: number;
  values?: number[];
  sketch?: Sketch;
}

export const newAcc = (): Acc => ({ count: 0, sum: 0, min: Infinity, max: -Infinity });

export function addSample(a: Acc, v: number): void {
  if (Number.isNaN(v)) return;
  a.count++;
  a.sum += v;
  if (v < a.min) a.min = v;
  if (v > a.max) a.max = v;
  (a.values ??= []).push(v);
}

export interface RollupRow {
  count: number;
  sum: number;
  min: number;
  max: number;
  sketch: Sketch;
}

export function addRollup(a: Acc, r: RollupRow): void {
  if (!r.count) return;
  a.count += r.count;
  a.sum += r.sum;
  if (r.min < a.min) a.min = r.min;
  if (r.max > a.max) a.max = r.max;
  a.sketch = merge(a.sketch ?? emptySketch(), r.sketch);
}

/** The exact q-quantile of the values: rank floor(q * (n - 1)) in ascending order. */
export function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function statsOf(a: Acc, wanted: readonly Stat[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const sorted = a.values && wanted.some((s) => QUANTILES[s] !== undefined) ? [...a.values].sort((x, y) => x - y) : [];
  for (const s of wanted) {
    const q = QUANTILES[s];
    if (s === 'count') out.count = a.count;
    else if (s === 'sum') out.sum = finite(a.sum);
    else if (s === 'avg') out.avg = finite(a.sum / a.count);
    else if (s === 'min') out.min = finite(a.min);
    else if (s === 'max') out.max = finite(a.max);
    else if (q !== undefined) out[s] = finite(a.values ? exactQuantile(sorted, q) : quantile(a.sketch!, q));
  }
  return out;
}

/** A sketch of raw values, for the rollup pass. */
export function sketchOf(values: number[]): Sketch {
  const s = emptySketch();
  for (const v of values) add(s, v);
  return s;
}
