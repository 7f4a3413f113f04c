// Reachability: a table of cases over one small network (group references, missing egress, no route, public and
// private subnets), and the refusals of a bad question.
import { expect } from 'chai';
import { catalogue, startApp, type TestApp } from '../../support/app.js';

describe('networking: reachability', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  // vpc 10.70.0.0/16: `public` subnet (its table sends 0.0.0.0/0 to the gateway) with `web`; `private` subnet with
  // `db` (main table, no default route) and `worker`, `sealed` (a group with no egress). Groups: web (tcp/443 from
  // anywhere), db (tcp/5432 from the web group), sealed (no rules at all).
  const ids: Record<string, string> = {};
  before(async () => {
    const { flavor, image } = await catalogue(app);
    const post = async (path: string, body: object) =>
      (
        await app.admin
          .post(path)
          .send(body)
          .expect(/20[12]/)
      ).body;
    const v = await post('/api/networking/vpcs', { name: 'r', cidr_block: '10.70.0.0/16' });
    const pub = await post(`/api/networking/vpcs/${v.id}/subnets`, { name: 'public', cidr_block: '10.70.1.0/24' });
    const priv = await post(`/api/networking/vpcs/${v.id}/subnets`, { name: 'private', cidr_block: '10.70.2.0/24' });
    const gw = await post('/api/networking/internet-gateways', { name: 'gw', vpc_id: v.id });
    const table = await post('/api/networking/route-tables', { name: 'public', vpc_id: v.id });
    await post(`/api/networking/route-tables/${table.id}/routes`, {
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: gw.id,
    });
    await post('/api/networking/route-table-associations', { subnet_id: pub.id, route_table_id: table.id });
    const web = await post('/api/networking/security-groups', {
      name: 'web',
      vpc_id: v.id,
      ingress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_block: '0.0.0.0/0' }],
    });
    const db = await post('/api/networking/security-groups', {
      name: 'db',
      vpc_id: v.id,
      ingress: [{ protocol: 'tcp', from_port: 5432, to_port: 5432, source_security_group_id: web.id }],
    });
    const sealed = await post('/api/networking/security-groups', { name: 'sealed', vpc_id: v.id, egress: [] });
    const vm = async (name: string, subnet: string, groups: string[]) =>
      (
        await post('/api/compute/instances', {
          name,
          flavor_id: flavor.id,
          image_id: image.id,
          subnet_id: subnet,
          security_group_ids: groups,
        })
      ).id as string;
    // A second VPC: `outPublic` in a public subnet of its own, `outPrivate` in a private one.
    const v2 = await post('/api/networking/vpcs', { name: 'r2', cidr_block: '10.71.0.0/16' });
    const pub2 = await post(`/api/networking/vpcs/${v2.id}/subnets`, { name: 'public', cidr_block: '10.71.1.0/24' });
    const priv2 = await post(`/api/networking/vpcs/${v2.id}/subnets`, { name: 'private', cidr_block: '10.71.2.0/24' });
    const gw2 = await post('/api/networking/internet-gateways', { name: 'gw2', vpc_id: v2.id });
    const table2 = await post('/api/networking/route-tables', { name: 'public', vpc_id: v2.id });
    await post(`/api/networking/route-tables/${table2.id}/routes`, {
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: gw2.id,
    });
    await post('/api/networking/route-table-associations', { subnet_id: pub2.id, route_table_id: table2.id });
    const any2 = (await app.admin.get(`/api/networking/security-groups?vpc_id=${v2.id}`).expect(200)).body.items[0].id;
    ids.outPublic = await vm('out-public', pub2.id, [any2]);
    ids.outPrivate = await vm('out-private', priv2.id, [any2]);
    Object.assign(ids, {
      web: await vm('web', pub.id, [web.id]),
      db: await vm('db', priv.id, [db.id]),
      worker: await vm('worker', priv.id, [web.id]),
      sealed: await vm('sealed', priv.id, [sealed.id]),
      privateWeb: await vm('private-web', priv.id, [web.id]),
      table: table.id,
      main: (await app.admin.get(`/api/networking/route-tables?vpc_id=${v.id}`).expect(200)).body.items.find(
        (t: any) => t.is_main,
      ).id,
      webGroup: web.id,
      dbGroup: db.id,
      // Load balancers are endpoints too: one per subnet they sit in, with their groups.
      publicLb: (
        await post('/api/networking/load-balancers', {
          name: 'public-lb',
          type: 'network',
          vpc_id: v.id,
          subnets: [pub.id],
          scheme: 'internet-facing',
          security_group_ids: [web.id],
        })
      ).id,
      internalLb: (
        await post('/api/networking/load-balancers', {
          name: 'internal-lb',
          type: 'network',
          vpc_id: v.id,
          subnets: [priv.id],
          security_group_ids: [web.id],
        })
      ).id,
    });
  });

  const cases: {
    what: string;
    from: string;
    to: string;
    protocol?: string;
    port: number | null;
    reachable: boolean;
    blocked?: string;
    hops?: string[];
  }[] = [
    {
      what: 'the internet reaches a public web server on 443',
      from: '203.0.113.7',
      to: 'web',
      port: 443,
      reachable: true,
      hops: ['route', 'ingress_rule'],
    },
    {
      what: 'but not on a port no rule opens',
      from: '203.0.113.0/24',
      to: 'web',
      port: 22,
      reachable: false,
      blocked: 'ingress_rule_missing',
    },
    {
      what: 'the internet has no route to a private subnet',
      from: '198.51.100.1',
      to: 'privateWeb',
      port: 443,
      reachable: false,
      blocked: 'no_route',
    },
    {
      what: 'the internet reaches an internet-facing load balancer on a port its group opens',
      from: '203.0.113.9',
      to: 'publicLb',
      port: 443,
      reachable: true,
    },
    {
      what: 'but has no route to an internal one in a private subnet',
      from: '203.0.113.9',
      to: 'internalLb',
      port: 443,
      reachable: false,
      blocked: 'no_route',
    },
    {
      what: 'a load balancer in the web group reaches the database by group reference',
      from: 'publicLb',
      to: 'db',
      port: 5432,
      reachable: true,
    },
    {
      what: 'a web member reaches the database by group reference',
      from: 'web',
      to: 'db',
      port: 5432,
      reachable: true,
      hops: ['egress_rule', 'route', 'ingress_rule'],
    },
    { what: 'another member of the web group does too', from: 'worker', to: 'db', port: 5432, reachable: true },
    {
      what: 'a non-member does not',
      from: 'sealed',
      to: 'db',
      port: 5432,
      reachable: false,
      blocked: 'egress_rule_missing',
    },
    {
      what: 'the database does not reach the web tier on 5432',
      from: 'db',
      to: 'web',
      port: 5432,
      reachable: false,
      blocked: 'ingress_rule_missing',
    },
    {
      what: 'an address inside the VPC goes by the local route, without a group',
      from: '10.70.2.9',
      to: 'db',
      port: 5432,
      reachable: false,
      blocked: 'ingress_rule_missing',
    },
    {
      what: 'an address inside the VPC reaches an open port',
      from: '10.70.2.9',
      to: 'privateWeb',
      port: 443,
      reachable: true,
    },
    {
      what: 'another VPC reaches the public web server through both gateways',
      from: 'outPublic',
      to: 'web',
      port: 443,
      reachable: true,
      hops: ['egress_rule', 'route', 'ingress_rule'],
    },
    {
      what: 'a private subnet of another VPC has no way out',
      from: 'outPrivate',
      to: 'web',
      port: 443,
      reachable: false,
      blocked: 'no_route',
    },
    {
      what: 'udp is not tcp',
      from: 'web',
      to: 'db',
      protocol: 'udp',
      port: 5432,
      reachable: false,
      blocked: 'ingress_rule_missing',
    },
  ];
  for (const c of cases)
    it(`${c.what}: ${c.reachable ? 'reachable' : c.blocked}`, async () => {
      const r = await app.admin
        .post('/api/networking/reachability')
        .send({ source: ids[c.from] ?? c.from, destination: ids[c.to], protocol: c.protocol ?? 'tcp', port: c.port })
        .expect(200);
      expect(r.body.reachable, r.body.explanation).to.equal(c.reachable);
      expect(r.body.blocked_by).to.equal(c.blocked ?? null);
      if (c.hops) expect(r.body.hops.map((h: any) => h.hop)).to.deep.equal(c.hops);
      expect(r.body.explanation).to.be.a('string').and.not.equal('');
    });

  it('names the rule and the table of each hop', async () => {
    const r = await app.admin
      .post('/api/networking/reachability')
      .send({ source: ids.web, destination: ids.db, protocol: 'tcp', port: 5432 })
      .expect(200);
    expect(r.body.hops[0]).to.include({ hop: 'egress_rule', security_group_id: ids.webGroup });
    expect(r.body.hops[1]).to.include({ hop: 'route', route_table_id: ids.table, target: 'local' });
    expect(r.body.hops[2]).to.include({ hop: 'ingress_rule', security_group_id: ids.dbGroup });
    const fromNet = await app.admin
      .post('/api/networking/reachability')
      .send({ source: '203.0.113.7', destination: ids.web, protocol: 'tcp', port: 443 })
      .expect(200);
    expect(fromNet.body.hops[0]).to.include({ route_table_id: ids.table, destination_cidr_block: '0.0.0.0/0' });
  });

  it('refuses a bad source, a CIDR destination, an unknown instance and a missing port with pointers', async () => {
    const ask = (body: object) =>
      app.admin
        .post('/api/networking/reachability')
        .send({ protocol: 'tcp', port: 80, ...body })
        .expect(422);
    expect((await ask({ source: 'nonsense', destination: ids.web })).body.errors[0].pointer).to.equal('/source');
    expect((await ask({ source: ids.web, destination: '10.0.0.1' })).body.errors[0].pointer).to.equal('/destination');
    expect((await ask({ source: ids.web, destination: 'inst-doesnotexist00' })).body.errors[0].pointer).to.equal(
      '/destination',
    );
    expect((await ask({ source: ids.web, destination: ids.db, port: null })).body.errors[0].pointer).to.equal('/port');
  });
});
