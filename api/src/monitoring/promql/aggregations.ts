// Aggregation operators over one step's vector, grouped by/without labels, with Prometheus 2.42's arithmetic
// (running means, Welford's variance, NaN rules of min/max, topk/bottomk keeping whole label sets).
import type { Labels } from '../types.js';
import { badData } from './errors.js';
import { formatGoFloat } from './literals.js';
import { labelsKey, pick } from './labels.js';
import { quantileOf } from './range-functions.js';
import type { VSample } from './values.js';

interface Group {
  labels: Labels;
  members: VSample[];
}

function groups(vec: VSample[], grouping: string[], without: boolean): Group[] {
  const byKey = new Map<string, Group>();
  for (const s of vec) {
    const labels = pick(s.labels, grouping, !without);
    const k = labelsKey(labels);
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = { labels, members: [] }));
    g.members.push(s);
  }
  return [...byKey.values()];
}

function mean(vs: VSample[]): number {
  let m = vs[0]!.v;
  for (let i = 1; i < vs.length; i++) {
    const v = vs[i]!.v;
    const n = i + 1;
    if (!Number.isFinite(m) && !Number.isNaN(m)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && m > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    m += v / n - m / n;
  }
  return m;
}

function variance(vs: VSample[]): number {
  let m = 0;
  let aux = 0;
  vs.forEach((s, i) => {
    const delta = s.v - m;
    m += delta / (i + 1);
    aux += delta * (s.v - m);
  });
  return aux / vs.length;
}

const simple: Record<string, (vs: VSample[]) => number> = {
  sum: (vs) => vs.reduce((a, s) => a + s.v, 0),
  avg: mean,
  count: (vs) => vs.length,
  group: () => 1,
  min: (vs) => vs.reduce((a, s) => (a > s.v || Number.isNaN(a) ? s.v : a), vs[0]!.v),
  max: (vs) => vs.reduce((a, s) => (a < s.v || Number.isNaN(a) ? s.v : a), vs[0]!.v),
  stdvar: variance,
  stddev: (vs) => Math.sqrt(variance(vs)),
};

/** Orders by value with NaN counting as the smallest, as Prometheus's value heaps do. */
const ascending = (a: VSample, b: VSample): number =>
  Number.isNaN(a.v) ? (Number.isNaN(b.v) ? 0 : -1) : Number.isNaN(b.v) ? 1 : a.v - b.v;

export function aggregate(
  op: string,
  vec: VSample[],
  grouping: string[],
  without: boolean,
  param: number | string | null,
): VSample[] {
  if (op === 'topk' || op === 'bottomk') {
    const k = Math.floor(param as number);
    if (!(k >= 1)) return [];
    const out: VSample[] = [];
    for (const g of groups(vec, grouping, without)) {
      const sorted = [...g.members].sort(ascending);
      // topk's heap pushes NaN out first, so NaN is the least for both orders.
      const pickFrom =
        op === 'topk' ? sorted.reverse().filter((s) => !Number.isNaN(s.v)) : sorted.filter((s) => !Number.isNaN(s.v));
      const nans = sorted.filter((s) => Number.isNaN(s.v));
      out.push(...[...pickFrom, ...nans].slice(0, k));
    }
    return out;
  }
  if (op === 'count_values') {
    const label = param as string;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) throw badData(`invalid label name ${JSON.stringify(label)}`);
    const counts = new Map<string, VSample>();
    for (const s of vec) {
      const labels = { ...pick(s.labels, grouping, !without), [label]: formatGoFloat(s.v) };
      const k = labelsKey(labels);
      const c = counts.get(k);
      if (c) c.v++;
      else counts.set(k, { labels, v: 1 });
    }
    return [...counts.values()];
  }
  if (op === 'quantile') {
    return groups(vec, grouping, without).map((g) => ({
      labels: g.labels,
      v: quantileOf(
        param as number,
        g.members.map((s) => s.v),
      ),
    }));
  }
  const fn = simple[op]!;
  return groups(vec, grouping, without).map((g) => ({ labels: g.labels, v: fn(g.members) }));
}
