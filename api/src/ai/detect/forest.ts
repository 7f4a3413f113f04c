// Isolation Forest (Liu, Ting and Zhou, ICDM 2008): random axis-parallel cuts isolate a row; rows that unusual cuts
// isolate quickly are anomalies. Seeded and deterministic; the trees live in flat typed arrays so scoring a row
// walks indices and allocates nothing.

import { seeded } from './random.js';
import type { Sensitivity } from './types.js';

/**
 * Forest scores (0.5 ordinary, near 1 isolated) at or above which a row is anomalous, chosen on the multivariate
 * fixtures by the sweep in test/unit/ai/detect/quality.test.ts.
 */
export const FOREST_THRESHOLDS: Record<Sensitivity, number> = { low: 0.72, medium: 0.66, high: 0.62 };

/** The average path length of an unsuccessful search in a binary search tree of n points: c(n) of the paper. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

interface ForestJSON {
  kind: 'isolation-forest';
  trees: number;
  sampleSize: number;
  seed: number;
  dims: number;
  /** ψ, the rows each tree was grown from (the sample size, or fewer when the training set was smaller) */
  samples: number;
  roots: number[];
  /** per node: the feature cut (-1 for a leaf), the cut value (a leaf: c(size), the path it still has to go),
   *  and the children */
  feature: number[];
  value: number[];
  left: number[];
  right: number[];
}

export class IsolationForest {
  readonly trees: number;
  readonly sampleSize: number;
  readonly seed: number;
  private dims = 0;
  private samples = 0;
  /** c(ψ) of the sample size actually used: the normaliser of the score */
  private norm = 1;
  private roots = new Int32Array(0);
  private feature = new Int32Array(0);
  private value = new Float64Array(0);
  private left = new Int32Array(0);
  private right = new Int32Array(0);

  constructor(opts: { trees?: number; sampleSize?: number; seed?: number } = {}) {
    this.trees = opts.trees ?? 100;
    this.sampleSize = opts.sampleSize ?? 256;
    this.seed = opts.seed ?? 1;
    if (!(Number.isInteger(this.trees) && this.trees > 0)) throw new RangeError('trees must be a positive integer');
    if (!(Number.isInteger(this.sampleSize) && this.sampleSize > 1))
      throw new RangeError('sampleSize must be an integer above 1');
  }

  get fitted(): boolean {
    return this.roots.length > 0;
  }

  fit(rows: number[][]): this {
    if (rows.length < 2) throw new RangeError('an isolation forest needs at least 2 rows');
    const dims = rows[0].length;
    if (dims === 0 || rows.some((r) => r.length !== dims || r.some((x) => !Number.isFinite(x))))
      throw new RangeError('every row must have the same number of finite features');
    const random = seeded(this.seed);
    const psi = Math.min(this.sampleSize, rows.length);
    const heightLimit = Math.ceil(Math.log2(psi));
    const feature: number[] = [];
    const value: number[] = [];
    const left: number[] = [];
    const right: number[] = [];
    const roots: number[] = [];
    const lo = new Float64Array(dims);
    const hi = new Float64Array(dims);
    const candidates = new Int32Array(dims);

    const build = (sample: number[][], depth: number): number => {
      const node = feature.length;
      (feature.push(-1), value.push(0), left.push(-1), right.push(-1));
      let spread = 0;
      if (depth < heightLimit && sample.length > 1) {
        (lo.fill(Infinity), hi.fill(-Infinity));
        for (const r of sample)
          for (let d = 0; d < dims; d++) ((lo[d] = Math.min(lo[d], r[d])), (hi[d] = Math.max(hi[d], r[d])));
        for (let d = 0; d < dims; d++) if (hi[d] > lo[d]) candidates[spread++] = d;
      }
      if (spread === 0) {
        value[node] = averagePathLength(sample.length);
        return node;
      }
      // a feature among those that still vary here, a cut uniform between its extremes
      const f = candidates[Math.floor(random() * spread)];
      const cut = lo[f] + random() * (hi[f] - lo[f]);
      const below = sample.filter((r) => r[f] < cut);
      const above = sample.filter((r) => r[f] >= cut);
      feature[node] = f;
      value[node] = cut;
      left[node] = build(below, depth + 1);
      right[node] = build(above, depth + 1);
      return node;
    };

    const index = rows.map((_, i) => i);
    for (let t = 0; t < this.trees; t++) {
      // a partial Fisher-Yates shuffle: ψ rows drawn without replacement
      for (let i = 0; i < psi; i++) {
        const j = i + Math.floor(random() * (index.length - i));
        [index[i], index[j]] = [index[j], index[i]];
      }
      roots.push(
        build(
          index.slice(0, psi).map((i) => rows[i]),
          0,
        ),
      );
    }
    this.dims = dims;
    this.samples = psi;
    this.norm = averagePathLength(psi);
    this.roots = Int32Array.from(roots);
    this.feature = Int32Array.from(feature);
    this.value = Float64Array.from(value);
    this.left = Int32Array.from(left);
    this.right = Int32Array.from(right);
    return this;
  }

