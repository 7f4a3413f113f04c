// Seasonality found from the data: the autocorrelation at the daily and weekly lags implied by the step, after
// removing a centred moving average one candidate period wide (which takes out the trend and level shifts but
// keeps a cycle of that period), so a trend alone does not read as seasonality. A daily cycle also repeats weekly,
// so weekly is chosen over daily only when the weekly lag stays correlated after the daily profile is taken out
// and is at least as correlated as the daily lag.
import type { Seasonality } from './types.js';

/** A cycle is accepted when the autocorrelation at its lag reaches this. */
export const STRENGTH_THRESHOLD = 0.3;

/** Steps per day / per week for this step, or null when the step does not divide them into at least 2 steps. */
export function candidatePeriods(stepSeconds: number): { daily: number | null; weekly: number | null } {
  const per = (span: number) => {
    const p = span / stepSeconds;
    return Math.abs(p - Math.round(p)) < 1e-9 && Math.round(p) >= 2 ? Math.round(p) : null;
  };
  return { daily: per(86_400), weekly: per(604_800) };
}

/** Autocorrelation at `lag` of y minus its centred moving average of width `lag`. NaN when too short. */
export function detrendedAcf(y: ArrayLike<number>, lag: number): number {
  const n = y.length;
  if (lag < 2 || n < 2 * lag + 1) return NaN;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + y[i];
  // Centred window of `lag` values (for an even width, the average of the two windows around the centre).
  const half = Math.floor(lag / 2);
  const lo = half;
  const hi = n - lag + half; // the window [t-half, t-half+lag) must fit
  const r = new Float64Array(Math.max(0, hi - lo));
  for (let t = lo; t < hi; t++) {
    let ma = (prefix[t - half + lag] - prefix[t - half]) / lag;
    if (lag % 2 === 0 && t - half + 1 + lag <= n)
      ma = (ma + (prefix[t - half + 1 + lag] - prefix[t - half + 1]) / lag) / 2;
    r[t - lo] = y[t] - ma;
  }
  const len = r.length;
  if (len < lag + 2) return NaN;
  let mean = 0;
  for (let i = 0; i < len; i++) mean += r[i];
  mean /= len;
  let c0 = 0;
  let cl = 0;
  for (let i = 0; i < len; i++) c0 += (r[i] - mean) ** 2;
  for (let i = lag; i < len; i++) cl += (r[i] - mean) * (r[i - lag] - mean);
  return c0 === 0 ? 0 : cl / c0;
}

/**
 * Picks daily, weekly or none. `usable(period)` says whether the caller can fit a season that long (enough cycles
 * for the model and its backtest); an unusable candidate is reported in `method` but not chosen.
 */
export function detectSeasonality(
  y: ArrayLike<number>,
  stepSeconds: number,
  usable: (period: number) => boolean = (p) => y.length >= 2 * p,
): Seasonality {
  const { daily, weekly } = candidatePeriods(stepSeconds);
  const notes: string[] = [];
  const measure = (name: string, p: number | null) => {
    if (p === null) {
      notes.push(`${name}: the step does not divide it`);
      return NaN;
    }
    if (!usable(p)) {
      notes.push(`${name} (lag ${p}): too short, needs ${2 * p} values or more`);
      return NaN;
    }
    const a = detrendedAcf(y, p);
    notes.push(`${name} (lag ${p}) ${Number.isFinite(a) ? a.toFixed(2) : 'n/a'}`);
    return a;
  };
  const ad = measure('daily', daily);
  const aw = measure('weekly', weekly);
  let beyond = NaN; // weekly autocorrelation left once the mean daily profile is subtracted
  if (daily !== null && weekly !== null && Number.isFinite(aw)) {
    const profile = new Float64Array(daily);
    for (let t = 0; t < y.length; t++) profile[t % daily] += y[t] / Math.ceil((y.length - (t % daily)) / daily);
    const r = new Float64Array(y.length);
    for (let t = 0; t < y.length; t++) r[t] = y[t] - profile[t % daily];
    beyond = detrendedAcf(r, weekly);
    notes.push(`weekly beyond the daily profile ${beyond.toFixed(2)}`);
  }
  const how = `autocorrelation after removing a centred moving average one period wide, threshold ${STRENGTH_THRESHOLD}: ${notes.join('; ')}`;
  const dOk = Number.isFinite(ad) && ad >= STRENGTH_THRESHOLD;
  // Over a daily cycle, weekly needs both: correlation left beyond the daily profile, and a weekly lag at least as
  // correlated as the daily one (slow wanderings of a long series can leave some weekly-lag correlation alone).
  const wOk = Number.isFinite(aw) && aw >= STRENGTH_THRESHOLD && (!dOk || (beyond >= STRENGTH_THRESHOLD && aw >= ad));
  if (wOk) return { kind: 'weekly', period: weekly, strength: aw, method: how };
  if (dOk) return { kind: 'daily', period: daily, strength: ad, method: how };
  const best = Math.max(Number.isFinite(ad) ? ad : 0, Number.isFinite(aw) ? aw : 0);
  return { kind: 'none', period: null, strength: Math.max(0, best), method: how };
}
