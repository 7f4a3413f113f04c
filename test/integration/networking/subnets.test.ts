// Subnets: containment and overlap in their VPC, reserved addresses, IP accounting for instances, in-use deletes,
// by operation.
import { expect } from 'chai';
import { catalogue, startApp, type TestApp } from '../../support/app.js';

describe('networking: subnets', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  const vpc = async (cidr = '10.0.0.0/16') =>
    (await app.admin.post('/api/networking/vpcs').send({ name: 'net', cidr_block: cidr }).expect(202)).body;
  const subnet = (vpcId: string, cidr: string, extra: object = {}) =>
    app.admin.post(`/api/networking/vpcs/${vpcId}/subnets`).send({ name: `s-${cidr}`, cidr_block: cidr, ...extra });

  describe('createSubnet', () => {
    it('keeps subnets inside the VPC and apart from each other; 5 addresses reserved', async () => {
      const v = await vpc('10.1.0.0/16');
      const a = (await subnet(v.id, '10.1.0.0/24').expect(201)).body;
      expect(a).to.include({ vpc_id: v.id, available_ip_count: 251, availability_zone: 'us-east-1a' });
      expect(
        (await subnet(v.id, '10.1.1.0/28', { availability_zone: 'us-east-1b' }).expect(201)).body.available_ip_count,
      ).to.equal(11);
      const outside = await subnet(v.id, '10.2.0.0/24').expect(422);
      expect(outside.body.errors[0]).to.include({ pointer: '/cidr_block', code: 'CidrOutsideVpc' });
      const overlap = await subnet(v.id, '10.1.0.128/25').expect(409);
      expect(overlap.body.detail).to.contain(a.id);
      expect(overlap.body.conflicts_with).to.equal(a.id);
      const zone = await subnet(v.id, '10.1.2.0/24', { availability_zone: 'mars-1a' }).expect(422);
      expect(zone.body.errors[0].pointer).to.equal('/availability_zone');
      const mismatch = await subnet(v.id, '10.1.3.0/24', { vpc_id: 'vpc-someotherone00' }).expect(422);
      expect(mismatch.body.errors[0].pointer).to.equal('/vpc_id');
      const list = await app.admin.get(`/api/networking/vpcs/${v.id}/subnets`).expect(200);
      expect(list.body.items).to.have.length(2);
      const filtered = await app.admin.get(`/api/networking/subnets?vpc_id=${v.id}`).expect(200);
      expect(filtered.body.items).to.have.length(2);
    });
  });

  describe('updateSubnet and updateVpc', () => {
    it('makes the subnet CIDR immutable and the name editable', async () => {
      const v = await vpc('10.3.0.0/16');
      const s = (await subnet(v.id, '10.3.0.0/24').expect(201)).body;
      const r = await app.admin
        .patch(`/api/networking/subnets/${s.id}`)
        .send({ cidr_block: '10.3.1.0/24' })
        .expect(422);
      expect(r.body.code).to.equal('FieldImmutable');
      const ok = await app.admin.patch(`/api/networking/subnets/${s.id}`).send({ name: 'renamed' }).expect(200);
      expect(ok.body.name).to.equal('renamed');
      const v2 = await app.admin.patch(`/api/networking/vpcs/${v.id}`).send({ cidr_block: '10.4.0.0/16' }).expect(422);
      expect(v2.body.errors[0].pointer).to.equal('/cidr_block');
    });
  });

  describe('createInstance and deleteInstance in a subnet', () => {
    it('gives instances private IPs from the subnet and keeps available_ip_count true', async () => {
      const { flavor, image } = await catalogue(app);
      const v = await vpc('10.5.0.0/16');
      const s = (await subnet(v.id, '10.5.0.0/28').expect(201)).body;
      const ips: string[] = [];
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await app.admin
          .post('/api/compute/instances')
          .send({ name: `vm${i}`, flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
          .expect(202);
        ips.push(r.body.private_ip);
        ids.push(r.body.id);
      }
      expect(ips).to.deep.equal(['10.5.0.4', '10.5.0.5', '10.5.0.6']);
      expect((await app.admin.get(`/api/networking/subnets/${s.id}`).expect(200)).body.available_ip_count).to.equal(8);
      const blocked = await app.admin.delete(`/api/networking/subnets/${s.id}`).expect(409);
      expect(blocked.body.blocked_by.map((b: any) => b.id)).to.have.members(ids);
      await app.admin.delete(`/api/compute/instances/${ids[1]}`).expect(204);
      expect((await app.admin.get(`/api/networking/subnets/${s.id}`).expect(200)).body.available_ip_count).to.equal(9);
      const reuse = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'again', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
        .expect(202);
      expect(reuse.body.private_ip).to.equal('10.5.0.5');
      ids[1] = reuse.body.id;
      const vpcBlocked = await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(409);
      expect(vpcBlocked.body.blocked_by).to.deep.equal([{ kind: 'subnet', id: s.id }]);
      for (const id of ids) await app.admin.delete(`/api/compute/instances/${id}`).expect(204);
      await app.admin.delete(`/api/networking/subnets/${s.id}`).expect(204);
      await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(204);
      await app.admin.get(`/api/networking/vpcs/${v.id}`).expect(404);
    });
    it('reports a full subnet as a 409 on subnet_id', async () => {
      const { flavor, image } = await catalogue(app);
      const v = await vpc('10.6.0.0/16');
      const s = (await subnet(v.id, '10.6.0.0/28').expect(201)).body;
      for (let i = 0; i < 11; i++)
        await app.admin
          .post('/api/compute/instances')
          .send({ name: `f${i}`, flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
          .expect(202);
      const r = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'overflow', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
        .expect(409);
      expect(r.body.errors[0]).to.include({ pointer: '/subnet_id', code: 'SubnetFull' });
    });
  });

  describe('listVpcSubnets and createSubnet under an unknown VPC', () => {
    it('answers 404 for a subnet list of a VPC that does not exist', async () => {
      await app.admin.get('/api/networking/vpcs/vpc-doesnotexist0/subnets').expect(404);
      await subnet('vpc-doesnotexist0', '10.0.0.0/24').expect(404);
    });
  });
});
