// Gaussian prediction intervals from a forecast mean and its error variance at each horizon step.
import type { ForecastPoint } from './types.js';

/** Standard normal quantiles for the two-sided 80% and 95% intervals. */
export const Z80 = 1.2815515655446004;
export const Z95 = 1.959963984540054;

export function pointFromVariance(mean: number, variance: number): ForecastPoint {
  const sd = Math.sqrt(Math.max(0, variance));
  return {
    mean,
    lower80: mean - Z80 * sd,
    upper80: mean + Z80 * sd,
    lower95: mean - Z95 * sd,
    upper95: mean + Z95 * sd,
  };
}

export function pointsFromVariances(means: ArrayLike<number>, variances: ArrayLike<number>): ForecastPoint[] {
  const out: ForecastPoint[] = [];
  for (let h = 0; h < means.length; h++) out.push(pointFromVariance(means[h], variances[h]));
  return out;
}

/** Mean of squares of the finite entries (a residual variance around zero). */
export function meanSquare(residuals: ArrayLike<number>): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < residuals.length; i++) {
    const r = residuals[i];
    if (Number.isFinite(r)) {
      s += r * r;
      k++;
    }
  }
  return k === 0 ? 0 : s / k;
}
