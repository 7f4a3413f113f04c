import { expect } from 'chai';
import { RouteTable } from '../../../api/src/platform/http/route-table.js';

describe('route table', () => {
  const t = new RouteTable<string>();
  t.add('get', '/api/compute/instances/{id}', 'getInstance');
  t.add('get', '/api/compute/capacity', 'getCapacity');
  t.add('get', '/api/compute/instances/capacity-report', 'report');
  t.add('post', '/api/compute/instances', 'createInstance');
  t.add('post', '/api/compute/instances/{id}/start', 'startInstance');
  t.add('post', '/api/networking/vpcs/{vpc_id}/subnets', 'createSubnet');

  it('finds the operation by method and path, with decoded parameters', () => {
    expect(t.match('GET', '/api/compute/instances/inst-abc')).to.deep.equal({
      value: 'getInstance',
      params: { id: 'inst-abc' },
    });
    expect(t.match('POST', '/api/compute/instances/i%2D1/start')).to.deep.equal({
      value: 'startInstance',
      params: { id: 'i-1' },
    });
    expect(t.match('POST', '/api/networking/vpcs/vpc-1/subnets')).to.deep.equal({
      value: 'createSubnet',
      params: { vpc_id: 'vpc-1' },
    });
  });

  it('prefers a static segment over a parameter, whatever the order they were added in', () => {
    expect(t.match('GET', '/api/compute/instances/capacity-report')?.value).to.equal('report');
  });

  it('matches like Express: trailing slash, case of static segments, HEAD as GET', () => {
    expect(t.match('POST', '/api/compute/instances/')?.value).to.equal('createInstance');
    expect(t.match('GET', '/API/Compute/Capacity')?.value).to.equal('getCapacity');
    expect(t.match('HEAD', '/api/compute/capacity')?.value).to.equal('getCapacity');
  });

  it('flags a parameter that is not valid percent-encoding', () => {
    expect(t.match('POST', '/api/compute/instances/%E0%A4%A/start')).to.deep.equal({
      value: 'startInstance',
      params: { id: '%E0%A4%A' },
      malformed: 'id',
    });
  });

  it('matches nothing for another method, another length or an empty parameter', () => {
    expect(t.match('DELETE', '/api/compute/instances')).to.equal(undefined);
    expect(t.match('GET', '/api/compute/instances/a/b/c')).to.equal(undefined);
    expect(t.match('GET', '/api/compute/instances//')).to.equal(undefined);
  });
});
