// Robust statistics the detectors share: the median, the median absolute deviation and the floor that keeps a
// constant series from dividing by zero. Fitting code only: these sort copies, scoring never calls them.

/** The median of finite values (NaN for none). Sorts a copy. */
export function median(values: ArrayLike<number>): number {
  const xs = Float64Array.from(values).filter(Number.isFinite).sort();
  const n = xs.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** The median absolute deviation from `centre`. */
export function mad(values: ArrayLike<number>, centre = median(values)): number {
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i] - centre);
  return median(dev);
}

/** The mean absolute deviation from `centre`: the fallback scale when more than half the values are equal. */
export function meanAbsDeviation(values: ArrayLike<number>, centre: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i] - centre);
    if (Number.isFinite(d)) ((sum += d), n++);
  }
  return n ? sum / n : 0;
}

/** 1 / Φ⁻¹(3/4): makes the MAD a consistent estimate of a normal distribution's standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

/** For a normal distribution, MAD ≈ 0.845 × the mean absolute deviation (0.6745σ against 0.7979σ). */
const MEAN_AD_TO_MAD = 0.6745 / 0.7979;

/**
 * The MAD floor, so a (nearly) constant series neither divides by zero nor flags every tiny wobble:
 * - when the MAD is 0 (more than half the residuals are exactly equal, as for a series that sits on one value
 *   and moves now and then) the mean absolute deviation stands in, scaled to a MAD;
 * - and never below 0.1% of the series' typical magnitude (the median |value|), nor below 1e-6 absolute, so a
 *   perfectly constant series at 512 tolerates wobbles under ~0.5 × 1.4826 × the threshold and a series of exact
 *   zeros flags any change of about 1e-5 or more.
 */
export function flooredMad(rawMad: number, meanAd: number, typicalMagnitude: number): number {
  const scale = rawMad > 0 ? rawMad : meanAd * MEAN_AD_TO_MAD;
  return Math.max(scale, 1e-3 * Math.abs(typicalMagnitude || 0), 1e-6);
}
