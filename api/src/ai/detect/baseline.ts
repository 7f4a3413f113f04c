// The single-series detector: a seasonal baseline (a robust centre per phase of the detected season, and the MAD of
// the residuals around it) fitted on history, and an O(1) robust-z score for each new point.

import { MAD_TO_SIGMA, flooredMad, mad, meanAbsDeviation, median } from './robust.js';
import { chooseSeason, onGrid, type Season } from './season.js';
import type { PointScore, Sensitivity, TimedValue } from './types.js';

/** The state of a fitted baseline; plain JSON (the engine stores it in a jsonb column). */
export interface Baseline {
  stepSeconds: number;
  /** the season's length in steps (288 for a daily season at 5 minutes), null without a season */
  period: number | null;
  season: Season;
  /** human-readable: how the centre and the spread were obtained */
  method: string;
  periodSeconds: number | null;
  phaseSeconds: number;
  /** per phase: the robust centre, and the floored MAD of the residuals */
  centre: number[];
  mad: number[];
  /** the history it was fitted on: finite points, first and last time (epoch ms) */
  points: number;
  from: number;
  to: number;
  acf: { daily: number | null; weekly: number | null };
}

export class InsufficientHistory extends Error {
  constructor(
    readonly needed: number,
    readonly have: number,
  ) {
    super(`a baseline needs at least ${needed} points of history, and ${have} were given`);
    this.name = 'InsufficientHistory';
  }
}

/** Six hours of points, and never fewer than 30. With less than two days the baseline has no season (a daily
 *  cycle then widens the spread, so the detector is less sensitive, not noisier); two weeks find a weekly one. */
export function minimumBaselinePoints(stepSeconds: number): number {
  return Math.max(30, Math.ceil((6 * 3600) / stepSeconds));
}

/**
 * The robust-z threshold of each sensitivity, chosen on the labelled fixtures (test/fixtures/anomalies) by the sweep
 * in test/unit/ai/detect/quality.test.ts: `medium` is about where the window F1 over spikes, level shifts and
 * seasonality breaks peaks; `high` trades precision for recall and `low` the reverse.
 */
export const THRESHOLDS: Record<Sensitivity, number> = { low: 6, medium: 4.5, high: 3.5 };

/** Phases are at least 5 minutes long in a daily season and 15 in a weekly one (or one step, if longer). */
const MIN_PHASE_SECONDS = { daily: 300, weekly: 900 };
/** The centre of a phase is the median over the phases within ±10 minutes in a daily season, ±15 in a weekly one
 *  (a smooth cycle is locally linear, so the pool adds samples without bias). */
const CENTRE_POOL_SECONDS = { none: 0, daily: 600, weekly: 900 };
/** The spread of a phase is the MAD over the phases within ±30 minutes (at least one phase each side)... */
const MAD_POOL_SECONDS = 1800;
/** ...shrunk toward the whole history's MAD as if that were this many more residuals (a few residuals can be
 *  close together by chance, and an underestimated spread is a stream of false alarms). */
const MAD_SHRINK_POINTS = 30;

export function fitBaseline(history: TimedValue[], stepSeconds: number): Baseline {
  if (!(stepSeconds > 0 && Number.isFinite(stepSeconds))) throw new RangeError('stepSeconds must be a positive number');
  const finite = history.filter((p) => Number.isFinite(p.v) && Number.isFinite(p.t));
  const needed = minimumBaselinePoints(stepSeconds);
  if (finite.length < needed) throw new InsufficientHistory(needed, finite.length);

  const grid = onGrid(finite, stepSeconds);
  const choice = chooseSeason(winsorised(grid.values), stepSeconds);
  const periodSeconds = choice.periodSeconds;
  const phaseSeconds = choice.season === 'none' ? stepSeconds : Math.max(stepSeconds, MIN_PHASE_SECONDS[choice.season]);
  const phases = periodSeconds === null ? 1 : Math.max(1, Math.floor(periodSeconds / phaseSeconds));
  const phaseOf = phaseFunction(periodSeconds, phases);

  const byPhase: number[][] = Array.from({ length: phases }, () => []);
  for (const p of finite) byPhase[phaseOf(p.t)].push(p.v);
  const centreRadius = radius(CENTRE_POOL_SECONDS[choice.season], phaseSeconds, 0);
  const centre = fillEmpty(pooled(byPhase, centreRadius, median));
  const centreCounts = pooled(byPhase, centreRadius, (vs) => vs.length);

  const residualsByPhase: number[][] = byPhase.map((vs, i) => vs.map((v) => v - centre[i]));
  const all = residualsByPhase.flat();
  const globalMad = mad(all, 0);
  const meanAd = meanAbsDeviation(all, 0);
  const typical = median(finite.map((p) => Math.abs(p.v)));
  const spread = pooled(residualsByPhase, phases === 1 ? 0 : radius(MAD_POOL_SECONDS, phaseSeconds, 1), (rs) => {
    const m = mad(rs, 0);
    return Math.sqrt((rs.length * m * m + MAD_SHRINK_POINTS * globalMad ** 2) / (rs.length + MAD_SHRINK_POINTS));
  }).map((m, i) => flooredMad((Number.isNaN(m) ? globalMad : m) * outOfSample(centreCounts[i]), meanAd, typical));

  const days = (grid.values.length * stepSeconds) / 86_400;
  const acfText = choice.acf[choice.season as 'daily' | 'weekly'];
  const method =
    choice.season === 'none'
      ? `median of ${finite.length} points over ${days.toFixed(1)} days (no daily or weekly season found); MAD of residuals`
      : `median per ${minutes(phaseSeconds)} phase of a ${choice.season} season over ${days.toFixed(1)} days ` +
        `(autocorrelation ${acfText!.toFixed(2)} at one period); MAD of residuals within ±${minutes(MAD_POOL_SECONDS)}, ` +
        `shrunk toward the overall MAD`;
  return {
    stepSeconds,
    period: periodSeconds === null ? null : Math.round(periodSeconds / stepSeconds),
    season: choice.season,
    method,
    periodSeconds,
    phaseSeconds,
    centre,
    mad: spread,
    points: finite.length,
    from: finite.reduce((m, p) => Math.min(m, p.t), Infinity),
    to: finite.reduce((m, p) => Math.max(m, p.t), -Infinity),
    acf: choice.acf,
  };
}

