// `npm run bench:volumes`: the API's create throughput for volumes (POST /api/storage/volumes, 1 GiB ssd) against
// instance creates (POST /api/compute/instances, t1.small) in the same run, measured interleaved (A B B A) so drifting
// background load hits both alike; the ratio is issue 18's figure. Both answer 202 and are placed by a durable job in
// the same process (ATONIX_ROLE=all, provisioning delay 0), with capacity raised so no create fails placement.
// Writes its section of bench/RESULTS.md.   npm run bench:volumes [-- --seconds=10 --connections=20]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { startChild, stopAll } from './lib/children.js';
import { Api } from './lib/fixtures.js';
import { measureInterleaved, type LoadSpec } from './lib/load.js';
import { writeSection } from './lib/report.js';
import { startFlags } from './lib/source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } },
});
const SECONDS = Number(opt.seconds);
const CONNECTIONS = Number(opt.connections);
const ADMIN = 'atx_bench_admin_token_not_a_secret_000000';
const log = (m: string) => process.stderr.write(`[bench:volumes ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
// The whole run is kept under two minutes; a hung child must not keep the machine busy.
const watchdog = setTimeout(() => void stopAll().finally(() => process.exit(2)), 4 * 60_000);

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-volumes-'));
chmodSync(tmp, 0o755);
const db = await startEmbedded(join(tmp, 'pgdata'));
try {
  const load = os.loadavg().map((x) => x.toFixed(2));
  const apiChild = await startChild({
    name: 'api',
    script: 'api/src/main.ts',
    cwd: ROOT,
    logDir: tmp,
    env: {
      DATABASE_URL: db.url,
      ATONIX_DATA_DIR: join(tmp, 'api-data'),
      ATONIX_ADMIN_TOKEN: ADMIN,
      ATONIX_PROVISION_DELAY_MS: '0',
      ATONIX_RATE_LIMIT_PER_SECOND: '0',
      ATONIX_ROLE: 'all',
      ATONIX_CAPACITY_VCPUS: '1000000000',
      ATONIX_CAPACITY_RAM_MB: '1000000000000',
      ATONIX_CAPACITY_SSD_GB: '1000000000',
      LOG_LEVEL: 'warn',
    },
    readyPath: '/readyz',
    nodeFlags: startFlags(ROOT),
  });
  const admin = new Api(apiChild.url, ADMIN);
  const [volUser, instUser] = [await admin.user('bench-volumes'), await admin.user('bench-instances')];
  const flavorId = await admin.lookup('flavors', 't1.small');
  const imageId = await admin.lookup('images', 'debian-12');
  const spec = (path: string, token: string, body: object): LoadSpec => ({
    url: `${apiChild.url}${path}`,
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    warmupSeconds: 2,
    seconds: SECONDS,
    expectStatus: 202,
  });
  log(`creates of volumes vs instances: 2 s warm-up each, then ${SECONDS} s each, interleaved`);
  const [volumes, instances] = await measureInterleaved(
    spec('/api/storage/volumes', volUser.token, { name: 'bench', size_gb: 1 }),
    spec('/api/compute/instances', instUser.token, { name: 'bench', flavor_id: flavorId, image_id: imageId }),
  );
  const ratio = volumes.rps / instances.rps;
  const n = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const row = (label: string, m: typeof volumes) =>
    `| ${label} | ${n(m.rps)} | ${n(m.p50, 2)} | ${n(m.p99, 2)} | ${(m.rps / instances.rps).toFixed(2)}x | ${m.failures} |`;
  const args = process.argv.slice(2).join(' ');
  const section = [
    '<!-- volumes-bench:start -->',
    '## Volume creates against instance creates',
    '',
    `Produced by \`npm run bench:volumes${args ? ` -- ${args}` : ''}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; ${os.availableParallelism?.() ?? os.cpus().length} CPUs, Node ${process.version}, load average before the run ${load.join(' / ')}. ` +
      `${CONNECTIONS} connections (autocannon, keep-alive), 2 s warm-up each, then ${SECONDS} s per case measured interleaved (A B B A). ` +
      'The API runs with `ATONIX_ROLE=all` (placement jobs on its worker thread), provisioning delay 0, capacity raised, on an embedded PostgreSQL started by the bench; each case is its own non-admin user. Both creates answer 202 and are group-committed with their job.',
    '',
    '| Case | creates/s | p50 ms | p99 ms | ÷ instance creates | failed |',
    '|---|---:|---:|---:|---:|---:|',
    row('`POST /api/storage/volumes` (1 GiB ssd)', volumes),
    row('`POST /api/compute/instances` (t1.small, debian-12)', instances),
    '',
    '| Target | Wanted | Measured | Met |',
    '|---|---|---|---|',
    `| Volume creates/s vs instance creates/s in the same run | reported | ${ratio.toFixed(2)}x (${n(volumes.rps)} vs ${n(instances.rps)} creates/s) | - |`,
    '<!-- volumes-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'volumes-bench', section);
  console.log(section);
  await apiChild.stop();
} finally {
  clearTimeout(watchdog);
  await stopAll();
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}
