// The edge on the API port: `/cdn/<distribution-id>/<path>`, and `/<path>` for a Host that is a deployed
// distribution's alias or domain name. Mounted before the API: a request that is neither costs one prefix test and
// one map lookup. The directory holds what the control plane deployed (EdgeDistribution, model.ts); invalidations
// drop matching entries from both tiers.
import type { NextFunction, Request, Response } from 'express';
import type { Deps } from '../../platform/deps.js';
import { geoApplies } from '../geo/decision.js';
import { viewerLocatorOf } from '../geo/viewer.js';
import type { EdgeDistribution } from '../model.js';
import { Edge } from './edge.js';
import { matchesPath } from './wildcard.js';

export class EdgeDirectory {
  private byId = new Map<string, EdgeDistribution>();
  private hosts = new Map<string, string>();
  /** ids the control plane knows but has not deployed yet: 403 rather than 404 */
  private pending = new Set<string>();

  constructor(private edge: Edge) {}

  /** A deployed distribution, new or changed: entries of an older config version are dropped. */
  put(d: EdgeDistribution) {
    const old = this.byId.get(d.id);
    if (old) this.remove(d.id);
    if (old && old.config_version !== d.config_version) this.edge.store.dropWhere((e) => e.distributionId === d.id);
    this.byId.set(d.id, d);
    this.pending.delete(d.id);
    for (const h of [d.domain_name, ...d.aliases]) if (h) this.hosts.set(h.toLowerCase(), d.id);
  }

  /** A distribution being deployed (or disabled while it is): answered 403 until `put`. */
  markPending(id: string) {
    this.pending.add(id);
  }

  remove(id: string) {
    const d = this.byId.get(id);
    this.byId.delete(id);
    this.pending.delete(id);
    if (d)
      for (const h of [d.domain_name, ...d.aliases])
        if (this.hosts.get(h.toLowerCase()) === id) this.hosts.delete(h.toLowerCase());
  }

  get(id: string) {
    return this.byId.get(id);
  }

  isPending(id: string) {
    return this.pending.has(id);
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

function readBody(req: Request): Promise<Buffer | undefined> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function cdnMiddleware(deps: Deps) {
  const { edge, directory } = edgeOf(deps);
  const geo = viewerLocatorOf(deps.config);
  return (req: Request, res: Response, next: NextFunction) => {
    let dist: EdgeDistribution | undefined;
    let path: string;
    const url = req.url;
    if (url.startsWith('/cdn/')) {
      const slash = url.indexOf('/', 5);
      const end = slash < 0 ? url.indexOf('?') : slash;
      const id = url.slice(5, end < 0 ? undefined : end);
      dist = directory.get(id);
      if (!dist || !dist.enabled) {
        const status = dist || directory.isPending(id) ? 403 : 404;
        res
          .status(status)
          .type('text/plain')
          .end(status === 403 ? 'This distribution is not serving.' : 'No such distribution.');
        return;
      }
      path = slash < 0 ? '/' : url.slice(slash);
    } else {
      dist = directory.forHost(req.headers.host);
      if (!dist) return next();
      if (!dist.enabled) {
        res.status(403).type('text/plain').end('This distribution is disabled.');
        return;
      }
      path = url;
    }
    const q = path.indexOf('?');
    void (async () => {
      const answer = await edge.handle(dist, {
        method: req.method,
        path: q < 0 ? path : path.slice(0, q),
        query: q < 0 ? '' : path.slice(q + 1),
        headers: req.headers,
        secure: req.protocol === 'https',
        host: req.headers.host ?? dist.domain_name,
        url,
        body: await readBody(req),
        viewer: geoApplies(dist.geo) ? geo.locate(req) : undefined,
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    })().catch(next);
  };
}
