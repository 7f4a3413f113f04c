// One viewer request through a distribution: the behaviour its path matches, allowed methods (405), the viewer
// protocol policy, the default root object, the cache (cached methods) or a pass to the origin (the others), custom
// error responses, and the per-distribution figures.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Deps } from '../../platform/deps.js';
import type { CacheBehavior, EdgeDistribution } from '../model.js';
import { geoDecision, type Viewer } from '../geo/decision.js';
import { cacheKey, type ViewerRequest } from './cache-key.js';
import { EdgeCache } from './cache.js';
import { DiskTier } from './disk-tier.js';
import { type CacheResult, cdnMetrics, type CdnMetrics, viewerFigures } from './metrics.js';
import { fetchOrigin, OriginUnreachable } from './origin.js';
import { answerFrom, edgeHeaders, type EdgeAnswer } from './respond.js';
import { EdgeStore } from './store.js';
import { matchesPath } from './wildcard.js';

export interface EdgeRequest extends ViewerRequest {
  /** the request reached the platform over https (directly, or per X-Forwarded-Proto from a trusted proxy) */
  secure: boolean;
  host: string;
  /** the path and query as the viewer sent them (a redirect keeps them) */
  url: string;
  body?: Buffer;
  /** where the viewer is (geo/viewer.ts); absent when the distribution has no geographic rules */
  viewer?: Viewer;
  /** the fetch of a custom error page: a geo-denied viewer still gets the page (as CloudFront) */
  errorPage?: boolean;
}

export const behaviorFor = (dist: EdgeDistribution, path: string): CacheBehavior =>
  dist.behaviors.find((b) => matchesPath(b.path_pattern, path)) ?? dist.behaviors[dist.behaviors.length - 1]!;

const plain = (status: number, text: string, extra: Record<string, string> = {}): EdgeAnswer => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...extra },
  body: Buffer.from(text),
});

export class Edge {
  readonly store: EdgeStore;
  readonly metrics: CdnMetrics;
  private cache: EdgeCache;

  constructor(private deps: Deps) {
    const { memoryBytes, diskBytes } = deps.config.cdn;
    this.store = new EdgeStore(
      memoryBytes,
      new DiskTier(
        join(deps.config.dataDir, 'cdn-cache', `${process.pid}-${randomBytes(4).toString('hex')}`),
        diskBytes,
      ),
    );
    this.metrics = cdnMetrics(deps.metrics);
    this.cache = new EdgeCache(deps, this.store, this.metrics);
  }

  async handle(dist: EdgeDistribution, req: EdgeRequest): Promise<EdgeAnswer> {
    let result: CacheResult = 'error';
    let answer: EdgeAnswer;
    try {
      ({ answer, result } = await this.answer(dist, req));
    } catch (e) {
      if (!(e instanceof OriginUnreachable)) throw e;
      // CloudFront's answers: 504 when the origin did not answer in time, 502 when it could not be reached.
      answer = plain(
        e.timedOut ? 504 : 502,
        e.timedOut ? 'The origin did not answer in time.' : 'The origin is unreachable.',
      );
      Object.assign(answer.headers, edgeHeaders('error', this.location(dist)));
      answer = (await this.customError(dist, req, answer)) ?? answer;
    }
    const figures = viewerFigures(this.metrics, dist.id);
    figures.result(result).inc();
    figures.code(answer.status).inc();
    figures.toViewer.inc(answer.body.length);
    return answer;
  }

  location = (dist: EdgeDistribution) => dist.edge_locations[0] ?? 'atx1';

  private async answer(dist: EdgeDistribution, req: EdgeRequest): Promise<{ answer: EdgeAnswer; result: CacheResult }> {
    const path = req.path === '/' && dist.default_root_object ? `/${dist.default_root_object}` : req.path;
    const geo = geoDecision(dist.geo, req.viewer ?? {});
    if (!geo.allowed && !req.errorPage) {
      const denied = plain(
        403,
        'This distribution is not available in your country.',
        edgeHeaders('error', this.location(dist)),
      );
      return { result: 'error', answer: (await this.customError(dist, req, denied)) ?? denied };
    }
    const matched = behaviorFor(dist, path);
    // An origin route replaces the behaviour's target; the key then names the origin, so viewers routed elsewhere
    // never share an entry.
    const routed = geo.allowed ? geo.target_origin_id : undefined;
    const behavior = routed ? { ...matched, target_origin_id: routed } : matched;
    const method = req.method.toUpperCase();
    const location = this.location(dist);
    if (!behavior.allowed_methods.includes(method))
      return {
        result: 'error',
        answer: plain(405, `${method} is not allowed here.`, { allow: behavior.allowed_methods.join(', ') }),
      };
    if (!req.secure && behavior.viewer_protocol_policy === 'redirect-to-https') {
      return {
        result: 'error',
        answer: plain(301, 'Moved Permanently', { location: `https://${req.host}${req.url}` }),
      };
    }
    if (!req.secure && behavior.viewer_protocol_policy === 'https-only')
      return { result: 'error', answer: plain(403, 'This distribution answers only over HTTPS.') };
    const k = cacheKey(dist.id, dist.config_version, { ...req, path }, behavior.cache_policy);
    if (routed) k.key += `\u0000origin:${routed}`;
    const now = () => this.deps.clock.now();
    if (!behavior.cached_methods.includes(method)) {
      this.metrics.originRequests.inc({ distribution: dist.id });
      const res = await fetchOrigin(this.deps, dist, behavior.target_origin_id, {
        method,
        path: k.originPath,
        headers: {
          ...k.forward,
          ...(req.headers['content-type'] ? { 'content-type': String(req.headers['content-type']) } : {}),
        },
        body: req.body,
      });
      const headers = { ...res.headers, ...edgeHeaders('pass', location), 'content-length': String(res.body.length) };
      return {
        result: 'pass',
        answer: (await this.customError(dist, req, { ...res, headers })) ?? { ...res, headers },
      };
    }
    const errorTtl = (status: number) =>
      dist.custom_error_responses.find((c) => c.error_code === status)?.error_caching_min_ttl;
    const { result, entry } = await this.cache.get(dist, behavior, path, k, req.headers, errorTtl);
    const range = req.headers['range'] as string | undefined;
    const answer = answerFrom(entry, result, { now: now(), location, method, range });
    return { result, answer: (await this.customError(dist, req, answer)) ?? answer };
  }

  /** A custom error response for an error status: the configured page (through the edge) and status code. */
  private async customError(
    dist: EdgeDistribution,
    req: EdgeRequest,
    answer: EdgeAnswer,
  ): Promise<EdgeAnswer | undefined> {
    if (answer.status < 400) return undefined;
    const c = dist.custom_error_responses.find((r) => r.error_code === answer.status);
    if (!c || (req.headers['x-atonix-error-page'] && c.response_page_path)) return undefined;
    if (!c.response_page_path) return c.response_code ? { ...answer, status: c.response_code } : undefined;
    const page = await this.answer(dist, {
      ...req,
      method: 'GET',
      path: c.response_page_path,
      query: '',
      errorPage: true,
      // marks the page's own fetch, so a missing page does not ask for itself again
      headers: { ...req.headers, range: undefined, 'x-atonix-error-page': '1' },
    });
    if (page.answer.status >= 400) return undefined;
    return { ...page.answer, status: c.response_code ?? answer.status };
  }
}
