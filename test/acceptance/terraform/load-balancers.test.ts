// The load balancer resources through the real terraform binary (apply, empty plan, import, update, replace,
// out-of-band delete, destroy), and the "two web servers behind a load balancer" example carrying real traffic.
import { expect } from 'chai';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, eventually, startApp, type TestApp } from '../../support/app.js';
import { viaLb, webTarget } from '../../support/lb.js';
import { ROOT, prepareProvider, Workspace } from './workspace.js';

const NET = `
resource "atonix_vpc" "net" {
  name       = "lb-deps"
  cidr_block = "10.70.0.0/16"
}
resource "atonix_subnet" "a" {
  name              = "a"
  vpc_id            = atonix_vpc.net.id
  cidr_block        = "10.70.1.0/24"
  availability_zone = "us-east-1a"
}
resource "atonix_subnet" "b" {
  name              = "b"
  vpc_id            = atonix_vpc.net.id
  cidr_block        = "10.70.2.0/24"
  availability_zone = "us-east-1b"
}
# Public subnets, so the same network serves an internal and an internet-facing load balancer.
resource "atonix_internet_gateway" "gw" {
  name   = "gw"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_route_table" "public" {
  name   = "public"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_route" "out" {
  route_table_id         = atonix_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = atonix_internet_gateway.gw.id
}
resource "atonix_route_table_association" "a" {
  subnet_id      = atonix_subnet.a.id
  route_table_id = atonix_route_table.public.id
  depends_on     = [atonix_route.out]
}
resource "atonix_route_table_association" "b" {
  subnet_id      = atonix_subnet.b.id
  route_table_id = atonix_route_table.public.id
  depends_on     = [atonix_route.out]
}
`;
const LB = `${NET}
resource "atonix_lb" "web" {
  name    = "deps"
  vpc_id  = atonix_vpc.net.id
  subnets = [atonix_subnet.a.id, atonix_subnet.b.id]
}
resource "atonix_lb_target_group" "web" {
  name             = "deps"
  load_balancer_id = atonix_lb.web.id
  port             = 8080
}
`;
const FIXED = 'jsonencode({ type = "fixed-response", fixed_response = { status_code = 200 } })';
const LISTENER = `${LB}
resource "atonix_lb_listener" "web" {
  load_balancer_id = atonix_lb.web.id
  port             = 80
  default_action   = ${FIXED}
}
`;

interface Case {
  type: string;
  deps: string;
  body: (mutable: string, immutable?: string) => string;
  api: string;
  field: string;
  values: { mutable?: [string, string]; immutable?: [string, string] };
}

const CASES: Case[] = [
  {
    type: 'atonix_lb',
    deps: NET,
    api: '/api/networking/load-balancers',
    field: 'name',
    body: (m, i) =>
      `name = "${m}"\n  vpc_id = atonix_vpc.net.id\n  subnets = [atonix_subnet.a.id, atonix_subnet.b.id]\n  scheme = "${i}"\n  depends_on = [atonix_route_table_association.a, atonix_route_table_association.b]`,
    values: { mutable: ['lb-one', 'lb-two'], immutable: ['internal', 'internet-facing'] },
  },
  {
    type: 'atonix_lb_target_group',
    deps: LB,
    api: '/api/networking/target-groups',
    field: 'health_check_path',
    body: (m, i) =>
      `name = "tg"\n  load_balancer_id = atonix_lb.web.id\n  port = 80\n  health_check_path = "${m}"\n  target_type = "${i}"`,
    values: { mutable: ['/health', '/ready'], immutable: ['ip', 'instance'] },
  },
  {
    type: 'atonix_lb_target_group_attachment',
    deps: LB,
    api: '/api/networking/targets',
    field: 'target_id',
    body: (_m, i) => `target_group_id = atonix_lb_target_group.web.id\n  target_id = "${i}"`,
    values: { immutable: ['10.70.1.10', '10.70.1.11'] },
  },
  {
    type: 'atonix_lb_listener',
    deps: LB,
    api: '/api/networking/listeners',
    field: 'port',
    body: (m) => `load_balancer_id = atonix_lb.web.id\n  port = ${m}\n  default_action = ${FIXED}`,
    values: { mutable: ['80', '8080'] },
  },
  {
    type: 'atonix_lb_listener_rule',
    deps: LISTENER,
    api: '/api/networking/listener-rules',
    field: 'priority',
    body: (m) =>
      `listener_id = atonix_lb_listener.web.id\n  priority = ${m}\n  conditions = jsonencode({ path_patterns = ["/api/*"] })\n  action = ${FIXED}`,
    values: { mutable: ['10', '20'] },
  },
];

