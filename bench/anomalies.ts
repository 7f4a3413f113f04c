// `npm run bench:anomalies`: can anomaly scoring keep up with metric ingest? In one run, on one embedded PostgreSQL:
// the same new points are (1) ingested through POST /api/monitoring/metrics in batches of 1,000 by an API process
// with no workers (ATONIX_ROLE=api, so nothing scores behind the timing), then (2) scored by one pass of the anomaly
// engine (the code the worker runs on each tick: the claim, the tsdb read in the owner's scope, a robust-z score per
// point against each series' stored baseline, anomalies, episodes and the series' watermarks written). Baselines are
// fitted by an untimed pass over the history first. The figure is scoring points/s ÷ ingest points/s (>= 1: keeps up).
// Writes its section of bench/RESULTS.md.   npm run bench:anomalies [-- --series=200 --history=400 --new=60]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { enginePass } from '../api/src/ai/anomalies/engine.js';
import { createDb } from '../api/src/platform/db/knex.js';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import type { Deps } from '../api/src/platform/deps.js';
import { startChild, stopAll } from './lib/children.js';
import { Api } from './lib/fixtures.js';
import { writeSection } from './lib/report.js';
import { startFlags } from './lib/source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    series: { type: 'string', default: '200' },
    history: { type: 'string', default: '400' },
    new: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '4' },
  },
});
const SERIES = Number(opt.series);
const HISTORY = Number(opt.history);
const NEW = Number(opt.new);
const CONCURRENCY = Number(opt.concurrency);
const BATCH = 1000;
const MIN = 60_000;
const ADMIN = 'atx_bench_admin_token_not_a_secret_000000';
const METRIC = 'atonix_instance_cpu_utilization_percent';
const log = (m: string) => process.stderr.write(`[bench:anomalies ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const watchdog = setTimeout(() => void stopAll().finally(() => process.exit(2)), 10 * 60_000);

/** A series' value at minute k: a level per series, a little deterministic noise, and a spike in 1% of new minutes. */
const value = (s: number, k: number, fresh: boolean) =>
  20 + (s % 50) + (((k * 9301 + s * 49297) % 233280) / 233280 - 0.5) * 4 + (fresh && (k + s) % 100 === 0 ? 60 : 0);

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-anomalies-'));
chmodSync(tmp, 0o755);
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
      ATONIX_ROLE: 'api',
      LOG_LEVEL: 'warn',
    },
    readyPath: '/readyz',
    nodeFlags: startFlags(ROOT),
  });
  const user = await new Api(api.url, ADMIN).user('bench-anomalies');
  await user.api.call('POST', '/api/ai/anomalies/subscribe', {
    name: 'bench',
    selector: `${METRIC}{bench="anomalies"}`,
    min_duration: '2m',
    channel: { type: 'websocket' },
  });
  const end = Date.now() - MIN;
  const t0 = end - (HISTORY + NEW) * MIN;
  // Every point of minutes [from, to) of every series, series fastest, as JSON batches of BATCH.
  const bodies = (from: number, to: number, fresh: boolean) => {
    const all = [];
    for (let k = from; k < to; k++)
      for (let s = 0; s < SERIES; s++)
        all.push({
          name: METRIC,
          labels: { resource_id: `inst-${String(s).padStart(6, '0')}`, bench: 'anomalies' },
          value: value(s, k, fresh),
          timestamp: t0 + k * MIN,
        });
    const out: string[] = [];
    for (let i = 0; i < all.length; i += BATCH) out.push(JSON.stringify({ points: all.slice(i, i + BATCH) }));
    return { out, points: all.length };
  };
  const send = async (list: string[]) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < list.length) {
          const r = await fetch(`${api.url}/api/monitoring/metrics`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${user.token}`, 'Content-Type': 'application/json' },
            body: list[next++]!,
          });
          if (r.status !== 204) throw new Error(`POST answered ${r.status}: ${await r.text()}`);
        }
      }),
    );
  };

  const knex = createDb(db.url, 4);
  const deps = {
    db: knex,
    clock: { now: () => Date.now() },
    log: pino({ level: 'warn' }),
    config: { alerts: { externalUrl: 'http://127.0.0.1' } },
  } as unknown as Deps;
  const score = enginePass(deps);

  log(`history: ${SERIES} series x ${HISTORY} minutes (untimed), then a fitting pass`);
  await send(bodies(0, HISTORY, false).out);
  await score(t0 + HISTORY * MIN);
  const fitted = Number((await knex('ai_anomaly_series').whereNotNull('model').count('* as n'))[0]!.n);
  if (fitted !== SERIES) throw new Error(`${fitted} of ${SERIES} baselines fitted`);

  const fresh = bodies(HISTORY, HISTORY + NEW, true);
  log(`ingest: ${fresh.points} points in ${fresh.out.length} batches, ${CONCURRENCY} in flight`);
  const i0 = process.hrtime.bigint();
  await send(fresh.out);
  const ingestSeconds = Number(process.hrtime.bigint() - i0) / 1e9;

  log('scoring: one engine pass over the same points');
  const s0 = process.hrtime.bigint();
  await score(end + 1);
  const scoreSeconds = Number(process.hrtime.bigint() - s0) / 1e9;
  const anomalies = Number((await knex('ai_anomalies').count('* as n'))[0]!.n);
  const episodes = Number((await knex('ai_anomaly_episodes').count('* as n'))[0]!.n);
  const pgVersion = (await knex.raw('show server_version')).rows[0].server_version;
  await knex.destroy();

  const ingestRate = fresh.points / ingestSeconds;
  const scoreRate = fresh.points / scoreSeconds;
  const ratio = scoreRate / ingestRate;
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const section = [
    '<!-- anomalies-bench:start -->',
    '## Anomaly scoring against metric ingest',
    '',
    `Produced by \`npm run bench:anomalies -- --series=${SERIES} --history=${HISTORY} --new=${NEW} --concurrency=${CONCURRENCY}\` on ${new Date().toISOString().slice(0, 19)}Z; ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL ${pgVersion} embedded, load average before ${load.join(' / ')}. ${f(SERIES)} series of \`${METRIC}\` at one point a minute, ${f(HISTORY)} minutes of history (ingested and fitted untimed), then ${f(fresh.points)} new points (${f(NEW)} minutes, 1% of them spikes). Ingest: POST /api/monitoring/metrics in batches of ${BATCH} by ${CONCURRENCY} clients to an API process without workers. Scoring: one pass of the anomaly engine (api/src/ai/anomalies/engine.ts, what the worker runs on a tick) over the same points, in one subscription matching every series; it stored ${f(anomalies)} anomalies in ${f(episodes)} episodes. The whole run took ${f((Date.now() - started) / 1000, 1)} s.`,
    '',
    '| Case | points | seconds | points/s | ÷ ingest |',
    '|---|---:|---:|---:|---:|',
    `| Baseline: ingest through POST /api/monitoring/metrics | ${f(fresh.points)} | ${f(ingestSeconds, 2)} | ${f(ingestRate)} | 1.00x |`,
    `| Anomaly engine: one scoring pass over the same points | ${f(fresh.points)} | ${f(scoreSeconds, 2)} | ${f(scoreRate)} | ${f(ratio, 2)}x |`,
    '',
    `Target: scoring keeps up with ingest (at least 1.00x); ${ratio >= 1 ? 'met' : 'not met'}.`,
    '<!-- anomalies-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'anomalies-bench', section);
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
