// Points for the Prometheus API's tests: a user's series (30 minutes at 15 s), sent through POST
// /api/monitoring/metrics, and the same series as the store labels them (with `owner`) for the in-memory engine.
import type { SeriesData } from '../../api/src/monitoring/types.js';
import type { TestApp } from './app.js';

export const API = '/api/monitoring/prometheus/api/v1';
const STEP = 15_000;
const N = 120;

/** Points of one user's series (30 minutes at 15 s before `end`), as sent and as the store will label them. */
export function fixture(owner: string, end: number, instances: string[], seed: number): SeriesData[] {
  const out: SeriesData[] = [];
  instances.forEach((instance, k) => {
    const times = Array.from({ length: N }, (_, i) => end - (N - 1 - i) * STEP);
    let c = 0;
    out.push({
      labels: { __name__: 'http_requests_total', instance, code: '200', owner },
      samples: times.map((t, i) => ({ t, v: (c += ((i * 7 + seed + k) % 5) + 1) })),
    });
    out.push({
      labels: { __name__: 'node_temp_celsius', instance, owner },
      samples: times.map((t, i) => ({ t, v: 40 + seed + k + ((i * 3) % 8) / 4 })),
    });
  });
  return out;
}

export async function send(app: TestApp, token: string, series: SeriesData[]): Promise<void> {
  const points = series.flatMap((s) => {
    const { __name__: name, owner: _, ...labels } = s.labels;
    return s.samples.map((p) => ({ name: name!, labels, value: p.v, timestamp: p.t }));
  });
  for (let i = 0; i < points.length; i += 1000) {
    const metadata =
      i === 0 ? { http_requests_total: { type: 'counter', help: 'Requests served.', unit: '' } } : undefined;
    await app
      .as(token)
      .post('/api/monitoring/metrics')
      .send({ points: points.slice(i, i + 1000), ...(metadata && { metadata }) })
      .expect(204);
  }
}