/** O(1) and allocation-light (one result object): a phase lookup, a subtraction, a division. A value that is not a
 *  number scores NaN and is not anomalous (it is a missing point, not an incident). */
export function scorePoint(b: Baseline, p: TimedValue, threshold: number): PointScore {
  let phase = 0;
  if (b.periodSeconds !== null) {
    const periodMs = b.periodSeconds * 1000;
    const into = ((p.t % periodMs) + periodMs) % periodMs;
    phase = Math.min(b.centre.length - 1, Math.floor((into * b.centre.length) / periodMs));
  }
  const expected = b.centre[phase];
  const sigma = MAD_TO_SIGMA * b.mad[phase];
  const score = Math.abs(p.v - expected) / sigma;
  return {
    t: p.t,
    value: p.v,
    expected,
    low: expected - threshold * sigma,
    high: expected + threshold * sigma,
    score,
    anomalous: score > threshold,
  };
}

/**
 * The residuals of the history were taken from centres fitted on those very points, so they are tighter than those
 * of new points, which also carry the centre's own error (a median of n has variance about π/2 · σ²/n). This factor
 * turns the in-sample spread into the expected out-of-sample one: 1.04 for 35 points a phase, 1.26 for 6.
 */
function outOfSample(n: number): number {
  return n > 1 ? Math.sqrt((1 + Math.PI / 2 / n) / (1 - 1 / n)) : 1.5;
}

/** Values clipped to the median ± 5 robust deviations: the autocorrelation is a sum of products, and one spike of
 *  100 deviations in a history otherwise outweighs a whole week of cycle. */
function winsorised(values: Float64Array): Float64Array {
  const c = median(values);
  const width =
    5 *
    MAD_TO_SIGMA *
    mad(
      values.filter((v) => !Number.isNaN(v)),
      c,
    );
  if (!(width > 0)) return values;
  return values.map((v) => (Number.isNaN(v) ? v : Math.min(c + width, Math.max(c - width, v))));
}

function phaseFunction(periodSeconds: number | null, phases: number): (t: number) => number {
  if (periodSeconds === null) return () => 0;
  const periodMs = periodSeconds * 1000;
  return (t) => Math.min(phases - 1, Math.floor(((((t % periodMs) + periodMs) % periodMs) * phases) / periodMs));
}

const radius = (poolSeconds: number, phaseSeconds: number, atLeast: number) =>
  Math.max(atLeast, Math.floor(poolSeconds / phaseSeconds));

/** f over the values of each phase and its neighbours within ±r phases (the season wraps round); NaN if none. */
function pooled(byPhase: number[][], r: number, f: (values: number[]) => number): number[] {
  const n = byPhase.length;
  return byPhase.map((_, i) => {
    const values: number[] = [];
    for (let d = -Math.min(r, n >> 1); d <= Math.min(r, (n - 1) >> 1); d++) values.push(...byPhase[(i + d + n) % n]);
    return values.length ? f(values) : NaN;
  });
}

/** A phase with no history at all takes the nearest phase's value (history with a gap longer than the pool). */
function fillEmpty(xs: number[]): number[] {
  const n = xs.length;
  return xs.map((x, i) => {
    for (let d = 0; Number.isNaN(x) && d < n; d++)
      x = !Number.isNaN(xs[(i + d) % n]) ? xs[(i + d) % n] : xs[(i - d + n) % n];
    return x;
  });
}

const minutes = (s: number) => (s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`);
