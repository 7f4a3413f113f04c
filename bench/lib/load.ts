// One load case: a warm-up run that is thrown away, then a measured autocannon run. Latencies are
// collected per response (autocannon's own histogram has 1 ms resolution) so p99 is exact to the microsecond.
import autocannon, { type Options } from 'autocannon';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** the status every response must have */
  expectStatus: number;
}

export interface Measurement {
  requests: number;
  seconds: number;
  /** completed requests with the expected status per second over the measured run */
  rps: number;
  p50: number;
  p99: number;
  /** responses with another status, connection errors and timeouts */
  failures: number;
  statuses: Record<string, number>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(spec: LoadSpec, seconds: number, record?: (status: number, ms: number) => void) {
  const opts: Options = {
    url: spec.url, method: spec.method ?? 'GET', headers: spec.headers, body: spec.body,
    connections: spec.connections, pipelining: 1, duration: seconds, timeout: 10,
  };
  const instance = autocannon(opts);
  if (record) instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => record(status, ms));
  return await instance;
}

/** `around` runs just before and just after the measured run (not the warm-up), e.g. to sample CPU time. */
export async function measure(spec: LoadSpec, around?: { before(): void; after(): void }): Promise<Measurement> {
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  around?.before();
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  let good = 0;
  const result = await run(spec, spec.seconds, (status, ms) => {
    if (status !== spec.expectStatus) return;
    good++;
    if (n === latencies.length) { const grown = new Float64Array(n * 2); grown.set(latencies); latencies = grown; }
    latencies[n++] = ms;
  });
  around?.after();
  const sorted = latencies.subarray(0, n).sort();
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statuses[code] = count;
  const failures = Object.entries(statuses).filter(([c]) => Number(c) !== spec.expectStatus).reduce((s, [, c]) => s + c, 0)
    + result.errors + result.timeouts;
  return {
    requests: good, seconds: result.duration, rps: good / result.duration,
    p50: percentile(sorted, 50), p99: percentile(sorted, 99), failures, statuses,
  };
}
