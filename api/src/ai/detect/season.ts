// Which season a history has, from its autocorrelation at the lags a day and a week make at its step.

import type { TimedValue } from './types.js';

export type Season = 'daily' | 'weekly' | 'none';

export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** A season is accepted when its lag correlates at least this well... */
const MIN_ACF = 0.3;
/** ...and at least this much better than half its lag: a real cycle is out of phase at half a period, while a
 *  random walk or a slow trend correlates about as well at every lag and is not a season. */
const MIN_ACF_OVER_HALF = 0.2;
/** Weekly wins over daily only when its lag is clearly the better one (a plain daily cycle matches a week too). */
const WEEKLY_MARGIN = 0.05;

export interface SeasonChoice {
  season: Season;
  periodSeconds: number | null;
  /** the autocorrelation at a day's and a week's lag (null where the history is too short to say) */
  acf: { daily: number | null; weekly: number | null };
}

/** The history on its step grid: slot i holds the mean of the points in [t0 + i·step ± step/2), NaN if none. */
export function onGrid(history: TimedValue[], stepSeconds: number): { t0: number; values: Float64Array } {
  const stepMs = stepSeconds * 1000;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of history) {
    const slot = Math.round(p.t / stepMs);
    if (slot < lo) lo = slot;
    if (slot > hi) hi = slot;
  }
  const n = hi - lo + 1;
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  for (const p of history) {
    const i = Math.round(p.t / stepMs) - lo;
    sums[i] += p.v;
    counts[i]++;
  }
  for (let i = 0; i < n; i++) sums[i] = counts[i] ? sums[i] / counts[i] : NaN;
  return { t0: lo * stepMs, values: sums };
}

/** The autocorrelation at `lag` slots over the pairs where both ends are present (null when too few pairs). */
export function autocorrelation(values: Float64Array, lag: number): number | null {
  let mean = 0;
  let n = 0;
  for (const v of values) if (!Number.isNaN(v)) ((mean += v), n++);
  if (n < 2) return null;
  mean /= n;
  let variance = 0;
  for (const v of values) if (!Number.isNaN(v)) variance += (v - mean) ** 2;
  variance /= n;
  if (variance === 0) return null;
  let cov = 0;
  let pairs = 0;
  for (let i = 0; i + lag < values.length; i++) {
    const a = values[i];
    const b = values[i + lag];
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    cov += (a - mean) * (b - mean);
    pairs++;
  }
  // at least half a period of overlapping pairs, or the estimate means little
  if (pairs < Math.max(10, lag / 2)) return null;
  return cov / pairs / variance;
}

/** The season of the history: weekly, daily or none; a season needs two whole periods of history to be seen. */
export function chooseSeason(grid: Float64Array, stepSeconds: number): SeasonChoice {
  const spanSeconds = grid.length * stepSeconds;
  const measure = (periodSeconds: number): { r: number | null; accepted: boolean } => {
    const lag = Math.round(periodSeconds / stepSeconds);
    if (lag < 4 || spanSeconds < 2 * periodSeconds) return { r: null, accepted: false };
    const full = autocorrelation(grid, lag);
    const half = autocorrelation(grid, Math.round(lag / 2));
    if (full === null || half === null) return { r: full, accepted: false };
    return { r: full, accepted: full >= MIN_ACF && full - half >= MIN_ACF_OVER_HALF };
  };
  const daily = measure(DAY_SECONDS);
  const weekly = measure(WEEK_SECONDS);
  const acf = { daily: daily.r, weekly: weekly.r };
  if (weekly.accepted && (!daily.accepted || weekly.r! > daily.r! + WEEKLY_MARGIN))
    return { season: 'weekly', periodSeconds: WEEK_SECONDS, acf };
  if (daily.accepted) return { season: 'daily', periodSeconds: DAY_SECONDS, acf };
  return { season: 'none', periodSeconds: null, acf };
}
