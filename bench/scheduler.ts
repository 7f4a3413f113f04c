// `npm run bench:scheduler`: 10,000 scheduled tasks due in the same minute, run by the scheduler when the manual
// platform clock is moved past it, against the same 10,000 calls made straight through the pipeline in the same run.
// Each task renames one VPC of its owner (updateVpc, a merge patch: a transaction with the row locked, the update
// and its audit record), its own name per task, so every call writes. The baseline makes the very same calls as
// the same owner with as many in flight as a sweep allows (SWEEP_CONCURRENCY), measured before and after the
// scheduler's run. The platform runs in this process (as the test apps do) on an embedded PostgreSQL of its own.
// Writes its section of bench/RESULTS.md.   npm run bench:scheduler [-- --tasks=10000]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SWEEP_CONCURRENCY } from '../api/src/automation/scheduler.js';
import { bootPlatform } from '../api/src/platform/boot.js';
import { loadConfig } from '../api/src/platform/config.js';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { createLogger } from '../api/src/platform/logger.js';
import type { Principal } from '../api/src/platform/operations/principals.js';
import { writeSection } from './lib/report.js';
import { apiSource } from './lib/source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({ options: { tasks: { type: 'string', default: '10000' } } });
const TASKS = Number(opt.tasks);
const MINUTE = 60_000;
const log = (m: string) => process.stderr.write(`[bench:scheduler ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const watchdog = setTimeout(() => {
  log('watchdog: the bench ran over 10 minutes');
  process.exit(2);
}, 10 * MINUTE);

const tmp = mkdtempSync(join(tmpdir(), 'atonix-bench-sched-'));
const source = apiSource(ROOT, tmp);
chmodSync(tmp, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the data dir inside
const pg = await startEmbedded(join(tmp, 'data'));
const config = loadConfig({
  ATONIX_CLOCK: 'manual',
  ATONIX_ADMIN_TOKEN: 'atx_bench_admin_token_not_a_secret_000000',
  ATONIX_MASTER_KEY: Buffer.alloc(32, 0x42).toString('base64'),
  ATONIX_OBJECT_DIR: join(tmp, 'objects'),
  ATONIX_RATE_LIMIT_PER_SECOND: '0',
  ATONIX_PROVISION_DELAY_MS: '0',
  LOG_LEVEL: 'warn',
});
const platform = await bootPlatform(config, pg.url, createLogger('warn'));
const { db, pipeline, clock } = platform;

try {
  const adminId = (await db('users').where({ name: 'admin' }).first('id')).id;
  const admin: Principal = { userId: adminId, isAdmin: true, tokenId: null, name: 'admin' };
  const user = (await pipeline.invoke('createUser', admin, { params: {}, body: { name: 'bench-owner' } })).body as {
    id: string;
  };
  const owner: Principal = { userId: user.id, isAdmin: false, tokenId: null, name: 'bench-owner' };
  const vpc = (
    await pipeline.invoke('createVpc', owner, { params: {}, body: { name: 'bench', cidr_block: '10.0.0.0/16' } })
  ).body as { id: string };
  const call = (i: number) =>
    pipeline.invoke('updateVpc', owner, { params: { id: vpc.id }, body: { name: `bench-${i}` }, hasBody: true });

  /** The same calls straight through the pipeline, SWEEP_CONCURRENCY at a time: calls per second. */
  async function baseline(from: number): Promise<{ rps: number; seconds: number }> {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: SWEEP_CONCURRENCY }, async () => {
        while (next < TASKS) await call(from + next++);
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return { rps: TASKS / seconds, seconds };
  }

  log('warm-up: 3,000 calls through the pipeline');
  for (let i = 0; i < 3000; i += SWEEP_CONCURRENCY)
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, (_, k) => call(i + k)));

  // One task through the API (so its row is exactly what a create makes), copied into TASKS - 1 more in one
  // statement, each with its own new name and a due instant of its own in the same minute.
  const due = Math.ceil((clock.now() + MINUTE) / MINUTE) * MINUTE + MINUTE;
  const task = (
    await pipeline.invoke('createScheduledTask', owner, {
      params: {},
      hasBody: true,
      body: {
        name: 'bench-0',
        schedule: 'rate(1 hour)',
        catch_up: 'latest', // a run due at the minute's first instant is exactly a minute old when the clock moves
        target: { operation_id: 'updateVpc', params: { id: vpc.id }, body: { name: 'sched-0' } },
      },
    })
  ).body as { id: string };
  const columns: string[] = (
    await db('information_schema.columns')
      .where({ table_name: 'scheduled_tasks' })
      .whereNotIn('column_name', ['seq', 'id', 'name', 'target', 'next_run_at'])
      .pluck('column_name')
  ).map((c: string) => `"${c}"`);
  await db.raw(
    `insert into scheduled_tasks (id, name, target, next_run_at, ${columns.join(', ')})
     select 'sch-bench' || lpad(g::text, 11, '0'), 'bench-' || g,
            jsonb_set(t.target, '{body,name}', to_jsonb('sched-' || g)),
            ?::timestamptz + make_interval(secs => (g % 600) / 10.0), ${columns.map((c) => `t.${c}`).join(', ')}
       from scheduled_tasks t, generate_series(1, ?) g where t.id = ?`,
    [new Date(due), TASKS - 1, task.id],
  );
  await db('scheduled_tasks')
    .where({ id: task.id })
    .update({ next_run_at: new Date(due) });
  await db.raw('vacuum (analyze) scheduled_tasks');

  const n = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  // The scheduler's calls: the wall clock at the start of each, seen by wrapping the pipeline's in-process entry.
  let lastStart = 0;
  const invoke = pipeline.invoke;
  pipeline.invoke = (id, principal, input) => {
    if (input?.requestId?.startsWith('sched-')) lastStart = performance.now();
    return invoke(id, principal, input);
  };
  /** One move of the clock past `at`, the runs it made due all ended: their count, seconds and calls per second. */
  async function scheduler(at: number) {
    const ran = async () =>
      Number((await db('scheduled_task_runs').where('status', 'succeeded').count('* as c'))[0]!.c);
    const before = await ran();
    const moved = performance.now();
    await clock.set(at);
    const seconds = (performance.now() - moved) / 1000;
    const runs = (await ran()) - before;
    return { runs, seconds, rps: runs / seconds, toLastStart: (lastStart - moved) / 1000 };
  }

  // Interleaved, so the load of a shared machine falls on both alike: baseline, scheduler, baseline, scheduler,
  // baseline. The second scheduler stretch is the same tasks' next due time (an hour on: all at one instant).
  const phases: { label: string; kind: 'baseline' | 'scheduler'; runs: number; seconds: number; rps: number }[] = [];
  const timing: number[] = [];
  for (let round = 0; round < 3; round++) {
    log(`baseline ${round + 1}: ${TASKS.toLocaleString('en-US')} updateVpc calls through the pipeline`);
    const b = await baseline(3000 + round * TASKS);
    phases.push({
      label: `Baseline ${round + 1}: \`updateVpc\` through the pipeline`,
      kind: 'baseline',
      runs: TASKS,
      ...b,
    });
    if (round === 2) break;
    const at =
      round === 0
        ? due + MINUTE
        : new Date((await db('scheduled_tasks').min('next_run_at as m').first())!.m).getTime() + 1000;
    log(`the scheduler ${round + 1}: ${TASKS.toLocaleString('en-US')} tasks due, the clock moved past them`);
    const r = await scheduler(at);
    timing.push(r.toLastStart);
    phases.push({
      label:
        round === 0
          ? `Scheduler 1: ${n(TASKS)} runs due over one minute, the clock moved to its end (claim, record, call, outcome)`
          : `Scheduler 2: the same tasks' next runs, due at one instant an hour on`,
      kind: 'scheduler',
      ...r,
    });
  }
  pipeline.invoke = invoke;
  const total = (k: string) => {
    const ps = phases.filter((p) => p.kind === k);
    return ps.reduce((x, p) => x + p.runs, 0) / ps.reduce((x, p) => x + p.seconds, 0);
  };
  const base = total('baseline');
  const rps = total('scheduler');
  const ratio = rps / base;
  const succeeded = phases.filter((p) => p.kind === 'scheduler').reduce((x, p) => x + p.runs, 0);
  const section = [
    '<!-- scheduler-bench:start -->',
    '## Scheduled tasks',
    '',
    `Produced by \`npm run bench:scheduler${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, measuring ${source.description}; ${os.availableParallelism?.() ?? os.cpus().length} CPUs, Node ${process.version}, embedded PostgreSQL (durable settings). ` +
      `${n(TASKS)} tasks of one owner, due at instants spread over one minute, each renaming the owner's one VPC (\`updateVpc\`, its own name per task: a transaction that locks the row, updates it and writes the audit record); the manual clock is moved past the minute in one step. ` +
      `The baseline makes the same ${n(TASKS)} calls straight through the pipeline as the same owner, ${SWEEP_CONCURRENCY} in flight (as many as a sweep allows), after a warm-up of 3,000 calls; baseline and scheduler stretches are interleaved (B S B S B) and each side's calls/s is its calls over its seconds. ` +
      'The platform runs in the bench process (as the test apps do); "due to last start" is the wall time from the clock move to the start of the last run\'s call.',
    '',
    '| Case | calls | seconds | calls/s | ÷ baseline |',
    '|---|---:|---:|---:|---:|',
    ...phases.map(
      (p) =>
        `| ${p.label} | ${n(p.runs)}${p.kind === 'scheduler' ? ' succeeded' : ''} | ${n(p.seconds, 2)} | ${n(p.rps)} | ${(p.rps / base).toFixed(2)}x |`,
    ),
    '',
    '| Target | Wanted | Measured | Met |',
    '|---|---|---|---|',
    `| Runs per second sustained vs the same calls through the pipeline (all stretches of each) | >= 0.70x | ${ratio.toFixed(2)}x (${n(rps)} vs ${n(base)} calls/s) | ${ratio >= 0.7 && succeeded === 2 * TASKS ? 'yes' : '**no**'} |`,
    `| Wall time from the clock move to the start of the last run | reported | ${timing.map((t) => `${n(t, 2)} s`).join(' and ')} (scheduler 1 and 2) | - |`,
    '<!-- scheduler-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'scheduler-bench', section);
  console.log(section);
} finally {
  clearTimeout(watchdog);
  await platform.stop();
  await pg.stop();
  rmSync(tmp, { recursive: true, force: true });
}
