// The quantile sketch (tsdb/sketch.ts) and the step statistics (tsdb/stats.ts): every quantile within the stated
// relative accuracy of the exact value of the same rank, merging equal to sketching the union, and signs and zeros.
import { expect } from 'chai';
import {
  RELATIVE_ACCURACY,
  add,
  emptySketch,
  merge,
  quantile,
  sizeOf,
} from '../../../api/src/monitoring/tsdb/sketch.js';
import {
  addRollup,
  addSample,
  exactQuantile,
  newAcc,
  sketchOf,
  statsOf,
} from '../../../api/src/monitoring/tsdb/stats.js';

function lcg(seed: number) {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}
const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];

function expectWithin(est: number, exact: number) {
  expect(Math.abs(est - exact), `${est} vs ${exact}`).to.be.at.most(RELATIVE_ACCURACY * Math.abs(exact) + 1e-12);
}

describe('monitoring: the quantile sketch', () => {
  it('answers every quantile within 1% of the exact value of that rank, over six orders of magnitude', () => {
    const r = lcg(7);
    const vs = Array.from({ length: 5000 }, () => Math.exp(r() * 14 - 7));
    const s = sketchOf(vs);
    const sorted = [...vs].sort((a, b) => a - b);
    for (const q of QS) expectWithin(quantile(s, q), exactQuantile(sorted, q));
  });

  it('orders negative values, zeros and positive values', () => {
    const vs = [-1000, -5, -5, 0, 0, 0, 1e-12, 3, 70, 70, 900];
    const s = sketchOf(vs);
    const sorted = [...vs].sort((a, b) => a - b);
    for (const q of QS)
      expectWithin(quantile(s, q), Math.abs(exactQuantile(sorted, q)) < 1e-9 ? 0 : exactQuantile(sorted, q));
    expect(sizeOf(s)).to.equal(vs.length);
  });

  it('merges to the sketch of the union (how minutes become an hour)', () => {
    const r = lcg(3);
    const parts = Array.from({ length: 60 }, () => Array.from({ length: 20 }, () => r() * 500 - 100));
    const merged = parts.reduce((acc, p) => merge(acc, sketchOf(p)), emptySketch());
    expect(merged).to.deep.equal(sketchOf(parts.flat()));
  });

  it('leaves NaN and infinities out of the sketch, and is NaN when empty', () => {
    const s = emptySketch();
    add(s, NaN);
    add(s, Infinity);
    expect(sizeOf(s)).to.equal(0);
    expect(quantile(s, 0.5)).to.be.NaN;
  });
});

describe('monitoring: step statistics', () => {
  it('computes exact statistics from raw samples, NaN counting in none', () => {
    const a = newAcc();
    for (const v of [4, NaN, 1, 3, 2]) addSample(a, v);
    expect(statsOf(a, ['avg', 'min', 'max', 'sum', 'count', 'p50', 'p95', 'p99'])).to.deep.equal({
      avg: 2.5,
      min: 1,
      max: 4,
      sum: 10,
      count: 4,
      p50: 2,
      p95: 3,
      p99: 3,
    });
  });

  it('merges rollup rows: counts and sums add, extremes hold, empty rows are skipped', () => {
    const a = newAcc();
    addRollup(a, { count: 2, sum: 3, min: 1, max: 2, sketch: sketchOf([1, 2]) });
    addRollup(a, { count: 0, sum: 0, min: NaN, max: NaN, sketch: emptySketch() });
    addRollup(a, { count: 1, sum: 10, min: 10, max: 10, sketch: sketchOf([10]) });
    const s = statsOf(a, ['count', 'sum', 'min', 'max', 'avg', 'p99']);
    expect(s).to.include({ count: 3, sum: 13, min: 1, max: 10 });
    expect(s.avg).to.be.closeTo(13 / 3, 1e-12);
    expectWithin(s.p99!, 2);
  });

  it('answers null for a statistic that is not a finite number', () => {
    const a = newAcc();
    addSample(a, Infinity);
    expect(statsOf(a, ['max', 'sum', 'count'])).to.deep.equal({ max: null, sum: null, count: 1 });
  });
});
