import { expect } from 'chai';
import { problems, problemType, renderProblem } from '../../../api/src/platform/problems.js';

describe('problem rendering (RFC 9457)', () => {
  it('renders type, title, status, detail, instance, code, request id and field errors', () => {
    const body = renderProblem(problems.fieldImmutable('cidr_block'), 'req-1', '/api/networking/subnets/subnet-x');
    expect(body).to.deep.equal({
      type: 'https://atonixcorp.com/problems/field-immutable',
      title: 'A field may not be changed',
      status: 422,
      detail: 'cidr_block is immutable; create a new resource instead.',
      instance: '/api/networking/subnets/subnet-x',
      code: 'FieldImmutable',
      request_id: 'req-1',
      errors: [{ pointer: '/cidr_block', detail: 'is immutable', code: 'FieldImmutable' }],
    });
  });

  it('keeps extension members and omits empty errors', () => {
    const body = renderProblem(problems.inUse('vpc', 'vpc-1', [{ kind: 'subnet', id: 'subnet-1' }]), undefined, '/x');
    expect(body).to.include({ status: 409, code: 'ResourceInUse' });
    expect(body.blocked_by).to.deep.equal([{ kind: 'subnet', id: 'subnet-1' }]);
    expect(body).to.not.have.property('errors');
    expect(body).to.not.have.property('request_id');
  });

  it('never puts internals in a 500', () => {
    const body = renderProblem(problems.internal(), 'req-2', '/x');
    expect(JSON.stringify(body)).to.not.match(/stack|Error:|at /);
    expect(problemType('InternalError')).to.equal('https://atonixcorp.com/problems/internal-error');
  });

  it('carries Retry-After on 429 and Allow on 405', () => {
    expect(problems.rateLimited(3).headers).to.deep.equal({ 'Retry-After': '3' });
    expect(problems.methodNotAllowed('PUT', '/x', ['GET', 'POST']).headers).to.deep.equal({ Allow: 'GET, POST' });
  });
});
