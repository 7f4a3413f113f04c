// The edge on the API port: `/cdn/<distribution-id>/<path>`, and `/<path>` for a Host that is a deployed
// distribution's alias or domain name. Mounted before the API: a request that is neither costs one prefix test and
// one map lookup. The directory holds what the control plane deployed (EdgeDistribution, model.ts); invalidations
// drop matching entries from both tiers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Deps } from '../../platform/deps.js';
import { geoApplies } from '../geo/decision.js';
import { viewerLocatorOf } from '../geo/viewer.js';
import type { EdgeDistribution } from '../model.js';
import { Edge } from './edge.js';
import { matchesPath } from './wildcard.js';

export class EdgeDirectory {
  private byId = new Map<string, EdgeDistribution>();
  private hosts = new Map<string, string>();

  constructor(private edge: Edge) {}

  /** A deployed distribution, new or changed: entries of an older config version are dropped. */
  put(d: EdgeDistribution) {
    const old = this.byId.get(d.id);
    if (old) this.remove(d.id);
    if (old && old.config_version !== d.config_version) this.edge.store.dropWhere((e) => e.distributionId === d.id);
    this.byId.set(d.id, d);
    for (const h of [d.domain_name, ...d.aliases]) if (h) this.hosts.set(h.toLowerCase(), d.id);
  }

  remove(id: string) {
    const d = this.byId.get(id);
    this.byId.delete(id);
    if (d)
      for (const h of [d.domain_name, ...d.aliases])
        if (this.hosts.get(h.toLowerCase()) === id) this.hosts.delete(h.toLowerCase());
  }

  get(id: string) {
    return this.byId.get(id);
  }

  forHost(host: string | undefined): EdgeDistribution | undefined {
    if (!host || !this.hosts.size) return undefined;
    const id = this.hosts.get(host.replace(/:\d+$/, '').toLowerCase());
    return id ? this.byId.get(id) : undefined;
  }
}

export interface EdgeRuntime {
  edge: Edge;
  directory: EdgeDirectory;
  /** Drops the entries of `distributionId` whose path matches one of `paths` (`*`, `?`); the number dropped. */
  invalidate(distributionId: string, paths: string[]): number;
}

const runtimes = new WeakMap<object, EdgeRuntime>();

/** The edge of this process (one per platform, like objectStoreOf). */
export function edgeOf(deps: Deps): EdgeRuntime {
  let r = runtimes.get(deps.config);
  if (!r) {
    const edge = new Edge(deps);
    r = {
      edge,
      directory: new EdgeDirectory(edge),
      invalidate: (id, paths) =>
        edge.store.dropWhere((e) => e.distributionId === id && paths.some((p) => matchesPath(p, e.path))),
    };
    runtimes.set(deps.config, r);
  }
  return r;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Express' compiled `trust proxy`: whether the hop at `addr` (the `i`th from the socket) is a trusted proxy. */
export type TrustFn = (addr: string, i: number) => boolean;

/** Whether the viewer's request came over https: the socket's own TLS, or X-Forwarded-Proto from a trusted proxy. */
function secure(req: IncomingMessage, trust: TrustFn): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  if (!proto || !trust(req.socket.remoteAddress ?? '', 0)) return false;
  return String(proto).split(',')[0]!.trim().toLowerCase() === 'https';
}

const text = (res: ServerResponse, status: number, body: string) =>
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);

/**
 * The edge in front of the API, on raw node:http (cache hits then cost no Express routing): answers and returns true
 * for `/cdn/...` and for the Host names of deployed distributions, returns false for everything else at the cost of
 * one prefix test and one map lookup.
 */
export function edgeFront(deps: Deps, trust: TrustFn) {
  const { edge, directory } = edgeOf(deps);
  const geo = viewerLocatorOf(deps.config);
  const log = deps.log.child({ part: 'cdn-edge' });
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    let dist: EdgeDistribution | undefined;
    let path: string;
    const url = req.url ?? '/';
    if (url.startsWith('/cdn/')) {
      const slash = url.indexOf('/', 5);
      const end = slash < 0 ? url.indexOf('?') : slash;
      const id = url.slice(5, end < 0 ? undefined : end);
      dist = directory.get(id);
      if (!dist || !dist.enabled) {
        // A disabled distribution is a 403 (CloudFront's answer); one never deployed (or deleted) is unknown here.
        if (dist) text(res, 403, 'This distribution is disabled.');
        else text(res, 404, 'No such distribution.');
        return true;
      }
      path = slash < 0 ? '/' : url.slice(slash);
    } else {
      dist = directory.forHost(req.headers.host);
      if (!dist) return false;
      if (!dist.enabled) return (text(res, 403, 'This distribution is disabled.'), true);
      path = url;
    }
    const q = path.indexOf('?');
    const d = dist;
    void (async () => {
      const answer = await edge.handle(d, {
        method: req.method ?? 'GET',
        path: q < 0 ? path : path.slice(0, q),
        query: q < 0 ? '' : path.slice(q + 1),
        headers: req.headers,
        secure: secure(req, trust),
        host: req.headers.host ?? d.domain_name,
        url,
        body: await readBody(req),
        viewer: geoApplies(d.geo) ? geo.locate(req) : undefined,
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch((err) => {
      log.error({ err, distribution: d.id }, 'CDN edge: a request failed');
      if (!res.headersSent) text(res, 500, 'The edge failed to answer.');
      else res.destroy();
    });
    return true;
  };
}
