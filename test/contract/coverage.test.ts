// The suite's coverage of the contract: every operation, and every status it declares, answered at least once by
// a test app during this run (recorded in test/support/app.ts). Runs last, after every other test file.
import { expect } from 'chai';
import { loadSpec, operations } from '../../api/src/platform/operations/spec.js';
import { recordedTraffic } from '../support/app.js';

const ops = operations(loadSpec());

describe('contract: coverage of the suite', () => {
  const traffic = recordedTraffic();

  before(function () {
    // Alone, this file has nothing to judge: it reads what the rest of `npm test` sent.
    if (traffic.size === 0) throw new Error('no traffic recorded: run this file after the other tests (npm test)');
  });

  it('exercises every operation of the contract', () => {
    const never = ops.map((o) => o.op.operationId as string).filter((id) => !traffic.has(id));
    expect(never, 'operations no test calls').to.deep.equal([]);
  });

  it('answers every status an operation declares at least once (a 5XX range excepted: no test should meet one)', () => {
    const missing: string[] = [];
    for (const o of ops) {
      const seen = [...(traffic.get(o.op.operationId) ?? [])];
      for (const code of Object.keys(o.op.responses ?? {})) {
        if (code === '5XX') continue;
        const met = /^\dXX$/.test(code) ? seen.some((s) => String(s)[0] === code[0]) : seen.includes(Number(code));
        if (!met) missing.push(`${o.op.operationId} ${code}`);
      }
    }
    expect(missing, 'declared statuses no test meets').to.deep.equal([]);
  });
});
