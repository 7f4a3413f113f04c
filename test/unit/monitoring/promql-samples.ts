// The samples the PromQL differential tests evaluate on both engines: counters with a reset and a late start, gauges
// with a gap longer than the lookback, classic histograms, a linear trend, and a family whose names collide once
// dropped, and NaN values. Deterministic (a small LCG); two hours at 15 s from a fixed hour in the past, so promtool makes blocks of it.
import type { Labels, SeriesData } from '../../../api/src/monitoring/types.js';

export const BASE = Date.UTC(2024, 0, 1, 0, 0, 0);
export const STEP = 15_000;
export const COUNT = 480;
export const min = (m: number): number => BASE + m * 60_000;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function series(labels: Labels, value: (i: number) => number | null): SeriesData {
  const samples = [];
  for (let i = 0; i < COUNT; i++) {
    const v = value(i);
    if (v !== null) samples.push({ t: BASE + i * STEP, v });
  }
  return { labels, samples };
}

function counter(labels: Labels, seed: number, maxInc: number, opts: { resetAt?: number; from?: number } = {}) {
  const r = lcg(seed);
  let v = 0;
  return series(labels, (i) => {
    if (i === opts.resetAt) v = 0;
    v += Math.floor(r() * (maxInc + 1));
    return opts.from !== undefined && i < opts.from ? null : v;
  });
}

/** A gauge around `center` in quarter steps (exact in binary, so both engines read the same floats). */
function gauge(labels: Labels, seed: number, center: number, gap?: [number, number]) {
  const r = lcg(seed);
  return series(labels, (i) => {
    const v = center + Math.round((r() - 0.5) * 8) / 4;
    return gap && i >= gap[0] && i < gap[1] ? null : v;
  });
}

function histogram(job: string, seed: number): SeriesData[] {
  const bounds = ['0.1', '0.5', '1', '+Inf'];
  const r = lcg(seed);
  const counts = [0, 0, 0, 0];
  const rows: number[][] = [];
  for (let i = 0; i < COUNT; i++) {
    for (let n = 0; n < 5; n++) {
      const x = r();
      const b = x < 0.5 ? 0 : x < 0.8 ? 1 : x < 0.95 ? 2 : 3;
      for (let k = b; k < 4; k++) counts[k]!++;
    }
    rows.push([...counts]);
  }
  return bounds.map((le, k) => series({ __name__: 'req_duration_seconds_bucket', job, le }, (i) => rows[i]![k]!));
}

export const samples: SeriesData[] = [
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '200' }, 1, 5),
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'b', code: '200' }, 2, 10, { resetAt: 200 }),
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'a', code: '500' }, 3, 1),
  counter({ __name__: 'http_requests_total', job: 'api', instance: 'b', code: '500' }, 4, 2, { from: 100 }),
  gauge({ __name__: 'node_temp_celsius', instance: 'a', kind: 'vm' }, 5, 40),
  gauge({ __name__: 'node_temp_celsius', instance: 'b', kind: 'vm' }, 6, 45),
  gauge({ __name__: 'node_temp_celsius', instance: 'c', kind: 'bm' }, 7, 50, [240, 300]),
  gauge({ __name__: 'node_temp_fahrenheit', instance: 'a', kind: 'vm' }, 8, 104),
  ...[0, 1, 2, 3].map((q) =>
    series({ __name__: 'queue_depth', queue: `q${q + 1}` }, (i) => q * 10 + Math.floor(lcg(9 + q * 977 + i)() * 4)),
  ),
  ...histogram('api', 10),
  ...histogram('web', 11),
  series({ __name__: 'disk_free_bytes', instance: 'a' }, (i) => 1e9 - i * 250_000 + (i % 7) * 1000),
  // NaN now and then (not Prometheus' stale marker: a sample whose value is NaN), beside a plain gauge.
  series({ __name__: 'flaky_gauge', instance: 'n' }, (i) => (i % 7 === 3 ? NaN : 10 + (i % 5))),
  series({ __name__: 'flaky_gauge', instance: 'm' }, (i) => 12.5 + (i % 3)),
];
