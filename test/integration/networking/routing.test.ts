// Routing: internet gateways (one per VPC), the main table and its local route, custom tables, routes and their
// targets, subnet associations, and `is_public` on subnets, by operation.
import { expect } from 'chai';
import { catalogue, startApp, type TestApp } from '../../support/app.js';

describe('networking: routing', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  let n = 40;
  const vpc = async () =>
    (
      await app.admin
        .post('/api/networking/vpcs')
        .send({ name: 'net', cidr_block: `10.${n++}.0.0/16` })
        .expect(202)
    ).body;
  const subnet = async (v: { id: string; cidr_block: string }, third: number) =>
    (
      await app.admin
        .post(`/api/networking/vpcs/${v.id}/subnets`)
        .send({ name: `s${third}`, cidr_block: v.cidr_block.replace('.0.0/16', `.${third}.0/24`) })
        .expect(201)
    ).body;
  const mainOf = async (vpcId: string) =>
    (await app.admin.get(`/api/networking/route-tables?vpc_id=${vpcId}`).expect(200)).body.items.find(
      (t: any) => t.is_main,
    );
  const gateway = async (vpcId?: string) =>
    (await app.admin.post('/api/networking/internet-gateways').send({ name: 'gw', vpc_id: vpcId }).expect(201)).body;
  const route = (tableId: string, body: object) =>
    app.admin.post(`/api/networking/route-tables/${tableId}/routes`).send(body);
  const getSubnet = async (id: string) => (await app.admin.get(`/api/networking/subnets/${id}`).expect(200)).body;

  describe('createVpc', () => {
    it('gives every VPC a main table holding the local route, deleted with the VPC only', async () => {
      const v = await vpc();
      const main = await mainOf(v.id);
      expect(main).to.include({ name: 'main', is_main: true });
      expect(main.routes).to.deep.equal([
        { destination_cidr_block: v.cidr_block, target: 'local', gateway_id: null, instance_id: null, route_id: null },
      ]);
      const refused = await app.admin.delete(`/api/networking/route-tables/${main.id}`).expect(409);
      expect(refused.body.code).to.equal('DefaultResource');
      await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(204);
      await app.admin.get(`/api/networking/route-tables/${main.id}`).expect(404);
    });
  });

  describe('createInternetGateway and updateInternetGateway', () => {
    it('attaches a gateway to one VPC at a time, moves and detaches it', async () => {
      const [a, b] = [await vpc(), await vpc()];
      const gw = await gateway(a.id);
      expect(gw.vpc_id).to.equal(a.id);
      const second = await app.admin
        .post('/api/networking/internet-gateways')
        .send({ name: 'two', vpc_id: a.id })
        .expect(409);
      expect(second.body).to.include({ conflicts_with: gw.id });
      expect(second.body.errors[0].pointer).to.equal('/vpc_id');
      const moved = await app.admin
        .patch(`/api/networking/internet-gateways/${gw.id}`)
        .send({ vpc_id: b.id })
        .expect(200);
      expect(moved.body.vpc_id).to.equal(b.id);
      const blocked = await app.admin.delete(`/api/networking/vpcs/${b.id}`).expect(409);
      expect(blocked.body.blocked_by).to.deep.equal([{ kind: 'internet_gateway', id: gw.id }]);
      const detached = await app.admin.patch(`/api/networking/internet-gateways/${gw.id}`).send({ vpc_id: null });
      expect(detached.body.vpc_id).to.equal(null);
      const unknown = await app.admin
        .patch(`/api/networking/internet-gateways/${gw.id}`)
        .send({ vpc_id: 'vpc-doesnotexist0' })
        .expect(422);
      expect(unknown.body.errors[0].pointer).to.equal('/vpc_id');
    });
  });

  describe('createRoute, updateRoute and deleteRoute', () => {
    it('routes to an attached gateway or an instance of the VPC, one route per destination', async () => {
      const { flavor, image } = await catalogue(app);
      const v = await vpc();
      const s = await subnet(v, 1);
      const main = await mainOf(v.id);
      const loose = await gateway();
      const notAttached = await route(main.id, { destination_cidr_block: '0.0.0.0/0', gateway_id: loose.id }).expect(
        422,
      );
      expect(notAttached.body.errors[0]).to.include({ pointer: '/gateway_id', code: 'GatewayNotAttached' });
      const gw = await gateway(v.id);
      const inside = await route(main.id, {
        destination_cidr_block: v.cidr_block.replace('/16', '/24'),
        gateway_id: gw.id,
      }).expect(422);
      expect(inside.body.errors[0]).to.include({ pointer: '/destination_cidr_block', code: 'CoveredByLocalRoute' });
      const both = await route(main.id, { destination_cidr_block: '0.0.0.0/0' }).expect(422);
      expect(both.body.errors[0].code).to.equal('InvalidTarget');
      const host = await route(main.id, { destination_cidr_block: '8.8.8.8/8', gateway_id: gw.id }).expect(422);
      expect(host.body.errors[0].code).to.equal('InvalidCidr');
      const def = (await route(main.id, { destination_cidr_block: '0.0.0.0/0', gateway_id: gw.id }).expect(201)).body;
      const dup = await route(main.id, { destination_cidr_block: '0.0.0.0/0', gateway_id: gw.id }).expect(409);
      expect(dup.body).to.include({ code: 'Duplicate', conflicts_with: def.id });
      const table = (await app.admin.get(`/api/networking/route-tables/${main.id}`).expect(200)).body;
      expect(table.routes.map((r: any) => [r.destination_cidr_block, r.target])).to.deep.equal([
        [v.cidr_block, 'local'],
        ['0.0.0.0/0', 'gateway'],
      ]);
      const vm = (
        await app.admin
          .post('/api/compute/instances')
          .send({ name: 'nat', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
          .expect(202)
      ).body;
      const toVm = (await route(main.id, { destination_cidr_block: '192.168.0.0/16', instance_id: vm.id }).expect(201))
        .body;
      const inUse = await app.admin.delete(`/api/compute/instances/${vm.id}`).expect(409);
      expect(inUse.body.blocked_by).to.deep.equal([{ kind: 'route', id: toVm.id }]);
      const gwInUse = await app.admin.delete(`/api/networking/internet-gateways/${gw.id}`).expect(409);
      expect(gwInUse.body.blocked_by).to.deep.equal([{ kind: 'route', id: def.id }]);
      await app.admin
        .patch(`/api/networking/routes/${toVm.id}`)
        .send({ instance_id: null, gateway_id: gw.id })
        .expect(200);
      await app.admin.delete(`/api/compute/instances/${vm.id}`).expect(204);
      await app.admin.delete(`/api/networking/routes/${toVm.id}`).expect(204);
      const listed = await app.admin.get(`/api/networking/route-tables/${main.id}/routes`).expect(200);
      expect(listed.body.items.map((x: any) => x.id)).to.deep.equal([def.id]);
      expect((await app.admin.get(`/api/networking/route-tables/${main.id}`).expect(200)).body.routes).to.have.length(
        2,
      );
    });
  });

  describe('is_public and route table associations', () => {
    it('makes a subnet public when its table sends 0.0.0.0/0 to the internet gateway', async () => {
      const v = await vpc();
      const [a, b] = [await subnet(v, 1), await subnet(v, 2)];
      expect(a.is_public).to.equal(false);
      const gw = await gateway(v.id);
      const pub = (
        await app.admin.post('/api/networking/route-tables').send({ name: 'public', vpc_id: v.id }).expect(201)
      ).body;
      const r = (await route(pub.id, { destination_cidr_block: '0.0.0.0/0', gateway_id: gw.id }).expect(201)).body;
      expect((await getSubnet(a.id)).is_public, 'no subnet uses the table yet').to.equal(false);
      const assoc = (
        await app.admin
          .post('/api/networking/route-table-associations')
          .send({ subnet_id: a.id, route_table_id: pub.id })
          .expect(201)
      ).body;
      expect((await getSubnet(a.id)).is_public).to.equal(true);
      expect((await getSubnet(b.id)).is_public).to.equal(false);
      const again = await app.admin
        .post('/api/networking/route-table-associations')
        .send({ subnet_id: a.id, route_table_id: pub.id })
        .expect(409);
      expect(again.body.conflicts_with).to.equal(assoc.id);
      const other = await vpc();
      const foreign = (
        await app.admin.post('/api/networking/route-tables').send({ name: 'x', vpc_id: other.id }).expect(201)
      ).body;
      const wrong = await app.admin
        .post('/api/networking/route-table-associations')
        .send({ subnet_id: b.id, route_table_id: foreign.id })
        .expect(422);
      expect(wrong.body.errors[0]).to.include({ pointer: '/route_table_id', code: 'TableOutsideVpc' });
      const busy = await app.admin.delete(`/api/networking/route-tables/${pub.id}`).expect(409);
      expect(busy.body.blocked_by).to.deep.equal([{ kind: 'route_table_association', id: assoc.id }]);
      await app.admin.delete(`/api/networking/routes/${r.id}`).expect(204);
      expect((await getSubnet(a.id)).is_public, 'the default route went').to.equal(false);
      // The main table made public: every subnet without an association follows it, new ones included.
      await route((await mainOf(v.id)).id, { destination_cidr_block: '0.0.0.0/0', gateway_id: gw.id }).expect(201);
      expect((await getSubnet(b.id)).is_public).to.equal(true);
      expect((await subnet(v, 3)).is_public).to.equal(true);
      expect((await getSubnet(a.id)).is_public, 'a keeps its own table').to.equal(false);
      const moved = await app.admin
        .patch(`/api/networking/route-table-associations/${assoc.id}`)
        .send({ route_table_id: (await mainOf(v.id)).id })
        .expect(200);
      expect(moved.body.route_table_id).to.not.equal(pub.id);
      expect((await getSubnet(a.id)).is_public).to.equal(true);
      await app.admin.delete(`/api/networking/route-table-associations/${assoc.id}`).expect(204);
      await app.admin.delete(`/api/networking/route-tables/${pub.id}`).expect(204);
    });
  });
});
