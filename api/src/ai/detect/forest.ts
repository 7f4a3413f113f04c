// Isolation Forest (Liu, Ting and Zhou, ICDM 2008): random axis-parallel cuts isolate a row; rows that random cuts
// isolate quickly are anomalies. Seeded and deterministic; the trees live in flat typed arrays so scoring a row
// walks indices and allocates nothing.
//
// One addition to the paper, in scoring only (`scoring: 'widened'`, the default): a classic tree sends a row that
// lies beyond everything its training sample saw down the same path as the most extreme training row, so every
// row far outside the data scores about like the data's own edge (measured on our fixtures: a broken correlation
// 10 noise deviations off scored 0.66, the edge of the ordinary load 0.67). Each inner node also keeps its sample's
// range on the cut feature; a row outside that range is isolated at the node with the probability that a cut drawn
// uniformly over the range widened to include the row falls between the row and the range, and goes on down the
// tree otherwise. Where a row lies inside a node's range nothing changes (a tree's own training rows score exactly
// as in the paper).

import { seeded } from '../../platform/seeded-random.js';
import type { Sensitivity } from './types.js';

/**
 * Forest scores (0.5 ordinary, near 1 isolated) above which a row is anomalous, chosen on the multivariate
 * fixtures by the sweep in test/unit/ai/detect/quality.test.ts.
 */
export const FOREST_THRESHOLDS: Record<Sensitivity, number> = { low: 0.75, medium: 0.72, high: 0.68 };

/** The average path length of an unsuccessful search in a binary search tree of n points: c(n) of the paper. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

export type ForestScoring = 'classic' | 'widened';

interface ForestJSON {
  kind: 'isolation-forest';
  trees: number;
  sampleSize: number;
  seed: number;
  scoring: ForestScoring;
  dims: number;
  /** ψ, the rows each tree was grown from (the sample size, or fewer when the training set was smaller) */
  samples: number;
  roots: number[];
  /** per node: the cut feature (-1 for a leaf); the cut value (for a leaf: c(size), the path it still has to go);
   *  the children; the node sample's range on the cut feature */
  feature: number[];
  value: number[];
  left: number[];
  right: number[];
  low: number[];
  high: number[];
}

const NODE_ARRAYS = ['feature', 'value', 'left', 'right', 'low', 'high'] as const;

export class IsolationForest {
  readonly trees: number;
  readonly sampleSize: number;
  readonly seed: number;
  readonly scoring: ForestScoring;
  private dims = 0;
  private samples = 0;
  /** c(ψ): the normaliser of the score */
  private norm = 1;
  private roots = new Int32Array(0);
  private feature = new Int32Array(0);
  private value = new Float64Array(0);
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  private low = new Float64Array(0);
  private high = new Float64Array(0);

