// Real targets on loopback for load balancer tests: HTTP servers that name themselves and can fail their health
// checks or hold a request, a raw TCP echo server, and a load balancer set up through the API.
import { expect } from 'chai';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { eventually, type TestApp } from './app.js';

export interface WebTarget {
  name: string;
  port: number;
  /** requests served (health probes not counted) */
  hits: number;
  /** the last request's headers */
  seen?: IncomingHttpHeaders;
  /** false: /health answers 500 */
  healthy: boolean;
  /** requests to /slow wait for this to be called */
  release(): void;
  close(): Promise<void>;
}

export async function webTarget(name: string): Promise<WebTarget> {
  let waiting: (() => void)[] = [];
  const t: WebTarget = {
    name,
    port: 0,
    hits: 0,
    healthy: true,
    release: () => {
      for (const w of waiting.splice(0)) w();
    },
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(t.healthy ? 200 : 500).end();
      return;
    }
    t.hits++;
    t.seen = req.headers;
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(name);
    if (req.url === '/slow') waiting.push(answer);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.port = (server.address() as AddressInfo).port;
  return t;
}

/** A raw TCP server that echoes every byte and closes its half once the client closes its own. */
export async function echoServer(): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const socks = new Set<import('node:net').Socket>();
  const out = {
    port: 0,
    connections: 0,
    close: () => new Promise<void>((r) => (socks.forEach((s) => s.destroy()), server.close(() => r()))),
  };
  const server: TcpServer = createTcpServer({ allowHalfOpen: true }, (s) => {
    out.connections++;
    socks.add(s);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
    s.on('close', () => socks.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  out.port = (server.address() as AddressInfo).port;
  return out;
}

/** Sends `data` through a TCP endpoint, half-closes, and resolves with all that came back. */
export function tcpRoundTrip(endpoint: string, data: Buffer): Promise<Buffer> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: host!, port: Number(port), allowHalfOpen: true }, () => s.end(data));
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => (s.destroy(), resolve(Buffer.concat(chunks))));
    s.on('error', reject);
  });
}

export interface LbResponse {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** One HTTP request through a listener's endpoint (no keep-alive, so each is a request of its own). */
export function viaLb(endpoint: string, path = '/', headers: Record<string, string> = {}): Promise<LbResponse> {
  const [host, port] = endpoint.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A VPC with subnets in two zones and an active load balancer of `type` in it, as the admin. */
export async function activeLb(app: TestApp, type = 'application', name = 'web') {
  const vpc = await app.admin
    .post('/api/networking/vpcs')
    .set('Prefer', 'wait=10')
    .send({ name: `${name}-net`, cidr_block: '10.0.0.0/16' })
    .expect(202);
  const subnets: string[] = [];
  for (const [i, zone] of ['a', 'b'].entries()) {
    const s = await app.admin
      .post(`/api/networking/vpcs/${vpc.body.id}/subnets`)
      .send({ name: `${name}-${zone}`, cidr_block: `10.0.${i}.0/24`, availability_zone: `us-east-1${zone}` })
      .expect(201);
    subnets.push(s.body.id);
  }
  const lb = await app.admin
    .post('/api/networking/load-balancers')
    .set('Prefer', 'wait=10')
    .send({ name, type, vpc_id: vpc.body.id, subnets })
    .expect(202);
  expect(lb.body.state).to.equal('active');
  return { vpc: vpc.body.id as string, subnets, lb: lb.body.id as string };
}

/** A target group of `lb` with quick checks (interval 5 s, thresholds 2) and `targets` registered on loopback. */
export async function targetGroup(app: TestApp, lb: string, ports: number[], extra: Record<string, unknown> = {}) {
  const tg = await app.admin
    .post(`/api/networking/load-balancers/${lb}/target-groups`)
    .send({
      name: 'pool',
      port: 80,
      health_check_path: '/health',
      health_check_interval_seconds: 5,
      health_check_timeout_seconds: 2,
      healthy_threshold: 2,
      unhealthy_threshold: 2,
      deregistration_delay: 30,
      ...extra,
    })
    .expect(201);
  const targets: string[] = [];
  for (const port of ports) {
    const t = await app.admin
      .post(`/api/networking/target-groups/${tg.body.id}/targets`)
      .send({ target_id: '127.0.0.1', port })
      .expect(201);
    targets.push(t.body.id);
  }
  return { tg: tg.body.id as string, targets };
}

export async function listener(app: TestApp, lb: string, body: Record<string, unknown>) {
  const l = await app.admin.post(`/api/networking/load-balancers/${lb}/listeners`).send(body).expect(201);
  return l.body as { id: string; endpoint: string };
}

export const forward = (...groups: (string | [string, number])[]) => ({
  type: 'forward',
  target_groups: groups.map((g) =>
    Array.isArray(g) ? { target_group_id: g[0], weight: g[1] } : { target_group_id: g },
  ),
});

/** Waits until every registered target of `tg` shows `health` (the data plane probes new targets at once). */
export function healthOf(app: TestApp, tg: string, health: string, count?: number) {
  return eventually(async () => {
    const items = (await app.admin.get(`/api/networking/target-groups/${tg}/targets`).expect(200)).body.items;
    const n = items.filter((t: { health: string }) => t.health === health).length;
    return n === (count ?? items.length) && n > 0 && items;
  }, `targets of ${tg} ${health}`);
}

/** Waits until a listener answers at its endpoint (the data plane opens it once it sees the listener's row). */
export function serving(endpoint: string, path = '/') {
  return eventually(() => viaLb(endpoint, path).catch(() => undefined), `a listener at ${endpoint}`);
}
