// Joint features (ai/detect/features.ts, whiten.ts): series aligned on the step grid, standardised by median and
// MAD, turned onto their principal axes; the training scaling reused for new rows.
import { expect } from 'chai';
import {
  InsufficientHistory,
  jointFeatures,
  minimumFeatureRows,
  scaleRow,
  type TimedValue,
} from '../../../../api/src/ai/detect/index.js';
import { symmetricEigen } from '../../../../api/src/ai/detect/whiten.js';

const STEP = 60;
const at = (i: number) => i * STEP * 1000;

function normal(seed: number) {
  let a = seed;
  const u = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** CPU in percent and network in bytes/s, driven by one load; memory on its own. */
function resource(n: number, seed = 1) {
  const g = normal(seed);
  const cpu: TimedValue[] = [];
  const network: TimedValue[] = [];
  const memory: TimedValue[] = [];
  for (let i = 0; i < n; i++) {
    const load = 0.5 + 0.2 * g();
    cpu.push({ t: at(i), v: 70 * load + g() });
    network.push({ t: at(i), v: 5e6 * load + 5e4 * g() });
    memory.push({ t: at(i), v: 40 + 3 * g() });
  }
  return { cpu, network, memory };
}

const covariance = (rows: number[][]) =>
  rows[0].map((_, i) => rows[0].map((__, j) => rows.reduce((s, r) => s + r[i] * r[j], 0) / (rows.length - 1)));

describe('ai/detect: joint features', () => {
  it('aligns the series on the step grid: points round to the nearest step, slots missing a series are dropped', () => {
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const a = range(0, 389).map((i) => ({ t: at(i) + 20_000, v: i })); // 20 s late: still the same slots
    const b = range(2, 399).map((i) => ({ t: at(i), v: 10 * i + (i % 3) }));
    const c = range(0, 399).map((i) => ({ t: at(i), v: i % 2 }));
    const f = jointFeatures({ b, a, c }, STEP);
    expect(f.t).to.deep.equal(range(2, 389).map(at));
    expect(f.scaling.names).to.deep.equal(['a', 'b', 'c']); // sorted, so the column order is stable
    expect(f.rows).to.have.length(388);
    // several points in one slot are averaged; NaN and Infinity are missing
    const twice = [
      { t: at(1), v: 1 },
      { t: at(1) + 10_000, v: 3 },
      { t: at(2), v: NaN },
    ];
    const g = jointFeatures({ x: [...twice, ...range(3, 400).map((i) => ({ t: at(i), v: i }))] }, STEP);
    expect(g.t).to.deep.equal([1, ...range(3, 400)].map(at));
    expect(g.rows[0]).to.deep.equal(scaleRow(g.scaling, { x: 2 })); // the mean of 1 and 3
  });

  it('standardises each series by its median and floored MAD, so bytes weigh no more than percent', () => {
    const f = jointFeatures(resource(3000), STEP);
    const [cpu, memory, network] = [0, 1, 2].map((i) => f.scaling.centre[i]);
    expect(cpu).to.be.closeTo(35, 1);
    expect(memory).to.be.closeTo(40, 0.5);
    expect(network).to.be.closeTo(2.5e6, 5e4);
    // scale = 1.4826 MAD ≈ σ: CPU's σ is √(14² + 1), network's 1e6 and a bit
    expect(f.scaling.scale[0]).to.be.closeTo(14, 1);
    expect(f.scaling.scale[2]).to.be.closeTo(1e6, 7e4);
  });

  it('turns rows onto their principal axes: the training rows are uncorrelated with unit spread', () => {
    const f = jointFeatures(resource(3000), STEP);
    const cov = covariance(f.rows);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) if (i !== j) expect(cov[i][j], `cov[${i}][${j}]`).to.be.closeTo(0, 0.05);
    expect(cov[0][0]).to.be.closeTo(1, 0.08);
    expect(cov[1][1]).to.be.closeTo(1, 0.08);
    // the last axis (CPU against network, only noise) has under 1% of the first's variance: its spread is floored
    // at 10% of the first's deviation, so it shows below 1, not blown up
    expect(f.scaling.spread[2]).to.be.closeTo(0.1 * f.scaling.spread[0], 1e-12);
    expect(cov[2][2]).to.be.within(0.05, 1);
    // the first axis is the shared load: CPU and network together, memory apart
    const [first] = f.scaling.axes;
    expect(Math.abs(first[0])).to.be.closeTo(Math.SQRT1_2, 0.05);
    expect(Math.abs(first[2])).to.be.closeTo(Math.SQRT1_2, 0.05);
    expect(Math.abs(first[1])).to.be.below(0.1);
  });

  it('reuses the training scaling for new rows: jointFeatures with it and scaleRow agree', () => {
    const train = jointFeatures(resource(2000, 1), STEP);
    const fresh = resource(50, 2);
    const again = jointFeatures(fresh, STEP, train.scaling);
    expect(again.scaling).to.equal(train.scaling);
    const values = { cpu: fresh.cpu[7].v, memory: fresh.memory[7].v, network: fresh.network[7].v };
    expect(scaleRow(train.scaling, values)).to.deep.equal(again.rows[7]);
    expect(JSON.parse(JSON.stringify(train.scaling))).to.deep.equal(train.scaling);
  });

  it('keeps a constant or perfectly collinear feature finite (the MAD floor and the component floor)', () => {
    const { cpu } = resource(500);
    const flat = cpu.map((p) => ({ t: p.t, v: 7 }));
    const twin = cpu.map((p) => ({ t: p.t, v: 2 * p.v }));
    const f = jointFeatures({ cpu, flat, twin }, STEP);
    expect(f.rows.flat().every(Number.isFinite)).to.equal(true);
    expect(f.scaling.spread.every((s) => s > 0)).to.equal(true);
  });

  it('refuses what it cannot build: no series, a missing one, too few aligned rows, a bad step', () => {
    const r = resource(100);
    expect(() => jointFeatures({}, STEP)).to.throw(RangeError, /at least one series/);
    const train = jointFeatures(resource(400), STEP);
    expect(() => jointFeatures({ cpu: r.cpu }, STEP, train.scaling)).to.throw(RangeError, /memory, network/);
    // training needs six hours of aligned rows (360 at a minute), as a baseline does
    expect(minimumFeatureRows(60, 4)).to.equal(360);
    expect(minimumFeatureRows(3600, 20)).to.equal(42);
    try {
      jointFeatures({ a: r.cpu, b: r.memory }, STEP);
      expect.fail('trained on 100 rows');
    } catch (e) {
      expect(e).to.be.instanceOf(InsufficientHistory);
      expect(e).to.include({ needed: 360, have: 100 });
    }
    // new rows with a training scaling: any number, even none
    expect(jointFeatures({ cpu: [], memory: [], network: [] }, STEP, train.scaling).rows).to.deep.equal([]);
    expect(() => jointFeatures(r, -1)).to.throw(RangeError, /stepSeconds/);
  });

  it('symmetricEigen: eigenpairs of a symmetric matrix', () => {
    const m = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const { values, vectors } = symmetricEigen(m);
    values.forEach((l, k) => {
      const v = vectors[k];
      const mv = m.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      mv.forEach((x, i) => expect(x).to.be.closeTo(l * v[i], 1e-9));
    });
    expect(values.reduce((a, b) => a + b)).to.be.closeTo(9, 1e-9);
  });
});
