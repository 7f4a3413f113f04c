// Functions of a range vector, one series' window at a time, as Prometheus 2.42 computes them (promql/functions.go):
// rate/increase/delta extrapolate to the window's edges and treat any drop of a counter as a reset.
import type { Sample } from '../types.js';

export interface Window {
  samples: Sample[];
  /** the window's edges in ms (evaluation time minus offset, minus range) */
  start: number;
  end: number;
  rangeMs: number;
  /** the evaluation time */
  t: number;
  /** the function's scalar argument, when it takes one */
  param: number;
}

/** null: no output element for this series at this step. */
export type RangeFn = (w: Window) => number | null;

function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | null {
  const ps = w.samples;
  if (ps.length < 2) return null;
  const first = ps[0]!;
  const last = ps[ps.length - 1]!;
  let result = last.v - first.v;
  if (isCounter) {
    let prev = 0;
    for (const p of ps) {
      if (p.v < prev) result += prev;
      prev = p.v;
    }
  }
  let durationToStart = (first.t - w.start) / 1000;
  const durationToEnd = (w.end - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageBetween = sampledInterval / (ps.length - 1);
  if (isCounter && result > 0 && first.v >= 0) {
    // A counter starts at zero: extrapolate no further back than the point where it would have been zero.
    const durationToZero = sampledInterval * (first.v / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let interval = sampledInterval;
  interval += durationToStart < threshold ? durationToStart : averageBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
  let factor = interval / sampledInterval;
  if (isRate) factor /= w.rangeMs / 1000;
  return result * factor;
}

function instantValue(w: Window, isRate: boolean): number | null {
  const ps = w.samples;
  if (ps.length < 2) return null;
  const last = ps[ps.length - 1]!;
  const prev = ps[ps.length - 2]!;
  const value = isRate && last.v < prev.v ? last.v : last.v - prev.v;
  const interval = last.t - prev.t;
  if (interval === 0) return null;
  return isRate ? value / (interval / 1000) : value;
}

/** Prometheus's quantile over a list of values: NaN sorts first, linear interpolation between ranks. */
export function quantileOf(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

function variance(ps: Sample[]): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (const p of ps) {
    count++;
    const delta = p.v - mean;
    mean += delta / count;
    aux += delta * (p.v - mean);
  }
  return aux / count;
}

function linearRegression(ps: Sample[], interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  const initY = ps[0]!.v;
  let constY = true;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (constY && i > 0 && p.v !== initY) constY = false;
    n++;
    const x = (p.t - interceptTime) / 1000;
    sumX += x;
    sumY += p.v;
    sumXY += x * p.v;
    sumX2 += x * x;
  }
  if (constY) return Number.isFinite(initY) ? [0, initY] : [NaN, NaN];
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

export const rangeFunctions: Record<string, RangeFn> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instantValue(w, true),
  idelta: (w) => instantValue(w, false),
  changes: ({ samples }) => {
    let changes = 0;
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!.v;
      const b = samples[i]!.v;
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) changes++;
    }
    return changes;
  },
  resets: ({ samples }) => {
    let resets = 0;
    for (let i = 1; i < samples.length; i++) if (samples[i]!.v < samples[i - 1]!.v) resets++;
    return resets;
  },
  deriv: ({ samples }) => (samples.length < 2 ? null : linearRegression(samples, samples[0]!.t)[0]),
  predict_linear: ({ samples, t, param }) => {
    if (samples.length < 2) return null;
    const [slope, intercept] = linearRegression(samples, t);
    return slope * param + intercept;
  },
  avg_over_time: ({ samples }) => {
    let mean = 0;
    let count = 0;
    for (const p of samples) {
      count++;
      if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
        if (!Number.isFinite(p.v) && !Number.isNaN(p.v) && mean > 0 === p.v > 0) continue;
        if (Number.isFinite(p.v)) continue;
      }
      // Divide each term by the count before subtracting, as Prometheus does, so large values do not overflow.
      mean += p.v / count - mean / count;
    }
    return mean;
  },
  min_over_time: ({ samples }) => {
    let min = samples[0]!.v;
    for (const p of samples) if (p.v < min || Number.isNaN(min)) min = p.v;
    return min;
  },
  max_over_time: ({ samples }) => {
    let max = samples[0]!.v;
    for (const p of samples) if (p.v > max || Number.isNaN(max)) max = p.v;
    return max;
  },
  sum_over_time: ({ samples }) => samples.reduce((sum, p) => sum + p.v, 0),
  count_over_time: ({ samples }) => samples.length,
  last_over_time: ({ samples }) => samples[samples.length - 1]!.v,
  present_over_time: () => 1,
  stdvar_over_time: ({ samples }) => variance(samples),
  stddev_over_time: ({ samples }) => Math.sqrt(variance(samples)),
  quantile_over_time: ({ samples, param }) =>
    quantileOf(
      param,
      samples.map((p) => p.v),
    ),
};
