// Accuracy measures exactly as the M4 competition defines them (Makridakis et al., IJF 2020; the M4-methods
// "Benchmarks and Evaluation.R"), and the rolling-origin backtest that model=auto picks by.
//   sMAPE = (2/h) * sum |y - f| / (|y| + |f|) * 100
//   MASE  = mean |y - f| / ( 1/(n-m) * sum_{t=m+1..n} |y_t - y_{t-m}| )   (in-sample seasonal naive MAE, m = period)
import { seasonalNaiveScale } from './seasonal-naive.js';

export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(forecast[i]);
    s += d === 0 ? 0 : (2 * Math.abs(actual[i] - forecast[i])) / d; // 0/0: a perfect forecast of zero
  }
  return (s / actual.length) * 100;
}

export function mase(
  insample: ArrayLike<number>,
  actual: ArrayLike<number>,
  forecast: ArrayLike<number>,
  period: number,
) {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - forecast[i]);
  const scale = seasonalNaiveScale(insample, period);
  return s / actual.length / scale;
}

export interface BacktestPlan {
  /** Start of each origin's test window (training is [0, origin)), oldest first. */
  origins: number[];
  /** Steps forecast from each origin. */
  window: number;
}

/** `count` origins, the last window ending at the last value; each window `window` steps. */
export function planBacktest(n: number, window: number, count: number): BacktestPlan {
  const origins: number[] = [];
  for (let k = count; k >= 1; k--) origins.push(n - k * window);
  return { origins, window };
}

export interface BacktestScore {
  mase: number;
  smape: number;
  origins: number;
  /** Forecast minus actual at each origin and step: errors[o][h]. */
  errors: Float64Array[];
}

/**
 * Scores `forecastFrom(origin, window)` (which must use only y[0..origin)) against the held-back values; MASE and
 * sMAPE are averaged over the origins, MASE scaled on each origin's own training data.
 */
export function backtest(
  y: ArrayLike<number>,
  plan: BacktestPlan,
  period: number,
  forecastFrom: (origin: number, window: number) => ArrayLike<number>,
): BacktestScore {
  let m = 0;
  let s = 0;
  const errors: Float64Array[] = [];
  for (const o of plan.origins) {
    const f = forecastFrom(o, plan.window);
    const actual = Array.prototype.slice.call(y, o, o + plan.window) as number[];
    const train = Array.prototype.slice.call(y, 0, o) as number[];
    m += mase(train, actual, f, period);
    s += smape(actual, f);
    const e = new Float64Array(plan.window);
    for (let h = 0; h < plan.window; h++) e[h] = f[h] - actual[h];
    errors.push(e);
  }
  const k = plan.origins.length;
  return { mase: m / k, smape: s / k, origins: k, errors };
}
