// The isolation forest (ai/detect/forest.ts): it isolates what is isolated, it is a function of its seed, it
// survives JSON, it refuses what it cannot score, and the widened scoring only changes rows outside the data.
import { expect } from 'chai';
import { IsolationForest, averagePathLength, jointFeatures, scaleRow } from '../../../../api/src/ai/detect/index.js';

function uniform(seed: number) {
  let a = seed;
  return () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
}

/** 2,000 rows on a narrow diagonal band: x in (-2, 2), y = x ± 0.1. */
function band(seed = 1): number[][] {
  const u = uniform(seed);
  return Array.from({ length: 2000 }, () => {
    const x = u() * 4 - 2;
    return [x, x + (u() - 0.5) * 0.2];
  });
}

describe('ai/detect: the isolation forest', () => {
  it('c(n) is the average unsuccessful-search path of a binary search tree (the paper’s normaliser)', () => {
    expect(averagePathLength(1)).to.equal(0);
    expect(averagePathLength(2)).to.equal(1);
    expect(averagePathLength(256)).to.be.closeTo(10.2448, 1e-4);
  });

  it('scores ordinary rows near 0.5 and an obvious outlier near 1', () => {
    const rows = band();
    const forest = new IsolationForest({ seed: 7 }).fit(rows);
    const ordinary = rows.slice(0, 200).map((r) => forest.score(r));
    const mean = ordinary.reduce((a, b) => a + b) / ordinary.length;
    expect(mean).to.be.within(0.4, 0.55);
    expect(forest.score([40, 40])).to.be.above(0.85);
    expect(forest.score([40, 40])).to.be.below(1);
    expect(forest.score([0, 0])).to.be.below(0.55);
  });

  it('finds a row that breaks the correlation on the principal axes with widened scoring, as neither alone does', () => {
    const rows = band();
    const highest = (f: IsolationForest, rs: number[][]) => Math.max(...rs.map((r) => f.score(r)));
    // on the raw features a cut parallel to the axes cannot tell the empty corner from the band's two ends
    const raw = new IsolationForest({ seed: 7, scoring: 'classic' }).fit(rows);
    expect(raw.score([1.5, -1.5])).to.be.below(highest(raw, rows));
    // jointFeatures turns the rows onto their principal axes: the broken row is far out on the narrow one...
    const series = (k: number) => rows.map((r, i) => ({ t: i * 60_000, v: r[k] }));
    const joint = jointFeatures({ x: series(0), y: series(1) }, 60);
    const broken = scaleRow(joint.scaling, { x: 1.5, y: -1.5 });
    // ...but beyond the data a classic tree scores it like the data's own edge
    const classic = new IsolationForest({ seed: 7, scoring: 'classic' }).fit(joint.rows);
    expect(classic.score(broken)).to.be.below(highest(classic, joint.rows));
    const widened = new IsolationForest({ seed: 7 }).fit(joint.rows);
    expect(widened.score(broken)).to.be.above(highest(widened, joint.rows) + 0.1);
  });

  it('is deterministic: the same seed grows the same trees, another seed other trees', () => {
    const rows = band(3);
    const a = new IsolationForest({ seed: 11 }).fit(rows);
    const b = new IsolationForest({ seed: 11 }).fit(rows);
    const c = new IsolationForest({ seed: 12 }).fit(rows);
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    expect(JSON.stringify(a)).to.not.equal(JSON.stringify(c));
    expect(a.score([1, -1])).to.equal(b.score([1, -1]));
    expect(a.score([1, -1])).to.not.equal(c.score([1, -1]));
  });

  it('round-trips through JSON with identical scores, and refuses a forged or damaged forest', () => {
    const forest = new IsolationForest({ trees: 50, sampleSize: 128, seed: 5 }).fit(band(4));
    const back = IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest)));
    expect(back).to.include({ trees: 50, sampleSize: 128, seed: 5, scoring: 'widened' });
    for (const row of [
      [0, 0],
      [1.5, -1.5],
      [40, 40],
      [-3, 2],
    ])
      expect(back.score(row)).to.equal(forest.score(row));
    const j = forest.toJSON();
    expect(() => IsolationForest.fromJSON(null)).to.throw(TypeError, /not a serialised/);
    expect(() => IsolationForest.fromJSON({ ...j, value: j.value.slice(1) })).to.throw(TypeError, /lengths/);
    const loop = j.left.map((l, i) => (j.feature[i] >= 0 ? 0 : l)); // every inner node's left child is the root
    expect(() => IsolationForest.fromJSON({ ...j, left: loop })).to.throw(TypeError, /outside its trees/);
    expect(() => IsolationForest.fromJSON({ ...j, low: j.low.map(() => 'x') })).to.throw(TypeError);
  });

  it('widened scoring leaves rows inside every node’s range as the paper scores them', () => {
    // with the sample as large as the data every tree holds every row, so each row is inside every range on its path
    const rows = band(5).slice(0, 300);
    const classic = new IsolationForest({ seed: 9, sampleSize: 300, scoring: 'classic' }).fit(rows);
    const widened = new IsolationForest({ seed: 9, sampleSize: 300, scoring: 'widened' }).fit(rows);
    for (const r of rows.slice(0, 50)) expect(widened.score(r)).to.be.closeTo(classic.score(r), 1e-12);
    // beyond the data the classic score saturates at the edge's; the widened one keeps rising with the distance
    const edge = classic.score([2, 2]);
    expect(classic.score([20, 20])).to.be.closeTo(edge, 0.05);
    expect(widened.score([20, 20])).to.be.above(widened.score([4, 4]));
    expect(widened.score([4, 4])).to.be.above(widened.score([2, 2]));
  });

  it('fits fewer rows than its sample size, and refuses what it cannot fit or score', () => {
    const small = new IsolationForest({ seed: 1 }).fit([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(small.toJSON().samples).to.equal(4);
    expect(small.score([100, -100])).to.be.above(small.score([1.5, 1.5]));
    // identical rows: nothing to cut, every row a leaf of the root, still a score
    expect(new IsolationForest().fit([[1], [1], [1]]).score([1])).to.be.within(0, 1);
    expect(() => new IsolationForest().fit([[1]])).to.throw(RangeError, /at least 2 rows/);
    expect(() => new IsolationForest().fit([[1, 2], [3]])).to.throw(RangeError, /same number/);
    expect(() => new IsolationForest().fit([[1], [NaN]])).to.throw(RangeError, /finite/);
    expect(() => small.score([1])).to.throw(RangeError, /2 features/);
    expect(() => new IsolationForest().score([1])).to.throw(/not fitted/);
    expect(() => new IsolationForest({ trees: 0 })).to.throw(RangeError);
    expect(() => new IsolationForest({ sampleSize: 1 })).to.throw(RangeError);
  });
});
