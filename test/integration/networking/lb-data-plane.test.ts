// The load balancer's data plane carries real traffic: real HTTP targets and a raw TCP echo server on loopback,
// health checks driven by the manual platform clock (never by sleeping).
import { expect } from 'chai';
import { advanceClock, startApp, type TestApp } from '../../support/app.js';
import {
  activeLb,
  echoServer,
  forward,
  healthOf,
  listener,
  serving,
  targetGroup,
  tcpRoundTrip,
  viaLb,
  webTarget,
  type WebTarget,
} from '../../support/lb.js';

describe('networking: load balancer data plane', function () {
  this.timeout(60_000);
  let app: TestApp;
  let lb: string;
  const servers: { close(): Promise<void> }[] = [];
  const web = async (name: string) => {
    const t = await webTarget(name);
    servers.push(t);
    return t;
  };
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    ({ lb } = await activeLb(app));
  });
  after(async () => {
    for (const s of servers) await s.close();
    await app.close();
  });

  const spread = async (endpoint: string, n: number, path = '/') => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const r = await viaLb(endpoint, path);
      counts[r.body] = (counts[r.body] ?? 0) + 1;
    }
    return counts;
  };

  describe('forwarding', () => {
    it('spreads requests over a group round robin and over groups by weight, with X-Forwarded headers', async () => {
      const [a, b, c] = [await web('a'), await web('b'), await web('c')];
      const one = await targetGroup(app, lb, [a.port, b.port]);
      const two = await targetGroup(app, lb, [c.port]);
      const l = await listener(app, lb, { port: 80, default_action: forward([one.tg, 3], [two.tg, 1]) });
      await healthOf(app, one.tg, 'healthy');
      await healthOf(app, two.tg, 'healthy');
      await serving(l.endpoint);
      a.hits = b.hits = c.hits = 0;
      const counts = await spread(l.endpoint, 40);
      // 3:1 between the groups, even within the first group (smooth weighted round robin, then round robin).
      expect(counts).to.deep.equal({ a: 15, b: 15, c: 10 });
      expect(c.seen!['x-forwarded-for']).to.equal('127.0.0.1');
      expect(c.seen!['x-forwarded-proto']).to.equal('http');
      expect(c.seen!['x-forwarded-port']).to.equal('80');
      const lbBody = (await app.admin.get(`/api/networking/load-balancers/${lb}`).expect(200)).body;
      expect(lbBody.endpoints['80']).to.equal(l.endpoint);
      const metrics = (await app.admin.get('/metrics').expect(200)).text;
      expect(metrics).to.match(
        new RegExp(`atonix_lb_requests_total\\{load_balancer="${lb}",listener="${l.id}",code="2xx"\\} \\d+`),
      );
      expect(metrics).to.include(`atonix_lb_healthy_hosts{load_balancer="${lb}",target_group="${one.tg}"} 2`);
    });

    it('takes a failing target out within interval x unhealthy_threshold and puts it back after healthy_threshold passes', async () => {
      const [a, b] = [await web('fa'), await web('fb')];
      const { tg, targets } = await targetGroup(app, lb, [a.port, b.port]);
      const l = await listener(app, lb, { port: 81, default_action: forward(tg) });
      await healthOf(app, tg, 'healthy');
      await serving(l.endpoint);
      a.healthy = false;
      await advanceClock(app, 5);
      // One failure: still healthy (threshold 2), still served.
      expect((await spread(l.endpoint, 4)).fa).to.equal(2);
      await advanceClock(app, 5);
      const t = (await app.admin.get(`/api/networking/targets/${targets[0]}`).expect(200)).body;
      expect(t.health).to.equal('unhealthy');
      expect(t.health_reason).to.match(/ResponseCodeMismatch.*500/);
      expect(await spread(l.endpoint, 6)).to.deep.equal({ fb: 6 });
      a.healthy = true;
      await advanceClock(app, 5);
      expect(await spread(l.endpoint, 2)).to.deep.equal({ fb: 2 });
      await advanceClock(app, 5);
      expect((await app.admin.get(`/api/networking/targets/${targets[0]}`).expect(200)).body.health).to.equal(
        'healthy',
      );
      expect(await spread(l.endpoint, 4)).to.deep.equal({ fa: 2, fb: 2 });
    });

    it('drains a deregistered target: its in-flight request finishes, new ones go elsewhere, it goes after the delay', async () => {
      const [a, b] = [await web('da'), await web('db')];
      const { tg, targets } = await targetGroup(app, lb, [a.port]);
      const l = await listener(app, lb, { port: 82, default_action: forward(tg) });
      await healthOf(app, tg, 'healthy');
      await serving(l.endpoint);
      const inFlight = viaLb(l.endpoint, '/slow');
      await eventuallyHit(a);
      await app.admin
        .post(`/api/networking/target-groups/${tg}/targets`)
        .send({ target_id: '127.0.0.1', port: b.port })
        .expect(201);
      await healthOf(app, tg, 'healthy', 2);
      await app.admin.delete(`/api/networking/targets/${targets[0]}`).expect(204);
      await healthOf(app, tg, 'draining', 1);
      await app.admin.get(`/api/networking/targets/${targets[0]}`).expect(404);
      // The deregistration reaches the data plane with its change event (milliseconds), then holds.
      const { eventually } = await import('../../support/app.js');
      await eventually(async () => (await spread(l.endpoint, 2)).db === 2, 'the drain in force');
      expect(await spread(l.endpoint, 4)).to.deep.equal({ db: 4 });
      a.release();
      expect(await inFlight).to.include({ status: 200, body: 'da' });
      await advanceClock(app, 30);
      const left = (await app.admin.get(`/api/networking/target-groups/${tg}/targets`).expect(200)).body.items;
      expect(left.map((t: { id: string }) => t.id)).to.not.include(targets[0]);
    });

    it('keeps a client on one target with the stickiness cookie, and sends the least busy target new requests', async () => {
      const [a, b] = [await web('sa'), await web('sb')];
      const { tg } = await targetGroup(app, lb, [a.port, b.port], { stickiness_enabled: true });
      const l = await listener(app, lb, { port: 87, default_action: forward(tg) });
      await healthOf(app, tg, 'healthy');
      await serving(l.endpoint);
      const first = await viaLb(l.endpoint);
      const cookie = String(first.headers['set-cookie']).split(';')[0]!;
      expect(cookie).to.match(new RegExp(`^ATXLB-${tg}=tgt-`));
      for (let i = 0; i < 4; i++) expect((await viaLb(l.endpoint, '/', { cookie })).body).to.equal(first.body);
      // Least outstanding requests: while one target holds a request, new ones go to the other.
      const [c, d] = [await web('lc'), await web('ld')];
      const lor = await targetGroup(app, lb, [c.port, d.port], {
        load_balancing_algorithm: 'least_outstanding_requests',
      });
      const l2 = await listener(app, lb, { port: 88, default_action: forward(lor.tg) });
      await healthOf(app, lor.tg, 'healthy');
      await serving(l2.endpoint);
      c.hits = d.hits = 0;
      const held = viaLb(l2.endpoint, '/slow');
      const { eventually } = await import('../../support/app.js');
      await eventually(async () => c.hits + d.hits > 0, 'the held request at a target');
      const busy = c.hits ? c : d;
      expect(await spread(l2.endpoint, 3)).to.deep.equal({ [busy === c ? 'ld' : 'lc']: 3 });
      busy.release();
      await held;
    });

    it('answers 503 when no target is healthy and 502 when the target refuses the request', async () => {
      const empty = await targetGroup(app, lb, []);
      const l = await listener(app, lb, { port: 83, default_action: forward(empty.tg) });
      const r = await serving(l.endpoint);
      expect(r.status).to.equal(503);
      // Health checks pass on another port; the traffic port refuses connections.
      const health = await web('health-only');
      const closed = await web('closed');
      await closed.close();
      const broken = await targetGroup(app, lb, [closed.port], { health_check_port: health.port });
      const l2 = await listener(app, lb, { port: 84, default_action: forward(broken.tg) });
      await healthOf(app, broken.tg, 'healthy');
      expect((await serving(l2.endpoint)).status).to.equal(502);
    });
  });

  describe('timeouts', () => {
    it('answers 504 itself when a target does not begin its answer within the idle timeout', async () => {
      // Real time, unlike the health checks: a socket's timeout is the one thing here no platform clock drives.
      // One second keeps it short.
      await app.admin.patch(`/api/networking/load-balancers/${lb}`).send({ idle_timeout_seconds: 1 }).expect(200);
      const slow = await web('silent');
      const pool = await targetGroup(app, lb, [slow.port]);
      const l = await listener(app, lb, { port: 89, default_action: forward(pool.tg) });
      await healthOf(app, pool.tg, 'healthy');
      await serving(l.endpoint);
      expect((await viaLb(l.endpoint, '/slow')).status).to.equal(504);
      slow.release();
      await app.admin.patch(`/api/networking/load-balancers/${lb}`).send({ idle_timeout_seconds: 60 }).expect(200);
    });
  });

  describe('rules and fixed actions', () => {
    it('routes by path pattern, host header, HTTP header and query string in priority order', async () => {
      const [main, api, canary] = [await web('main'), await web('api'), await web('canary')];
      const groups = {
        main: (await targetGroup(app, lb, [main.port])).tg,
        api: (await targetGroup(app, lb, [api.port])).tg,
        canary: (await targetGroup(app, lb, [canary.port])).tg,
      };
      const l = await listener(app, lb, { port: 85, default_action: forward(groups.main) });
      const rule = (priority: number, conditions: object, action: object) =>
        app.admin.post(`/api/networking/listeners/${l.id}/rules`).send({ priority, conditions, action }).expect(201);
      await rule(10, { http_headers: [{ name: 'X-Canary', values: ['yes'] }] }, forward(groups.canary));
      await rule(20, { path_patterns: ['/api/*'] }, forward(groups.api));
      await rule(
        30,
        { host_headers: ['*.admin.example.com'] },
        {
          type: 'fixed-response',
          fixed_response: { status_code: 403, content_type: 'text/plain', message_body: 'no admins here' },
        },
      );
      await rule(
        40,
        { query_strings: [{ key: 'v', value: '1' }] },
        {
          type: 'redirect',
          redirect: { status_code: 'HTTP_301', path: '/v2#{path}', query: 'from=v1' },
        },
      );
      for (const g of Object.values(groups)) await healthOf(app, g, 'healthy');
      await serving(l.endpoint);
      await eventuallyRules(l.endpoint);
      expect((await viaLb(l.endpoint, '/')).body).to.equal('main');
      expect((await viaLb(l.endpoint, '/api/users')).body).to.equal('api');
      expect((await viaLb(l.endpoint, '/api/users', { 'x-canary': 'yes' })).body).to.equal('canary');
      const denied = await viaLb(l.endpoint, '/', { host: 'eu.ADMIN.example.com' });
      expect(denied).to.include({ status: 403, body: 'no admins here' });
      const moved = await viaLb(l.endpoint, '/old?v=1', { host: 'shop.example.com' });
      expect(moved.status).to.equal(301);
      expect(moved.headers.location).to.equal('http://shop.example.com:85/v2/old?from=v1');
      expect(main.hits + api.hits + canary.hits).to.be.greaterThan(0);
    });

    it('answers a fixed response as a default action', async () => {
      const l = await listener(app, lb, {
        port: 86,
        default_action: { type: 'fixed-response', fixed_response: { status_code: 404, message_body: 'nothing' } },
      });
      expect(await serving(l.endpoint)).to.include({ status: 404, body: 'nothing' });
    });
  });

  describe('TCP', () => {
    it('splices bytes both ways through a network load balancer, half-close included', async () => {
      const net = await activeLb(app, 'network', 'tcp');
      const echo = await echoServer();
      servers.push(echo);
      const { tg } = await targetGroup(app, net.lb, [echo.port], { health_check_path: '/' });
      const l = await listener(app, net.lb, { port: 5432, default_action: forward(tg) });
      await healthOf(app, tg, 'healthy');
      const payload = Buffer.alloc(256 * 1024, 7);
      payload.write('hello');
      const back = await eventuallyTcp(l.endpoint, payload);
      expect(back.equals(payload)).to.equal(true);
      expect(echo.connections).to.be.greaterThan(0);
    });
  });

  describe('instance targets', () => {
    it("follow their instance's state and receive no traffic", async () => {
      const { vpc } = await activeLb(app, 'application', 'inst');
      const lbs = (await app.admin.get(`/api/networking/load-balancers?vpc_id=${vpc}`).expect(200)).body.items;
      const flavor = (await app.admin.get('/api/compute/flavors?name=t1.small').expect(200)).body.items[0].id;
      const image = (await app.admin.get('/api/compute/images?name=debian-12').expect(200)).body.items[0].id;
      const subnet = (await app.admin.get(`/api/networking/subnets?vpc_id=${vpc}`).expect(200)).body.items[0].id;
      const inst = await app.admin
        .post('/api/compute/instances')
        .set('Prefer', 'wait=10')
        .send({ name: 'vm', flavor_id: flavor, image_id: image, subnet_id: subnet })
        .expect(202);
      const tg = await app.admin
        .post(`/api/networking/load-balancers/${lbs[0].id}/target-groups`)
        .send({ name: 'vms', port: 80, target_type: 'instance' })
        .expect(201);
      await app.admin
        .post(`/api/networking/target-groups/${tg.body.id}/targets`)
        .send({ target_id: inst.body.id })
        .expect(201);
      const l = await listener(app, lbs[0].id, { port: 80, default_action: forward(tg.body.id) });
      const [t] = await healthOf(app, tg.body.id, 'healthy');
      expect(t.health_reason).to.match(/no guest/);
      expect((await serving(l.endpoint)).status).to.equal(503);
      await app.admin.post(`/api/compute/instances/${inst.body.id}/stop`).expect(200);
      const [stopped] = await healthOf(app, tg.body.id, 'unhealthy');
      expect(stopped.health_reason).to.match(/stopped/);
    });
  });
});

async function eventuallyHit(t: WebTarget) {
  const { eventually } = await import('../../support/app.js');
  await eventually(async () => t.hits > 0, `a request at ${t.name}`);
}

/** Rules written after the listener reach the data plane with their change events. */
async function eventuallyRules(endpoint: string) {
  const { eventually } = await import('../../support/app.js');
  await eventually(async () => (await viaLb(endpoint, '/api/x')).body === 'api', 'the rules in force');
}

async function eventuallyTcp(endpoint: string, payload: Buffer) {
  const { eventually } = await import('../../support/app.js');
  return eventually(() => tcpRoundTrip(endpoint, payload).catch(() => undefined), 'a TCP round trip');
}
