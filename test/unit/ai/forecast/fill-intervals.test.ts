import { expect } from 'chai';
import { countFinite, fillMissing } from '../../../../api/src/ai/forecast/fill.js';
import { pointFromVariance, Z80, Z95 } from '../../../../api/src/ai/forecast/intervals.js';

describe('ai/forecast fill and intervals', () => {
  it('interpolates gaps linearly and carries the edges flat', () => {
    expect(Array.from(fillMissing([NaN, 2, NaN, NaN, 8, NaN]))).to.deep.equal([2, 2, 4, 6, 8, 8]);
    expect(countFinite([NaN, 1, Infinity, 2])).to.equal(2);
  });

  it('makes 80% and 95% Gaussian intervals from a variance', () => {
    const p = pointFromVariance(10, 4);
    expect(p.upper80 - p.mean).to.be.closeTo(2 * Z80, 1e-12);
    expect(p.mean - p.lower95).to.be.closeTo(2 * Z95, 1e-12);
    expect(Z80).to.be.closeTo(1.2816, 1e-4);
    expect(Z95).to.be.closeTo(1.96, 1e-3);
  });
});
