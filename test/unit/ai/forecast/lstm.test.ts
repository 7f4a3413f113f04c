import { expect } from 'chai';
import { lstmForecast, lstmOneStepResiduals, seedFrom, trainLstm } from '../../../../api/src/ai/forecast/lstm.js';
import { seeded as mulberry32 } from '../../../../api/src/platform/seeded-random.js';
import { createNet, paramCount, windowLoss } from '../../../../api/src/ai/forecast/lstm-net.js';

describe('ai/forecast lstm', () => {
  it('has the exact gradient: BPTT agrees with central finite differences (relative error < 1e-5)', () => {
    const rand = mulberry32(42);
    const net = createNet(3, 6, rand);
    for (let i = 0; i < net.params.length; i++) net.params[i] = (rand() * 2 - 1) * 0.8; // biases too
    const x = Array.from({ length: 8 }, () => rand() * 2 - 1);
    net.grad.fill(0);
    windowLoss(net, x, 1, 6, true);
    const analytic = Float64Array.from(net.grad);
    const numeric = new Float64Array(analytic.length);
    const eps = 1e-6;
    for (let i = 0; i < net.params.length; i++) {
      const keep = net.params[i];
      net.params[i] = keep + eps;
      const up = windowLoss(net, x, 1, 6, false);
      net.params[i] = keep - eps;
      const down = windowLoss(net, x, 1, 6, false);
      net.params[i] = keep;
      numeric[i] = (up - down) / (2 * eps);
    }
    expect(analytic.length).to.equal(paramCount(3));
    let diff = 0;
    let norm = 0;
    for (let i = 0; i < analytic.length; i++) {
      diff += (analytic[i] - numeric[i]) ** 2;
      norm += analytic[i] ** 2 + numeric[i] ** 2;
      const rel = Math.abs(analytic[i] - numeric[i]) / Math.max(1e-7, Math.abs(analytic[i]) + Math.abs(numeric[i]));
      expect(rel, `parameter ${i}: ${analytic[i]} vs ${numeric[i]}`).to.be.lessThan(1e-5);
    }
    expect(Math.sqrt(diff) / Math.sqrt(norm)).to.be.lessThan(1e-7);
  });

  const noisySine = (n: number, seed: number) => {
    const u = mulberry32(seed);
    return Array.from({ length: n }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / 17) + 0.1 * (u() - 0.5));
  };

  it('learns a cycle it was not told about (period 17, no de-seasonalising), well below the naive error', () => {
    const y = noisySine(600, 1);
    const model = trainLstm(y.slice(0, 500), null, 600);
    const f = lstmForecast(model, y.slice(0, 500), 10);
    let e = 0;
    let naive = 0;
    for (let h = 0; h < 10; h++) {
      e += Math.abs(f[h] - y[500 + h]);
      naive += Math.abs(y[499] - y[500 + h]);
    }
    expect(e).to.be.lessThan(naive / 3);
    const r = lstmOneStepResiduals(model, y, 500);
    expect(r.length).to.equal(100);
    expect(Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length)).to.be.lessThan(0.5);
  });

  it('is deterministic: the same input trains the same network (seeded from the data)', () => {
    const y = noisySine(300, 2);
    const a = trainLstm(y, 17, 100);
    const b = trainLstm(y, 17, 100);
    expect(a.stepsDone).to.equal(a.stepsPlanned);
    expect(Array.from(a.net.params)).to.deep.equal(Array.from(b.net.params));
    expect(seedFrom(y)).to.not.equal(seedFrom(noisySine(300, 3)));
  });

  it('plans no more than one step for a zero budget', () => {
    const y = noisySine(300, 2);
    const m = trainLstm(y, null, 0);
    expect(m.stepsDone).to.be.at.most(1);
    expect(m.cpuMs).to.be.lessThan(200);
  });
});