  constructor(opts: { trees?: number; sampleSize?: number; seed?: number; scoring?: ForestScoring } = {}) {
    this.trees = opts.trees ?? 100;
    this.sampleSize = opts.sampleSize ?? 256;
    this.seed = opts.seed ?? 1;
    this.scoring = opts.scoring ?? 'widened';
    if (!(Number.isInteger(this.trees) && this.trees > 0)) throw new RangeError('trees must be a positive integer');
    if (!(Number.isInteger(this.sampleSize) && this.sampleSize > 1))
      throw new RangeError('sampleSize must be an integer above 1');
    if (this.scoring !== 'classic' && this.scoring !== 'widened')
      throw new RangeError("scoring must be 'classic' or 'widened'");
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
    const nodes = { feature: [] as number[], value: [] as number[], left: [] as number[], right: [] as number[] };
    const ranges = { low: [] as number[], high: [] as number[] };
    const roots: number[] = [];
    const lo = new Float64Array(dims);
    const hi = new Float64Array(dims);
    const candidates = new Int32Array(dims);

    const build = (sample: number[][], depth: number): number => {
      const node = nodes.feature.length;
      (nodes.feature.push(-1), nodes.value.push(0), nodes.left.push(-1), nodes.right.push(-1));
      (ranges.low.push(0), ranges.high.push(0));
      let spread = 0;
      if (depth < heightLimit && sample.length > 1) {
        (lo.fill(Infinity), hi.fill(-Infinity));
        for (const r of sample)
          for (let d = 0; d < dims; d++) ((lo[d] = Math.min(lo[d], r[d])), (hi[d] = Math.max(hi[d], r[d])));
        for (let d = 0; d < dims; d++) if (hi[d] > lo[d]) candidates[spread++] = d;
      }
      if (spread === 0) {
        nodes.value[node] = averagePathLength(sample.length);
        return node;
      }
      // a feature among those that still vary here, a cut uniform between its extremes
      const f = candidates[Math.floor(random() * spread)];
      const cut = lo[f] + random() * (hi[f] - lo[f]);
      nodes.feature[node] = f;
      nodes.value[node] = cut;
      ranges.low[node] = lo[f];
      ranges.high[node] = hi[f];
      const below = sample.filter((r) => r[f] < cut);
      const above = sample.filter((r) => r[f] >= cut);
      nodes.left[node] = build(below, depth + 1);
      nodes.right[node] = build(above, depth + 1);
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
    this.feature = Int32Array.from(nodes.feature);
    this.value = Float64Array.from(nodes.value);
    this.left = Int32Array.from(nodes.left);
    this.right = Int32Array.from(nodes.right);
    this.low = Float64Array.from(ranges.low);
    this.high = Float64Array.from(ranges.high);
    return this;
  }

  /** s(x, ψ) = 2^(−E[h(x)] / c(ψ)), E[h] the mean over the trees of the (expected) path length. */
  score(row: ArrayLike<number>): number {
    if (!this.fitted) throw new Error('the isolation forest is not fitted');
    if (row.length !== this.dims) throw new RangeError(`a row must have ${this.dims} features, not ${row.length}`);
    const { feature, value, left, right, low, high, roots } = this;
    const widened = this.scoring === 'widened';
    let total = 0;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      let depth = 0;
      // the chance the row has not been isolated yet, and the path length it accrued where it was
      let alive = 1;
      let path = 0;
      while (feature[node] >= 0) {
        const x = row[feature[node]];
        if (widened && (x < low[node] || x > high[node])) {
          const outside = x < low[node] ? low[node] - x : x - high[node];
          const p = outside / (outside + high[node] - low[node]);
          path += alive * p * (depth + 1);
          alive *= 1 - p;
        }
        node = x < value[node] ? left[node] : right[node];
        depth++;
      }
      total += path + alive * (depth + value[node]);
    }
    return Math.pow(2, -total / roots.length / this.norm);
  }

  toJSON(): ForestJSON {
    return {
      kind: 'isolation-forest',
      trees: this.trees,
      sampleSize: this.sampleSize,
      seed: this.seed,
      scoring: this.scoring,
      dims: this.dims,
      samples: this.samples,
      roots: Array.from(this.roots),
      feature: Array.from(this.feature),
      value: Array.from(this.value),
      left: Array.from(this.left),
      right: Array.from(this.right),
      low: Array.from(this.low),
      high: Array.from(this.high),
    };
  }

  static fromJSON(j: unknown): IsolationForest {
    const o = j as Partial<ForestJSON> | null;
    const shaped =
      o?.kind === 'isolation-forest' &&
      Array.isArray(o.roots) &&
      NODE_ARRAYS.every((k) => Array.isArray(o[k]) && o[k].every(Number.isFinite)) &&
      Number.isInteger(o.dims) &&
      Number.isInteger(o.samples) &&
      o.samples! > 1;
    if (!shaped) throw new TypeError('not a serialised isolation forest');
    const n = o.feature!.length;
    if (NODE_ARRAYS.some((k) => o[k]!.length !== n))
      throw new TypeError('a serialised isolation forest has node arrays of different lengths');
    // children come after their parent, as fit lays them out, so a forged forest cannot loop
    const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
    const badNode = (f: number, i: number) =>
      f >= 0 && !(f < o.dims! && inRange(o.left![i]) && inRange(o.right![i]) && o.left![i] > i && o.right![i] > i);
    if (!o.roots!.every(inRange) || o.feature!.some(badNode))
      throw new TypeError('a serialised isolation forest has a node pointing outside its trees');
    const forest = new IsolationForest({ trees: o.trees, sampleSize: o.sampleSize, seed: o.seed, scoring: o.scoring });
    forest.dims = o.dims!;
    forest.samples = o.samples!;
    forest.norm = averagePathLength(o.samples!);
    forest.roots = Int32Array.from(o.roots!);
    forest.feature = Int32Array.from(o.feature!);
    forest.value = Float64Array.from(o.value!);
    forest.left = Int32Array.from(o.left!);
    forest.right = Int32Array.from(o.right!);
    forest.low = Float64Array.from(o.low!);
    forest.high = Float64Array.from(o.high!);
    return forest;
  }
}