  /** s(x, ψ) = 2^(−E[h(x)] / c(ψ)); a row of the wrong width is an error, a non-finite feature goes right. */
  score(row: ArrayLike<number>): number {
    if (!this.fitted) throw new Error('the isolation forest is not fitted');
    if (row.length !== this.dims) throw new RangeError(`a row must have ${this.dims} features, not ${row.length}`);
    const { feature, value, left, right, roots } = this;
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      let depth = 0;
      while (feature[node] >= 0) {
        node = row[feature[node]] < value[node] ? left[node] : right[node];
        depth++;
      }
      total += depth + value[node];
    }
    return Math.pow(2, -total / roots.length / this.norm);
  }

  toJSON(): ForestJSON {
    return {
      kind: 'isolation-forest',
      trees: this.trees,
      sampleSize: this.sampleSize,
      seed: this.seed,
      dims: this.dims,
      samples: this.samples,
      roots: Array.from(this.roots),
      feature: Array.from(this.feature),
      value: Array.from(this.value),
      left: Array.from(this.left),
      right: Array.from(this.right),
    };
  }

  static fromJSON(j: unknown): IsolationForest {
    const o = j as Partial<ForestJSON> | null;
    const arrays = [o?.roots, o?.feature, o?.value, o?.left, o?.right];
    if (
      o?.kind !== 'isolation-forest' ||
      !arrays.every(Array.isArray) ||
      !Number.isInteger(o.dims) ||
      !(Number.isInteger(o.samples) && o.samples! > 1)
    )
      throw new TypeError('not a serialised isolation forest');
    const n = o.feature!.length;
    if (o.value!.length !== n || o.left!.length !== n || o.right!.length !== n)
      throw new TypeError('a serialised isolation forest has node arrays of different lengths');
    const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
    // children come after their parent, as fit lays them out, so a forged forest cannot loop
    const badNode = (f: number, i: number) =>
      f >= 0 && !(f < o.dims! && inRange(o.left![i]) && inRange(o.right![i]) && o.left![i] > i && o.right![i] > i);
    if (!o.roots!.every(inRange) || o.feature!.some(badNode))
      throw new TypeError('a serialised isolation forest has a node pointing outside its trees');
    const forest = new IsolationForest({ trees: o.trees, sampleSize: o.sampleSize, seed: o.seed });
    forest.dims = o.dims!;
    forest.samples = o.samples!;
    forest.roots = Int32Array.from(o.roots!);
    forest.feature = Int32Array.from(o.feature!);
    forest.value = Float64Array.from(o.value!);
    forest.left = Int32Array.from(o.left!);
    forest.right = Int32Array.from(o.right!);
    forest.norm = averagePathLength(o.samples!);
    return forest;
  }
}
