// `npm run bench:ingest`: points per second through POST /api/monitoring/metrics in batches of 1,000 (issue 19's
// ingest figure) against a bare COPY of the same points into the same table in the same run. The API runs as
// `npm start` does (ATONIX_ROLE=all) on embedded PostgreSQL; the series exist before the timed part (steady ingest,
// what a scrape loop does). The baseline is a server-side `COPY metric_samples FROM '<file>'` of exactly the rows
// the API stored (read back with COPY TO), into the emptied table: no client, no network, no parsing of JSON.
// Writes its section of bench/RESULTS.md.   npm run bench:ingest [-- --batches=300 --series=1000 --concurrency=4]
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { startChild, stopAll } from './lib/children.js';
import { Api } from './lib/fixtures.js';
import { writeSection } from './lib/report.js';
import { startFlags } from './lib/source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    batches: { type: 'string', default: '300' },
    series: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
  },
});
const BATCHES = Number(opt.batches);
const SERIES = Number(opt.series);
const CONCURRENCY = Number(opt.concurrency);
const BATCH = 1000;
const ADMIN = 'atx_bench_admin_token_not_a_secret_000000';
const log = (m: string) => process.stderr.write(`[bench:ingest ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const watchdog = setTimeout(() => void stopAll().finally(() => process.exit(2)), 6 * 60_000);

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-ingest-'));
chmodSync(tmp, 0o755); // the postgres user enters it (the data dir, the baseline's file)
const db = await startEmbedded(join(tmp, 'pgdata'));
const started = Date.now();
try {
  const load = os.loadavg().map((x) => x.toFixed(2));
  const api = await startChild({
    name: 'api',
    script: 'api/src/main.ts',
    cwd: ROOT,
    logDir: tmp,
    env: {
      DATABASE_URL: db.url,
      ATONIX_DATA_DIR: join(tmp, 'api-data'),
      ATONIX_ADMIN_TOKEN: ADMIN,
      ATONIX_RATE_LIMIT_PER_SECOND: '0',
      ATONIX_ROLE: 'all',
      LOG_LEVEL: 'warn',
    },
    readyPath: '/readyz',
    nodeFlags: startFlags(ROOT),
  });
  const user = await new Api(api.url, ADMIN).user('bench-ingest');
  // Batch k: every `BATCH` consecutive points of the (series, time) grid, series fastest (a scrape's shape).
  const t0 = Date.now() - (BATCHES * BATCH * 1000) / SERIES - 60_000;
  const body = (k: number) =>
    JSON.stringify({
      points: Array.from({ length: BATCH }, (_, i) => {
        const n = k * BATCH + i;
        return {
          name: 'atonix_instance_cpu_utilization_percent',
          labels: { resource_id: `inst-${String(n % SERIES).padStart(6, '0')}`, kind: 'instance' },
          value: ((n * 7919) % 1000) / 10,
          timestamp: t0 + Math.floor(n / SERIES) * 1000,
        };
      }),
    });
  const post = async (b: string) => {
    const r = await fetch(`${api.url}/api/monitoring/metrics`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
      body: b,
    });
    if (r.status !== 204) throw new Error(`POST answered ${r.status}: ${await r.text()}`);
  };
  // Warm-up (not timed): creates the series, so the timed batches find every id in the writer's cache.
  log(`warm-up: ${Math.ceil(SERIES / BATCH)} batches`);
  for (let k = 0; k < Math.ceil(SERIES / BATCH); k++) await post(body(k));
  const warm = Math.ceil(SERIES / BATCH);
  const bodies = Array.from({ length: BATCHES }, (_, k) => body(warm + k));
  log(`API: ${BATCHES} batches of ${BATCH}, ${CONCURRENCY} in flight`);
  let next = 0;
  const a0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await post(bodies[next++]!);
    }),
  );
  const apiSeconds = Number(process.hrtime.bigint() - a0) / 1e9;
  const points = BATCHES * BATCH;

  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {}); // the database stopping at the end ends this connection too
  await client.connect();
  const copyDir = join(tmp, 'copy');
  mkdirSync(copyDir);
  chmodSync(copyDir, 0o777); // the server process (the postgres user) writes and reads the file
  const file = join(copyDir, 'samples.copy');
  const minT = t0 + (warm * BATCH * 1000) / SERIES;
  await client.query(`copy (select series_id, t, v from metric_samples where t >= ${minT}) to '${file}'`);
  const copied = Number((await client.query(`select count(*) from metric_samples where t >= ${minT}`)).rows[0].count);
  if (copied !== points) throw new Error(`the API stored ${copied} of ${points} timed points`);
  await client.query('truncate metric_samples');
  await client.query('checkpoint');
  log(`baseline: COPY of the same ${points} rows`);
  const b0 = process.hrtime.bigint();
  await client.query(`copy metric_samples (series_id, t, v) from '${file}'`);
  const copySeconds = Number(process.hrtime.bigint() - b0) / 1e9;
  const pgVersion = (await client.query('show server_version')).rows[0].server_version;
  await client.end();

  const apiRate = points / apiSeconds;
  const copyRate = points / copySeconds;
  const ratio = apiRate / copyRate;
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const section = [
    '<!-- metrics-ingest-bench:start -->',
    '## Metrics ingest',
    '',
    `Produced by \`npm run bench:ingest -- --batches=${BATCHES} --series=${SERIES} --concurrency=${CONCURRENCY}\` on ${new Date().toISOString().slice(0, 19)}Z; ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL ${pgVersion} embedded (fsync on), load average before ${load.join(' / ')}. ${f(points)} points of ${f(SERIES)} series (\`atonix_instance_cpu_utilization_percent{resource_id, kind}\`), one second apart per series, sent as ${f(BATCHES)} JSON batches of ${BATCH} by ${CONCURRENCY} concurrent clients to one API process (\`ATONIX_ROLE=all\`: validation, IAM, the audit record and the samples in one transaction per batch); the series were created by an untimed warm-up. The baseline is a server-side \`COPY metric_samples FROM '<file>'\` of exactly the rows the API stored, into the emptied table (same partitions and indexes). The whole run took ${f((Date.now() - started) / 1000, 1)} s.`,
    '',
    '| Case | points | seconds | points/s | ÷ COPY |',
    '|---|---:|---:|---:|---:|',
    `| Baseline: \`COPY\` of the same rows into \`metric_samples\` | ${f(points)} | ${f(copySeconds, 2)} | ${f(copyRate)} | 1.00x |`,
    `| POST /api/monitoring/metrics, batches of ${BATCH} | ${f(points)} | ${f(apiSeconds, 2)} | ${f(apiRate)} | ${f(ratio, 2)}x |`,
    '',
    `Target: at least 0.3x of COPY; ${ratio >= 0.3 ? 'met' : 'not met'}.`,
    '<!-- metrics-ingest-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'metrics-ingest-bench', section);
  console.log(section);
  await api.stop();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await stopAll();
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}
