// Six hours of the series the Overview dashboard draws, written for one user through POST /api/monitoring/metrics:
// API request counters per operation and code, a latency histogram, two instances' CPU and two buckets' sizes. Values
// follow fixed curves (no randomness), so a drawing test knows there is something to draw in every panel.
import type { TestApp } from './app.js';

type Agent = TestApp['admin'];
type Point = { name: string; labels: Record<string, string>; value: number; timestamp: number };

const STEP_MS = 120_000;
const SPAN_MS = 6 * 3600_000;
const BUCKETS = ['0.01', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
/** Share of requests at or under each bucket's bound (cumulative, as Prometheus histograms are). */
const SHARE = [0.2, 0.55, 0.8, 0.93, 0.98, 0.995, 1];

export function overviewPoints(endMs: number): Point[] {
  const points: Point[] = [];
  const start = endMs - SPAN_MS;
  const at = (i: number) => start + i * STEP_MS;
  const steps = SPAN_MS / STEP_MS;
  const counters: Record<string, number> = {};
  const add = (name: string, labels: Record<string, string>, i: number, value: number) =>
    points.push({ name, labels, value, timestamp: at(i) });
  for (let i = 0; i <= steps; i++) {
    const wave = 1 + 0.5 * Math.sin(i / 15);
    for (const [operation, perStep] of [
      ['listInstances', 240],
      ['getBucket', 120],
      ['createVpc', 30],
    ] as const) {
      const key = `${operation}/200`;
      counters[key] = (counters[key] ?? 0) + Math.round(perStep * wave);
      add('atonix_api_requests_total', { operation, code: '200' }, i, counters[key]!);
    }
    counters.errors = (counters.errors ?? 0) + (i % 10 === 0 ? 3 : 0);
    add('atonix_api_requests_total', { operation: 'createVpc', code: '500' }, i, counters.errors);
    counters.hist = (counters.hist ?? 0) + Math.round(390 * wave);
    BUCKETS.forEach((le, b) =>
      add(
        'atonix_api_request_duration_seconds_bucket',
        { operation: 'listInstances', le },
        i,
        Math.round(counters.hist! * SHARE[b]!),
      ),
    );
    for (const [resource_id, base] of [
      ['inst-web0000000000001', 35],
      ['inst-db00000000000002', 60],
    ] as const)
      add(
        'atonix_instance_cpu_utilization_percent',
        { resource_id, kind: 'instance' },
        i,
        base + 20 * Math.sin(i / 12 + base),
      );
    for (const [resource_id, bytes] of [
      ['bkt-logs000000000001', 3.2e9],
      ['bkt-assets0000000002', 7.5e8],
    ] as const)
      add('atonix_bucket_size_bytes', { resource_id, kind: 'bucket' }, i, Math.round(bytes * (1 + i / steps)));
  }
  return points;
}

/** Writes the points as `agent` in batches of the API's largest size. */
export async function writeOverviewSeries(agent: Agent, endMs: number): Promise<number> {
  const points = overviewPoints(endMs);
  for (let i = 0; i < points.length; i += 1000)
    await agent
      .post('/api/monitoring/metrics')
      .send({ points: points.slice(i, i + 1000) })
      .expect(204);
  return points.length;
}
