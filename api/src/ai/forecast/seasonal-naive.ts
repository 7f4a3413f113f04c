// Seasonal naive: the last season repeated (period 1 is the plain naive forecast). The reference every other
// model must beat, and MASE's scale.
import { meanSquare } from './intervals.js';

export interface NaiveForecast {
  mean: Float64Array;
  variance: Float64Array;
  sigma2: number;
}

export function seasonalNaiveForecast(y: ArrayLike<number>, period: number, horizon: number): NaiveForecast {
  const n = y.length;
  const m = Math.max(1, Math.min(period, n));
  const mean = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) mean[h] = y[n - m + (h % m)];
  // In-sample residuals y_t - y_{t-m}; the h-step error spans k = ceil(h/m) seasons, so its sd grows by sqrt(k).
  const res = new Float64Array(Math.max(0, n - m));
  for (let t = m; t < n; t++) res[t - m] = y[t] - y[t - m];
  const sigma2 = meanSquare(res);
  const variance = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) variance[h] = sigma2 * (Math.floor(h / m) + 1);
  return { mean, variance, sigma2 };
}

/** MAE of the in-sample seasonal naive forecast: MASE's denominator (M4 definition). */
export function seasonalNaiveScale(y: ArrayLike<number>, period: number): number {
  const m = Math.max(1, period);
  let s = 0;
  let k = 0;
  for (let t = m; t < y.length; t++) {
    s += Math.abs(y[t] - y[t - m]);
    k++;
  }
  return k === 0 ? NaN : s / k;
}
