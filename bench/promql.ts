// `npm run bench:promql`: the Prometheus-compatible query API against Debian's Prometheus 2.42 on the same samples,
// in the same run. Two queries, each timed over HTTP on loopback, answers checked equal before timing:
//   - query_range of one series over 24 hours at a 1-minute step (5,760 samples at 15 s);
//   - query_range of `sum by (kind)` over 1,000 series for one hour at a 1-minute step (260 samples each).
// Our side: the platform in this process (as the test apps run it) on an embedded PostgreSQL of its own, samples
// written through the store's sink; Prometheus: TSDB blocks made by promtool from the same samples as OpenMetrics.
// Writes its section of bench/RESULTS.md.   npm run bench:promql [-- --runs=50]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApp } from '../api/src/app.js';
import { tsdb } from '../api/src/monitoring/tsdb/index.js';
import type { Point, SeriesData } from '../api/src/monitoring/types.js';
import { bootPlatform } from '../api/src/platform/boot.js';
import { loadConfig } from '../api/src/platform/config.js';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { createLogger } from '../api/src/platform/logger.js';
import { startOracle } from '../test/support/prometheus.js';
import { writeSection } from './lib/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({ options: { runs: { type: 'string', default: '50' } } });
const RUNS = Number(opt.runs);
const TOKEN = 'atx_bench_admin_token_not_a_secret_000000';
const MIN = 60_000;
const log = (m: string) => process.stderr.write(`[bench:promql ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const watchdog = setTimeout(() => {
  log('watchdog: the bench ran over 10 minutes');
  process.exit(2);
}, 10 * MIN);

const started = performance.now();
const tmp = mkdtempSync(join(tmpdir(), 'atonix-bench-promql-'));
chmodSync(tmp, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the data dir inside
const pg = await startEmbedded(join(tmp, 'data'));
const config = loadConfig({
  ATONIX_ADMIN_TOKEN: TOKEN,
  ATONIX_MASTER_KEY: Buffer.alloc(32, 0x42).toString('base64'),
  ATONIX_OBJECT_DIR: join(tmp, 'objects'),
  ATONIX_RATE_LIMIT_PER_SECOND: '0',
  ATONIX_METRICS_COLLECT_SECONDS: '0',
  LOG_LEVEL: 'warn',
});
const platform = await bootPlatform(config, pg.url, createLogger('warn'));
const server = createServer(createApp(platform));
await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
const ours = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/monitoring/prometheus`;
let prom: Awaited<ReturnType<typeof startOracle>> | undefined;

/** Samples ending three hours before now, whole minutes (blocks for Prometheus, raw samples for the store). */
function samples(): SeriesData[] {
  const end = Math.floor(platform.clock.now() / MIN) * MIN - 180 * MIN;
  const one: SeriesData = {
    labels: { __name__: 'bench_requests_total', resource_id: 'lb-1', kind: 'load_balancer' },
    samples: [],
  };
  let c = 0;
  for (let t = end - 24 * 60 * MIN; t <= end; t += 15_000) one.samples.push({ t, v: (c += (t / 15_000) % 7) });
  const many: SeriesData[] = [];
  const kinds = ['instance', 'volume', 'bucket', 'load_balancer', 'function'];
  for (let i = 0; i < 1000; i++) {
    const s: SeriesData = {
      labels: { __name__: 'bench_utilization_percent', resource_id: `res-${i}`, kind: kinds[i % kinds.length]! },
      samples: [],
    };
    for (let t = end - 65 * MIN; t < end; t += 15_000) s.samples.push({ t, v: ((i * 31 + t / 15_000) % 400) / 4 });
    many.push(s);
  }
  return [one, ...many];
}

async function get(base: string, path: string, params: Record<string, string>, auth: boolean) {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, {
    headers: auth ? { Authorization: `Bearer ${TOKEN}` } : {},
  });
  const body = (await res.json()) as { status: string; data: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${base}${path}: ${JSON.stringify(body)}`);
  return body;
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.ceil(q * xs.length) - 1]!;

try {
  const data = samples();
  const end = data[0]!.samples[data[0]!.samples.length - 1]!.t;
  log(
    `writing ${data.reduce((n, s) => n + s.samples.length, 0).toLocaleString()} samples to the store and to Prometheus`,
  );
  const adminId = (await platform.db('users').where({ name: 'admin' }).first('id')).id as string;
  const points: Point[] = data.flatMap((s) => {
    const { __name__: name, ...labels } = s.labels;
    return s.samples.map((p) => ({ name: name!, labels, value: p.v, timestamp: p.t }));
  });
  for (let i = 0; i < points.length; i += 20_000) await tsdb(platform).sink.write(adminId, points.slice(i, i + 20_000));
  // Prometheus holds the series with the owner label the store gives them, so both answer the same label sets.
  prom = await startOracle(data.map((s) => ({ labels: { ...s.labels, owner: adminId }, samples: s.samples })));

  const cases = [
    {
      label: 'query_range, one series, 24 h at a 1-minute step (1,441 points)',
      params: {
        query: 'rate(bench_requests_total[5m])',
        start: String((end - 24 * 60 * MIN) / 1000),
        end: String(end / 1000),
        step: '60',
      },
    },
    {
      label: '`sum by (kind)` over 1,000 series, query_range 1 h at a 1-minute step',
      params: {
        query: 'sum by (kind) (bench_utilization_percent)',
        start: String((end - 60 * MIN) / 1000),
        end: String(end / 1000),
        step: '60',
      },
    },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const a = await get(ours, '/api/v1/query_range', c.params, true);
    const b = await get(prom.url, '/api/v1/query_range', c.params, false);
    if (JSON.stringify(a.data) !== JSON.stringify(b.data)) throw new Error(`${c.label}: the answers differ`);
    const times: Record<string, number[]> = { ours: [], prom: [] };
    for (let i = 0; i < 3; i++) {
      await get(ours, '/api/v1/query_range', c.params, true);
      await get(prom.url, '/api/v1/query_range', c.params, false);
    }
    for (let i = 0; i < RUNS; i++) {
      for (const [side, base, auth] of [
        ['ours', ours, true],
        ['prom', prom.url, false],
      ] as const) {
        const t0 = performance.now();
        await get(base, '/api/v1/query_range', c.params, auth);
        times[side]!.push(performance.now() - t0);
      }
    }
    const [o50, o99, p50, p99] = [
      pct(times.ours!, 0.5),
      pct(times.ours!, 0.99),
      pct(times.prom!, 0.5),
      pct(times.prom!, 0.99),
    ];
    log(
      `${c.label}: ours p50 ${o50.toFixed(1)} ms p99 ${o99.toFixed(1)} ms; Prometheus p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms`,
    );
    rows.push(
      `| ${c.label} | ${a.data.result.length} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${o50.toFixed(1)} | ${o99.toFixed(1)} | ${(o99 / p99).toFixed(1)}x |`,
    );
  }
  // Where our time goes: the store's read of the 1,000 series alone, without the engine or HTTP.
  const fetchTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await tsdb(platform).source.select(
      { owner: null },
      [{ name: '__name__', op: '=', value: 'bench_utilization_percent' }],
      end - 65 * MIN,
      end,
    );
    fetchTimes.push(performance.now() - t0);
  }
  const fetchP50 = pct(fetchTimes, 0.5);
  log(`store select of the 1,000 series alone: p50 ${fetchP50.toFixed(1)} ms`);
  const section = [
    '<!-- promql-bench:start -->',
    '## PromQL query latency against Prometheus 2.42',
    '',
    `Produced by \`npm run bench:promql -- --runs=${RUNS}\` on ${new Date().toISOString().slice(0, 19)}Z; ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL embedded. ` +
      `The same samples in both: one counter over 24 h at 15 s (5,761 samples) and 1,000 gauges over 65 min at 15 s (260 each, 5 kinds), ` +
      `in our store (written through its sink) and in Debian's Prometheus 2.42 (blocks from \`promtool tsdb create-blocks-from openmetrics\`). ` +
      `Each query is sent over HTTP on loopback, alternating between the two, ${RUNS} times after 3 warm-up rounds; both answers were checked equal first. ` +
      `Our side includes bearer authentication, IAM and the operation pipeline. The whole run took ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    '',
    '| Query | series out | Prometheus p50 ms | Prometheus p99 ms | ours p50 ms | ours p99 ms | ours p99 ÷ Prometheus p99 |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `Of ours, the store's \`select\` of the 1,000 series' 260,000 samples alone (no engine, no HTTP) takes ${fetchP50.toFixed(1)} ms (p50 of 10).`,
    '<!-- promql-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'promql-bench', section);
  log('bench/RESULTS.md updated');
} finally {
  clearTimeout(watchdog);
  await prom?.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await platform.stop();
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
