// Selectors: each one's samples fetched once for the whole query, then read per step with Prometheus 2.42's windows
// (an instant selector takes the newest sample in [t - 5m, t]; a range selector every sample in [t - range, t]).
import type { Scope, SampleSource, SeriesData, Sample } from '../types.js';
import type { Expr, MatrixSelector, VectorSelector } from './ast.js';
import type { VSample } from './values.js';

export const LOOKBACK_MS = 5 * 60_000;

/** Every selector in the tree, range selectors with their range. */
function collect(e: Expr, out: { vs: VectorSelector; rangeMs: number }[]): void {
  switch (e.kind) {
    case 'vector':
      out.push({ vs: e, rangeMs: 0 });
      return;
    case 'matrix':
      out.push({ vs: e.vector, rangeMs: e.rangeMs });
      return;
    case 'call':
      e.args.forEach((a) => collect(a, out));
      return;
    case 'aggregate':
      if (e.param) collect(e.param, out);
      collect(e.expr, out);
      return;
    case 'binary':
      collect(e.lhs, out);
      collect(e.rhs, out);
      return;
    case 'unary':
    case 'paren':
      collect(e.expr, out);
      return;
    default:
      return;
  }
}

/** The samples of every selector over [startMs, endMs] of evaluation times, keyed by the selector's id. */
export async function fetchSelectors(
  source: SampleSource,
  scope: Scope,
  expr: Expr,
  startMs: number,
  endMs: number,
): Promise<Map<number, SeriesData[]>> {
  const found: { vs: VectorSelector; rangeMs: number }[] = [];
  collect(expr, found);
  const data = new Map<number, SeriesData[]>();
  await Promise.all(
    found.map(async ({ vs, rangeMs }) => {
      const window = rangeMs || LOOKBACK_MS;
      const series = await source.select(scope, vs.matchers, startMs - vs.offsetMs - window, endMs - vs.offsetMs);
      data.set(vs.id, series);
    }),
  );
  return data;
}

/** Index of the first sample with t >= ms. */
function lowerBound(samples: Sample[], ms: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.t < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index past the last sample with t <= ms. */
function upperBound(samples: Sample[], ms: number): number {
  let lo = 0;
  let hi = samples.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (samples[mid]!.t <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function instantAt(vs: VectorSelector, series: SeriesData[], t: number): VSample[] {
  const ref = t - vs.offsetMs;
  const out: VSample[] = [];
  for (const s of series) {
    const i = upperBound(s.samples, ref) - 1;
    if (i < 0) continue;
    const sample = s.samples[i]!;
    if (sample.t < ref - LOOKBACK_MS) continue;
    out.push({ labels: s.labels, v: sample.v });
  }
  return out;
}

/** The samples of each series inside the range ending at t (series with none are left out). */
export function rangeAt(ms: MatrixSelector, series: SeriesData[], t: number): SeriesData[] {
  const end = t - ms.vector.offsetMs;
  const start = end - ms.rangeMs;
  const out: SeriesData[] = [];
  for (const s of series) {
    const from = lowerBound(s.samples, start);
    const to = upperBound(s.samples, end);
    if (to > from) out.push({ labels: s.labels, samples: s.samples.slice(from, to) });
  }
  return out;
}
