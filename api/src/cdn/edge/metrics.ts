// Per-distribution figures of the edge on the platform's /metrics: requests by cache result, bytes from origins and
// to viewers, responses by status class and origin requests (hit ratio = hits / requests; monitoring reads these).
import { Counter } from 'prom-client';
import type { Metrics } from '../../platform/process-metrics.js';

export type CacheResult = 'hit' | 'miss' | 'refresh_hit' | 'stale' | 'pass' | 'error';

export interface CdnMetrics {
  requests: Counter<'distribution' | 'result'>;
  bytes: Counter<'distribution' | 'direction'>;
  responses: Counter<'distribution' | 'code'>;
  originRequests: Counter<'distribution'>;
  collapsed: Counter<'distribution'>;
}

const byRegistry = new WeakMap<object, CdnMetrics>();

/** One set per registry: the edge of a process registers its counters once. */
export function cdnMetrics({ registry }: Metrics): CdnMetrics {
  let m = byRegistry.get(registry);
  if (m) return m;
  const registers = [registry];
  m = {
    requests: new Counter({
      name: 'atonix_cdn_requests_total',
      help: 'Viewer requests the edge answered, by cache result (hit, miss, refresh_hit, stale, pass, error)',
      labelNames: ['distribution', 'result'],
      registers,
    }),
    bytes: new Counter({
      name: 'atonix_cdn_bytes_total',
      help: 'Body bytes the edge read from origins (from_origin) and sent to viewers (to_viewer)',
      labelNames: ['distribution', 'direction'],
      registers,
    }),
    responses: new Counter({
      name: 'atonix_cdn_responses_total',
      help: 'Responses to viewers by status class (2xx, 3xx, 4xx, 5xx)',
      labelNames: ['distribution', 'code'],
      registers,
    }),
    originRequests: new Counter({
      name: 'atonix_cdn_origin_requests_total',
      help: 'Requests the edge sent to origins (misses, revalidations, passes)',
      labelNames: ['distribution'],
      registers,
    }),
    collapsed: new Counter({
      name: 'atonix_cdn_collapsed_requests_total',
      help: "Viewer requests that waited for another's origin request for the same object instead of making their own",
      labelNames: ['distribution'],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}

interface Inc {
  inc(v?: number): void;
}

/** The viewer-side counters of one distribution, bound once (a hit then hashes no label sets). */
export interface ViewerFigures {
  result(r: CacheResult): Inc;
  code(status: number): Inc;
  toViewer: Inc;
}

const bound = new WeakMap<CdnMetrics, Map<string, ViewerFigures>>();

export function viewerFigures(m: CdnMetrics, distribution: string): ViewerFigures {
  let byDist = bound.get(m);
  if (!byDist) bound.set(m, (byDist = new Map()));
  let f = byDist.get(distribution);
  if (!f) {
    const results = new Map<string, Inc>();
    const codes = new Map<string, Inc>();
    const once = (cache: Map<string, Inc>, k: string, make: () => Inc) => {
      let c = cache.get(k);
      if (!c) cache.set(k, (c = make()));
      return c;
    };
    f = {
      result: (r) => once(results, r, () => m.requests.labels({ distribution, result: r })),
      code: (status) => {
        const code = `${Math.floor(status / 100)}xx`;
        return once(codes, code, () => m.responses.labels({ distribution, code }));
      },
      toViewer: m.bytes.labels({ distribution, direction: 'to_viewer' }),
    };
    byDist.set(distribution, f);
  }
  return f;
}
