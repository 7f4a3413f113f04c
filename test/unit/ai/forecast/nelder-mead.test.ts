import { expect } from 'chai';
import { nelderMead } from '../../../../api/src/ai/forecast/nelder-mead.js';

describe('ai/forecast nelder-mead', () => {
  it('finds the Rosenbrock minimum at (1, 1)', () => {
    const r = nelderMead(([x, y]) => 100 * (y - x * x) ** 2 + (1 - x) ** 2, [-1.2, 1], { maxEvals: 2000, tol: 1e-14 });
    expect(r.x[0]).to.be.closeTo(1, 1e-3);
    expect(r.x[1]).to.be.closeTo(1, 1e-3);
  });

  it('stops at maxEvals and treats non-finite values as worse than any number', () => {
    let calls = 0;
    const r = nelderMead(
      ([x]) => {
        calls++;
        return x < 0 ? NaN : (x - 3) ** 2;
      },
      [1],
      { maxEvals: 25 },
    );
    expect(calls).to.be.at.most(27); // the last iteration may finish its shrink
    expect(r.x[0]).to.be.greaterThan(0);
  });
});
