// The edge's caching core for one behaviour's request: a fresh stored variant is a Hit; a stale one is served while a
// single background refresh runs (stale-while-revalidate), or revalidated with a conditional request (a 304 refreshes
// it: RefreshHit), or served when the origin fails (stale-if-error); a miss asks the origin once for all concurrent
// viewers of the key (request collapsing) and stores what may be stored. Time is the platform clock.
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Deps } from '../../platform/deps.js';
import type { CacheBehavior, EdgeDistribution } from '../model.js';
import type { KeyedRequest } from './cache-key.js';
import { type Entry, staleness } from './entry.js';
import { freshness, initialAge } from './freshness.js';
import { fetchOrigin, OriginUnreachable, type OriginResponse } from './origin.js';
import type { EdgeStore } from './store.js';
import { varyValuesOf, variantMatches } from './vary.js';
import type { CacheResult, CdnMetrics } from './metrics.js';

export interface CacheAnswer {
  result: CacheResult;
  /** the stored entry served, or the origin's answer when nothing was stored */
  entry: Entry;
}

/** Types worth compressing (CloudFront's list, shortened to its families). */
const COMPRESSIBLE =
  /^(text\/|application\/(json|javascript|xml|x-javascript|ld\+json|manifest\+json|wasm)|image\/svg\+xml)/;

/** Headers a 304 may not replace on the stored response (§3.2: the body's own framing stays). */
const KEEP_ON_304 = new Set(['content-length', 'content-encoding', 'content-range', 'transfer-encoding']);

export class EdgeCache {
  /** one origin request per key in flight; concurrent viewers of the key wait for it */
  private inflight = new Map<string, Promise<Entry>>();
  /** entries a 304 refreshed (the viewer's answer is then a RefreshHit, not a Miss) */
  private refreshedBy304 = new WeakSet<Entry>();

  constructor(
    private deps: Deps,
    private store: EdgeStore,
    private metrics: CdnMetrics,
  ) {}

  async get(
    dist: EdgeDistribution,
    behavior: CacheBehavior,
    viewerPath: string,
    k: KeyedRequest,
    reqHeaders: Record<string, string | string[] | undefined>,
    errorTtl: (status: number) => number | undefined,
  ): Promise<CacheAnswer> {
    const now = this.deps.clock.now();
    const stored = await this.store.lookup(k.key, reqHeaders, k.encoding);
    if (stored) {
      const over = staleness(stored, now);
      if (over < 0) return { result: 'hit', entry: stored };
      const f = stored.freshness;
      if (over < f.staleWhileRevalidate) {
        void this.collapsed(`refresh\u0000${k.key}`, () =>
          this.fetch(dist, behavior, viewerPath, k, reqHeaders, errorTtl, stored),
        ).catch(() => {});
        return { result: 'stale', entry: stored };
      }
      try {
        const e = await this.collapsed(k.key, () =>
          this.fetch(dist, behavior, viewerPath, k, reqHeaders, errorTtl, stored),
        );
        if (e.status >= 500 && over < f.staleIfError) return { result: 'stale', entry: stored };
        return { result: this.refreshedBy304.has(e) ? 'refresh_hit' : 'miss', entry: e };
      } catch (err) {
        if (over < f.staleIfError) return { result: 'stale', entry: stored };
        throw err;
      }
    }
    const e = await this.collapsed(
      k.key,
      () => this.fetch(dist, behavior, viewerPath, k, reqHeaders, errorTtl),
      dist.id,
    );
    // A collapsed fetch made for a viewer whose Vary values differ does not answer this one: it asks for itself.
    if (!variantMatches(e, reqHeaders, k.encoding))
      return { result: 'miss', entry: await this.fetch(dist, behavior, viewerPath, k, reqHeaders, errorTtl) };
    return { result: 'miss', entry: e };
  }

