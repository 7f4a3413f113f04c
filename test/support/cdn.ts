// CDN edge test parts: a programmable origin on loopback that counts the requests it answers per path (and can hold
// them, or go down), distributions built as the control plane would deploy them, and requests through the edge.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CachePolicy, CacheBehavior, EdgeDistribution } from '../../api/src/cdn/model.js';
import { edgeOf } from '../../api/src/cdn/edge/serve.js';
import type { TestApp } from './app.js';

export interface OriginReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface TestOrigin {
  url: string;
  /** requests answered, per path (with query) */
  hits: Map<string, number>;
  total(): number;
  /** the headers of the last request per path */
  seen: Map<string, IncomingHttpHeaders>;
  /** the reply for a path (a function sees the request's headers) */
  route(path: string, reply: OriginReply | ((h: IncomingHttpHeaders) => OriginReply)): void;
  /** requests wait until release() while held */
  hold(): void;
  release(): void;
  /** refuses connections until up() */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function testOrigin(): Promise<TestOrigin> {
  const routes = new Map<string, OriginReply | ((h: IncomingHttpHeaders) => OriginReply)>();
  const sockets = new Set<Socket>();
  let held: (() => void)[] | undefined;
  let port = 0;
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const answer = () => {
      o.hits.set(path, (o.hits.get(path) ?? 0) + 1);
      o.seen.set(path, req.headers);
      const r = routes.get(path) ?? routes.get(path.split('?')[0]!) ?? { status: 404, body: 'no such path' };
      const reply = typeof r === 'function' ? r(req.headers) : r;
      res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers }).end(reply.body ?? '');
    };
    req.resume();
    req.on('end', () => (held ? held.push(answer) : answer()));
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  const listen = () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const stop = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  await listen();
  port = (server.address() as AddressInfo).port;
  const o: TestOrigin = {
    url: `http://127.0.0.1:${port}`,
    hits: new Map(),
    total: () => [...o.hits.values()].reduce((a, b) => a + b, 0),
    seen: new Map(),
    route: (p, r) => void routes.set(p, r),
    hold: () => void (held ??= []),
    release: () => {
      const w = held ?? [];
      held = undefined;
      for (const f of w) f();
    },
    down: stop,
    up: listen,
    close: stop,
  };
  return o;
}

export const policy = (over: Partial<CachePolicy> = {}): CachePolicy => ({
  id: 'cp-test',
  name: 'Test',
  min_ttl: 0,
  default_ttl: 86_400,
  max_ttl: 31_536_000,
  query_strings: { behavior: 'none', names: [] },
  headers: { behavior: 'none', names: [] },
  cookies: { behavior: 'none', names: [] },
  enable_gzip: true,
  enable_brotli: true,
  ...over,
});

export const behavior = (over: Partial<CacheBehavior> = {}): CacheBehavior => ({
  path_pattern: '*',
  target_origin_id: 'web',
  allowed_methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'],
  cached_methods: ['GET', 'HEAD'],
  viewer_protocol_policy: 'allow-all',
  compress: false,
  cache_policy: policy(),
  ...over,
});

let serial = 0;

/** A deployed distribution with one HTTP origin `web` at `originUrl`, as the control plane would hand it over. */
export function distribution(originUrl: string, over: Partial<EdgeDistribution> = {}): EdgeDistribution {
  const id = `dist-test${++serial}${Math.random().toString(36).slice(2, 8)}`;
  return {
    id,
    owner: 'usr-test',
    config_version: 1,
    enabled: true,
    domain_name: `${id}.cdn.atonix.localhost`,
    aliases: [],
    default_root_object: '',
    origins: [
      {
        id: 'web',
        type: 'http',
        url: originUrl,
        origin_path: '',
        custom_headers: {},
        connect_timeout_ms: 2000,
        read_timeout_ms: 5000,
      },
    ],
    origin_groups: [],
    behaviors: [behavior()],
    custom_error_responses: [],
    geo: { restriction: { type: 'none', countries: [] }, origin_routes: [] },
    edge_locations: ['fra1'],
    ...over,
  };
}

export const deploy = (app: TestApp, d: EdgeDistribution) => edgeOf(app.platform).directory.put(d);

export interface EdgeReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** A request through the edge with node:http (no client-side decoding, so encodings and ranges are seen as sent). */
export function viaEdge(
  app: TestApp,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<EdgeReply> {
  return new Promise((resolve, reject) => {
    const r = request(`${app.url}${path}`, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, text: body.toString() });
      });
    });
    r.on('error', reject);
    r.end(opts.body);
  });
}
