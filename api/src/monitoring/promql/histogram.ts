// histogram_quantile over classic histograms (`le`-labelled bucket counters), as Prometheus 2.42's bucketQuantile:
// buckets grouped by every other label, sorted, coalesced, made monotonic, then interpolated linearly.
import type { Labels } from '../types.js';
import { dropName, labelsKey } from './labels.js';
import { parseGoNumber } from './literals.js';
import type { VSample } from './values.js';

interface Bucket {
  upper: number;
  count: number;
}

function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  if (sorted.length === 0 || sorted[sorted.length - 1]!.upper !== Infinity) return NaN;
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < buckets.length - 1 && !(buckets[b]!.count >= rank)) b++;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upper;
  if (b === 0 && buckets[0]!.upper <= 0) return buckets[0]!.upper;
  let start = 0;
  const end = buckets[b]!.upper;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upper;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

export function histogramQuantile(q: number, vec: VSample[]): VSample[] {
  const byKey = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of vec) {
    const le = s.labels.le;
    // Go's ParseFloat refuses an empty string; a sample without a (valid) `le` is no bucket and is skipped.
    const upper = le === undefined || le === '' ? null : parseGoNumber(le);
    if (upper === null) continue;
    const { le: _, ...rest } = dropName(s.labels);
    const k = labelsKey(rest);
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { labels: rest, buckets: [] }));
    g.buckets.push({ upper, count: s.v });
  }
  return [...byKey.values()].map((g) => ({ labels: g.labels, v: bucketQuantile(q, g.buckets) }));
}