  private collapsed(key: string, run: () => Promise<Entry>, distribution?: string): Promise<Entry> {
    let p = this.inflight.get(key);
    if (p && distribution) this.metrics.collapsed.inc({ distribution });
    if (!p) {
      p = run().finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** Asks the origin (conditionally when `stale` has validators) and stores what may be stored. */
  private async fetch(
    dist: EdgeDistribution,
    behavior: CacheBehavior,
    viewerPath: string,
    k: KeyedRequest,
    reqHeaders: Record<string, string | string[] | undefined>,
    errorTtl: (status: number) => number | undefined,
    stale?: Entry,
  ): Promise<Entry> {
    const headers = { ...k.forward };
    if (stale?.headers['etag']) headers['if-none-match'] = stale.headers['etag'];
    if (stale?.headers['last-modified']) headers['if-modified-since'] = stale.headers['last-modified'];
    const labels = { distribution: dist.id };
    this.metrics.originRequests.inc(labels);
    const res = await fetchOrigin(this.deps, dist, behavior.target_origin_id, {
      method: 'GET',
      path: k.originPath,
      headers,
    });
    this.metrics.bytes.inc({ ...labels, direction: 'from_origin' }, res.body.length);
    const now = this.deps.clock.now();
    if (res.status === 304 && stale) return this.refreshed(stale, res, behavior, now);
    const entry = this.entryOf(
      dist,
      behavior,
      viewerPath,
      k,
      reqHeaders,
      compressed(behavior, k.encoding, res),
      now,
      errorTtl,
    );
    // Stored when fresh for a while, or when it carries validators a later request can revalidate with.
    const uncacheable = entry.key.endsWith('\u0000uncacheable');
    if (!uncacheable && (entry.freshness.lifetime > 0 || entry.headers['etag'] || entry.headers['last-modified']))
      this.store.put(entry);
    return entry;
  }

  /** A 304 merges its headers into the stored response and restarts its freshness (§4.3.4). */
  private refreshed(stale: Entry, res: OriginResponse, behavior: CacheBehavior, now: number): Entry {
    const headers = { ...stale.headers };
    for (const [n, v] of Object.entries(res.headers)) if (!KEEP_ON_304.has(n)) headers[n] = v;
    const f = freshness(stale.status, headers, behavior.cache_policy) ?? { ...stale.freshness, lifetime: 0 };
    const e: Entry = { ...stale, headers, receivedAt: now, initialAge: initialAge(res.headers), freshness: f };
    this.store.put(e);
    this.refreshedBy304.add(e);
    return e;
  }

  private entryOf(
    dist: EdgeDistribution,
    behavior: CacheBehavior,
    viewerPath: string,
    k: KeyedRequest,
    reqHeaders: Record<string, string | string[] | undefined>,
    res: OriginResponse,
    now: number,
    errorTtl: (status: number) => number | undefined,
  ): Entry {
    const authorized = reqHeaders['authorization'] !== undefined && k.forward['authorization'] !== undefined;
    let f = freshness(res.status, res.headers, behavior.cache_policy, { authorized });
    // Errors a custom error response names are kept for its error_caching_min_ttl, as CloudFront does.
    const errTtl = res.status >= 400 ? errorTtl(res.status) : undefined;
    if (errTtl !== undefined)
      f = { lifetime: errTtl, staleWhileRevalidate: 0, staleIfError: 0, mustRevalidate: true, source: 'default' };
    const uncacheable = !f || (res.status >= 500 && errTtl === undefined);
    return {
      key: uncacheable ? `${k.key}\u0000uncacheable` : k.key,
      distributionId: dist.id,
      path: viewerPath,
      status: res.status,
      headers: res.headers,
      body: res.body,
      receivedAt: now,
      initialAge: initialAge(res.headers),
      freshness: uncacheable
        ? { lifetime: 0, staleWhileRevalidate: 0, staleIfError: 0, mustRevalidate: true, source: 'no-cache' }
        : f!,
      varyValues: varyValuesOf(res.headers, reqHeaders, k.encoding),
    };
  }
}

/** The origin's uncompressed answer compressed for the key's coding when the behaviour compresses (1 KB to 10 MB). */
function compressed(behavior: CacheBehavior, encoding: string, res: OriginResponse): OriginResponse {
  const type = res.headers['content-type'] ?? '';
  if (!behavior.compress || encoding === 'identity' || res.status !== 200 || res.headers['content-encoding'])
    return res;
  if (!COMPRESSIBLE.test(type) || res.body.length < 1000 || res.body.length > 10_000_000) return res;
  const body =
    encoding === 'br'
      ? brotliCompressSync(res.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
      : gzipSync(res.body, { level: 6 });
  const vary = res.headers['vary'] ? `${res.headers['vary']}, Accept-Encoding` : 'Accept-Encoding';
  const headers: Record<string, string> = { ...res.headers, 'content-encoding': encoding, vary };
  delete headers['content-length'];
  delete headers['etag']; // a strong validator names the identity bytes; weakened as CloudFront does
  if (res.headers['etag'])
    headers['etag'] = res.headers['etag'].startsWith('W/') ? res.headers['etag'] : `W/${res.headers['etag']}`;
  return { ...res, headers, body };
}

export { OriginUnreachable };