describe('terraform: load balancers through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '300' });
  });
  after(() => app.close());

  for (const c of CASES) {
    it(`${c.type}: apply, re-plan empty, import, update in place, replace, out-of-band delete, destroy`, async () => {
      const ws = new Workspace(app.url, ADMIN_TOKEN);
      const [m0, m1] = c.values.mutable ?? ['', ''];
      const [i0, i1] = c.values.immutable ?? ['', ''];
      const config = (m: string, i: string) => `${c.deps}\nresource "${c.type}" "x" {\n  ${c.body(m, i)}\n}\n`;
      const field = async (id: string) => String((await app.admin.get(`${c.api}/${id}`).expect(200)).body[c.field]);
      try {
        ws.write(config(m0, i0));
        await ws.apply();
        await ws.plan(0);
        const id = await ws.stateId(`${c.type}.x`);
        expect(await field(id)).to.equal(c.values.mutable ? m0 : i0);
        await ws.must(['state', 'rm', `${c.type}.x`]);
        await ws.must(['import', '-no-color', `${c.type}.x`, id]);
        await ws.plan(0);
        if (c.values.mutable) {
          ws.write(config(m1, i0));
          expect(await ws.plan(2)).to.contain('1 to change, 0 to destroy');
          await ws.apply();
          await ws.plan(0);
          expect(await field(id)).to.equal(m1);
        }
        let newId = id;
        if (c.values.immutable) {
          ws.write(config(m1, i1));
          const replace = await ws.plan(2);
          expect(replace).to.match(/must be replaced/);
          expect(replace).to.contain('1 to add, 0 to change, 1 to destroy');
          await ws.apply();
          await ws.plan(0);
          newId = await ws.stateId(`${c.type}.x`);
          expect(newId).to.not.equal(id);
          await app.admin.get(`${c.api}/${id}`).expect(404);
        }
        await app.admin.delete(`${c.api}/${newId}`).expect(204);
        expect(await ws.plan(2)).to.contain(`${c.type}.x will be created`);
        await ws.destroy();
        await app.admin.get(`${c.api}/${newId}`).expect(404);
      } finally {
        ws.remove();
      }
    });
  }

  it('data "atonix_lb" finds a load balancer by name, with its endpoints', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(`${LISTENER}`);
      await ws.apply();
      ws.write(
        `${LISTENER}\ndata "atonix_lb" "found" {\n  name = "deps"\n}\noutput "lb" {\n  value = "\${data.atonix_lb.found.id} \${data.atonix_lb.found.state} \${data.atonix_lb.found.endpoints["80"]}"\n}\n`,
      );
      const out = await ws.apply();
      const id = await ws.stateId('atonix_lb.web');
      const endpoint = await ws.must(['state', 'show', '-no-color', 'atonix_lb_listener.web']);
      expect(out).to.contain(`lb = "${id} active ${/endpoint\s+= "([^"]+)"/.exec(endpoint)![1]}"`);
      await ws.destroy();
    } finally {
      ws.remove();
    }
  });

  it('examples/terraform/lb-web: two web servers behind a load balancer, applied and then carrying traffic', async () => {
    const [one, two] = [await webTarget('web-1'), await webTarget('web-2')];
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      copyFileSync(join(ROOT, 'examples/terraform/lb-web/main.tf'), join(ws.dir, 'main.tf'));
      const vars = ['-var', `web_ports=[${one.port},${two.port}]`];
      const applied = await ws.must(['apply', '-auto-approve', '-no-color', ...vars]);
      expect(applied).to.contain('Apply complete! Resources: 9 added');
      const endpoint = /endpoint = "([^"]+)"/.exec(applied)![1]!;
      await ws.must(['plan', '-detailed-exitcode', '-no-color', ...vars]);
      // The targets pass their first health check, then requests alternate between the two servers.
      await eventually(async () => (await viaLb(endpoint).catch(() => undefined))?.status === 200, 'the listener');
      const seen: string[] = [];
      await eventually(async () => {
        seen.push((await viaLb(endpoint)).body);
        return seen.includes('web-1') && seen.includes('web-2');
      }, 'both web servers answering');
      expect((await viaLb(endpoint, '/healthz')).body).to.equal('ok');
      await ws.must(['destroy', '-auto-approve', '-no-color', ...vars]);
      expect((await app.admin.get('/api/networking/load-balancers?name=web').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
      await one.close();
      await two.close();
    }
  });
});
