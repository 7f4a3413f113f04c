import { expect } from 'chai';
import { seasonalNaiveForecast, seasonalNaiveScale } from '../../../../api/src/ai/forecast/seasonal-naive.js';

describe('ai/forecast seasonal naive', () => {
  const y = [1, 2, 3, 2, 3, 4, 3, 4, 6];

  it('repeats the last season', () => {
    expect(Array.from(seasonalNaiveForecast(y, 3, 7).mean)).to.deep.equal([3, 4, 6, 3, 4, 6, 3]);
    expect(Array.from(seasonalNaiveForecast(y, 1, 2).mean)).to.deep.equal([6, 6]);
  });

  it('grows the variance by one residual variance per season ahead (sd by sqrt(k))', () => {
    // residuals y_t - y_{t-3}: 1,1,1,1,1,2 -> mean square 9/6
    const f = seasonalNaiveForecast(y, 3, 7);
    expect(f.sigma2).to.equal(1.5);
    expect(Array.from(f.variance)).to.deep.equal([1.5, 1.5, 1.5, 3, 3, 3, 4.5]);
  });

  it('scales MASE by the in-sample seasonal naive MAE', () => {
    expect(seasonalNaiveScale(y, 3)).to.equal(7 / 6);
    expect(seasonalNaiveScale(y, 1)).to.equal((1 + 1 + 1 + 1 + 1 + 1 + 1 + 2) / 8);
  });
});
