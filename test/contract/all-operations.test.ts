// What every operation of the contract owes a caller, derived from the contract itself: a token or a 401, and a
// page size inside its bounds or a 400 naming it. A new operation gets these checks by existing.
import { expect } from 'chai';
import { loadSpec, operations } from '../../api/src/platform/operations/spec.js';
import { startApp, type TestApp } from '../support/app.js';

const ops = operations(loadSpec());
/** Any path with its parameters filled by values of a valid shape (ids of nothing). */
/** A path with a well-formed value for each parameter (a version is a number; an execution id has its pattern). */
const SAMPLE: Record<string, string> = { version: '1', execution_id: 'exe-0000' };
const pathOf = (path: string) => path.replace(/\{(\w+)\}/g, (_, k: string) => SAMPLE[k] ?? 'xyz-0000');

describe('contract: every operation', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('answers 401 with a problem to a call without a token, on every operation but the probes', async () => {
    const guarded = ops.filter((o) => !(Array.isArray(o.op.security) && o.op.security.length === 0));
    expect(guarded.length).to.be.greaterThan(40);
    for (const o of guarded) {
      const anonymous = app.as('');
      const r = await anonymous[o.method as 'get'](pathOf(o.path));
      expect(r.status, `${o.op.operationId} without a token`).to.equal(401);
      expect(r.headers['content-type'], o.op.operationId).to.match(/^application\/problem\+json/);
      expect(r.body.code, o.op.operationId).to.be.a('string');
    }
  });

  it('refuses a page size outside 1..1000 with 400 naming limit, on every list', async () => {
    const lists = ops.filter((o) => o.parameters.some((p) => p.in === 'query' && p.name === 'limit'));
    expect(lists.length).to.be.greaterThan(10);
    for (const o of lists) {
      for (const limit of ['0', '1001', 'ten']) {
        const r = await app.admin.get(`${pathOf(o.path)}?limit=${limit}`);
        expect(r.status, `${o.op.operationId} ?limit=${limit}`).to.equal(400);
        expect(r.body.errors[0].pointer, o.op.operationId).to.equal('limit');
      }
    }
  });
});
