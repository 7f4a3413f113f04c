import { expect } from 'chai';
import { backtest, mase, planBacktest, smape } from '../../../../api/src/ai/forecast/backtest.js';

describe('ai/forecast backtest', () => {
  it('computes sMAPE as M4 defines it: 200/h * sum |y-f| / (|y|+|f|)', () => {
    // |100-110|/(210) = 0.047619..., |50-40|/90 = 0.1111...; mean * 200
    expect(smape([100, 50], [110, 40])).to.be.closeTo(100 * (10 / 210 + 10 / 90), 1e-12);
    expect(smape([0, 1], [0, 1])).to.equal(0);
    expect(smape([1], [-1])).to.equal(200);
  });

  it('computes MASE as M4 defines it: out-of-sample MAE over the in-sample seasonal naive MAE', () => {
    const insample = [1, 2, 3, 2, 3, 4]; // lag-3 differences 1, 1, 1: scale 1
    expect(mase(insample, [5, 5], [4, 7], 3)).to.equal(1.5);
    expect(mase([0, 2, 0, 2], [1], [2], 1)).to.equal(0.5);
  });

  it('plans the origins so the last window ends at the last value', () => {
    expect(planBacktest(100, 10, 3)).to.deep.equal({ origins: [70, 80, 90], window: 10 });
  });

  it('averages over origins and hands each forecaster only the data before its origin', () => {
    const y = Array.from({ length: 20 }, (_, t) => t + 1);
    const seen: number[] = [];
    const score = backtest(y, planBacktest(20, 5, 2), 1, (o, w) => {
      seen.push(o);
      return Array.from({ length: w }, () => y[o - 1]); // naive
    });
    expect(seen).to.deep.equal([10, 15]);
    // naive on a unit-slope line: errors 1..5, MAE 3, scale 1 -> MASE 3 at both origins
    expect(score.mase).to.equal(3);
    expect(score.origins).to.equal(2);
    expect(Array.from(score.errors[1])).to.deep.equal([-1, -2, -3, -4, -5]);
  });
});
