// VPCs: creation and its address-space rules, by operation.
import { expect } from 'chai';
import { eventually, startApp, type TestApp } from '../../support/app.js';

describe('networking: VPCs', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  const vpc = async (cidr = '10.0.0.0/16') =>
    (await app.admin.post('/api/networking/vpcs').send({ name: 'net', cidr_block: cidr }).expect(202)).body;

  describe('createVpc', () => {
    it('creates a VPC pending, and a job makes it available', async () => {
      const v = await vpc();
      expect(v).to.include({ state: 'pending', cidr_block: '10.0.0.0/16', region: 'us-east-1' });
      const ready = await eventually(async () => {
        const b = (await app.admin.get(`/api/networking/vpcs/${v.id}`).expect(200)).body;
        return b.state === 'available' && b;
      }, 'vpc available');
      expect(ready.etag).to.not.equal(v.etag);
    });
    for (const [cidr, why] of [
      ['10.0.0.0/15', /prefix length from \/16 to \/28/],
      ['10.0.0.0/29', /prefix length/],
      ['10.0.0.1/16', /network address: 10.0.0.0\/16/],
      ['10.0.0.0', /IPv4 CIDR/],
      ['300.0.0.0/16', /IPv4 CIDR/],
      ['010.0.0.0/16', /IPv4 CIDR/],
    ] as const) {
      it(`refuses cidr_block ${cidr} with a 422 naming the field`, async () => {
        const r = await app.admin.post('/api/networking/vpcs').send({ name: 'bad', cidr_block: cidr }).expect(422);
        expect(r.body.errors[0]).to.include({ pointer: '/cidr_block', code: 'InvalidCidr' });
        expect(r.body.errors[0].detail).to.match(why);
      });
    }
  });
});
