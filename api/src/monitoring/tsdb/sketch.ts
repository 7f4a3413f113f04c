// A mergeable quantile sketch in the manner of DDSketch (Masson, Rim, Lee, VLDB 2019): values go into logarithmic
// buckets of ratio gamma = (1 + a) / (1 - a), so any quantile read back is within a relative error a = 1% of a
// value of the true rank; sketches of different buckets (minutes into an hour) merge by adding counts, which is what
// lets the 1-minute and 1-hour rollups answer p50/p95/p99 honestly. Stored as JSON: {p, n, z} (positive and negative
// bucket counts by index, and zeros).

/** The relative accuracy the sketch guarantees for every quantile (documented in the README). */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Magnitudes below this count as zero (their relative error would be meaningless and their index unbounded). */
const MIN_MAGNITUDE = 1e-9;

export interface Sketch {
  /** positive values: bucket index -> count */
  p: Record<string, number>;
  /** negative values by the index of their magnitude */
  n: Record<string, number>;
  /** values of magnitude below MIN_MAGNITUDE */
  z: number;
}

export const emptySketch = (): Sketch => ({ p: {}, n: {}, z: 0 });

const indexOf = (magnitude: number) => Math.ceil(Math.log(magnitude) / LOG_GAMMA);
/** The value a bucket stands for: the point whose relative distance to both its bounds is a. */
const valueOf = (index: number) => (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);

/** Adds a value; non-finite ones are left out (no bucket holds them; min, max and sum still see them). */
export function add(s: Sketch, v: number): void {
  if (!Number.isFinite(v)) return;
  const m = Math.abs(v);
  if (m < MIN_MAGNITUDE) {
    s.z++;
    return;
  }
  const store = v > 0 ? s.p : s.n;
  const i = indexOf(m);
  store[i] = (store[i] ?? 0) + 1;
}

/** Adds `b`'s counts into `a`. */
export function merge(a: Sketch, b: Sketch): Sketch {
  for (const side of ['p', 'n'] as const)
    for (const [i, c] of Object.entries(b[side])) a[side][i] = (a[side][i] ?? 0) + c;
  a.z += b.z;
  return a;
}

export const sizeOf = (s: Sketch) =>
  s.z + Object.values(s.p).reduce((x, y) => x + y, 0) + Object.values(s.n).reduce((x, y) => x + y, 0);

/**
 * The q-quantile (0 <= q <= 1) of the values added: the value of rank floor(q * (count - 1)) in ascending order, to
 * within the relative accuracy; NaN for an empty sketch.
 */
export function quantile(s: Sketch, q: number): number {
  const count = sizeOf(s);
  if (count === 0) return NaN;
  const rank = Math.floor(q * (count - 1));
  // Ascending: the most negative values (largest magnitude index) first, then zeros, then positives.
  const neg = Object.entries(s.n)
    .map(([i, c]) => [Number(i), c] as const)
    .sort((x, y) => y[0] - x[0]);
  let seen = 0;
  for (const [i, c] of neg) {
    seen += c;
    if (seen > rank) return -valueOf(i);
  }
  seen += s.z;
  if (seen > rank) return 0;
  const pos = Object.entries(s.p)
    .map(([i, c]) => [Number(i), c] as const)
    .sort((x, y) => x[0] - y[0]);
  for (const [i, c] of pos) {
    seen += c;
    if (seen > rank) return valueOf(i);
  }
  return valueOf(pos[pos.length - 1]![0]);
}
