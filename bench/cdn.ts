// `npm run bench:cdn`: cache hits through the CDN edge against the same bytes from a bare `node:http` server, in one
// run: a 4 KiB and a 100 KiB object at 20 connections (autocannon, keep-alive), interleaved (A B B A). The bare server
// has a twin that is the distribution's origin; its request count over the run says how often the edge asked it (one
// per object per TTL is the target). Writes its section of bench/RESULTS.md.   npm run bench:cdn [-- --seconds=10 --connections=20]
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { startChild, stopAll } from './lib/children.js';
import { Api } from './lib/fixtures.js';
import { measureInterleaved, type LoadSpec, type Measurement } from './lib/load.js';
import { writeSection } from './lib/report.js';
import { startFlags } from './lib/source.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } },
});
const SECONDS = Number(opt.seconds);
const CONNECTIONS = Number(opt.connections);
const ADMIN = 'atx_bench_admin_token_not_a_secret_000000';
const log = (m: string) => process.stderr.write(`[bench:cdn ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const watchdog = setTimeout(() => void stopAll().finally(() => process.exit(2)), 8 * 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-cdn-'));
chmodSync(tmp, 0o755);
const db = await startEmbedded(join(tmp, 'pgdata'));
try {
  const flags = startFlags(ROOT);
  log('starting the API and the origin');
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
      LOG_LEVEL: 'warn',
    },
    readyPath: '/readyz',
    nodeFlags: flags,
  });
  const origin = await startChild({
    name: 'origin',
    script: 'bench/cdn-origin.ts',
    cwd: ROOT,
    logDir: tmp,
    env: {},
    readyPath: '/ready',
    nodeFlags: flags,
  });
  const bare = await startChild({
    name: 'bare',
    script: 'bench/cdn-origin.ts',
    cwd: ROOT,
    logDir: tmp,
    env: {},
    readyPath: '/ready',
    nodeFlags: flags,
  });
  const api = new Api(apiChild.url, ADMIN);
  const d = await api.call('POST', '/api/networking/cdn/distributions', {
    name: 'bench',
    origins: [{ id: 'web', url: origin.url }],
    default_cache_behavior: { target_origin_id: 'web', cache_policy_id: 'cp-cachingoptimized' },
  });
  for (let i = 0; (await api.call('GET', `/api/networking/cdn/distributions/${d.id}`)).status !== 'deployed'; i++)
    if (i > 100) throw new Error('the distribution was not deployed');
    else await sleep(100);
  for (let i = 0; !(await fetch(`${apiChild.url}/cdn/${d.id}/4k`)).headers.get('x-cache'); i++)
    if (i > 100) throw new Error('the edge does not serve the distribution');
    else await sleep(100);
  const counts = async () => (await (await fetch(`${origin.url}/count`)).json()) as Record<string, number>;
  const before = await counts();
  const spec = (url: string): LoadSpec => ({
    url,
    connections: CONNECTIONS,
    warmupSeconds: 2,
    seconds: SECONDS,
    expectStatus: 200,
  });
  const results: [string, Measurement, Measurement][] = [];
  for (const obj of ['4k', '100k']) {
    log(`${obj}: straight to the bare server vs through the edge, interleaved`);
    const [direct, edge] = await measureInterleaved(
      spec(`${bare.url}/${obj}`),
      spec(`${apiChild.url}/cdn/${d.id}/${obj}`),
    );
    results.push([obj, direct, edge]);
  }
  const after = await counts();
  const n = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const size = { '4k': '4 KiB', '100k': '100 KiB' } as Record<string, string>;
  const rows = results.flatMap(([obj, direct, edge]) => [
    `| ${size[obj]} straight from the bare \`node:http\` server | ${n(direct.rps)} | ${n(direct.p50, 2)} | ${n(direct.p99, 2)} | 1.00x | ${direct.failures} |`,
    `| ${size[obj]} through the edge (cache hits) | ${n(edge.rps)} | ${n(edge.p50, 2)} | ${n(edge.p99, 2)} | ${(edge.rps / direct.rps).toFixed(2)}x | ${edge.failures} |`,
  ]);
  const targets = results.map(([obj, direct, edge]) => {
    const ratio = edge.rps / direct.rps;
    const fromEdge = after[`/${obj}`]! - before[`/${obj}`]!;
    return `| ${size[obj]} through the edge vs the bare server | >= 0.50x | ${ratio.toFixed(2)}x; the origin saw ${fromEdge} request(s) from the edge during the run | ${ratio >= 0.5 && edge.failures === 0 ? 'yes' : '**no**'} |`;
  });
  const section = [
    '<!-- cdn-bench:start -->',
    '## CDN edge: cache hits',
    '',
    `Produced by \`npm run bench:cdn${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; ${os.availableParallelism?.() ?? os.cpus().length} CPUs, Node ${process.version}, load average before ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}. ` +
      `${CONNECTIONS} connections (autocannon, keep-alive), 2 s warm-up each, then ${SECONDS} s per case measured interleaved (A B B A). ` +
      "The API runs with `ATONIX_ROLE=all` (the edge answers on its port, on the main thread); the bare server is a process of its own; a twin of it is the distribution's origin (`Cache-Control: max-age=3600`), and its count is the edge's origin requests (the readiness probe's request asked with `Accept-Encoding: br`, a key of its own, so one more miss per object is expected for the bench's identity requests); everything shares the machine with autocannon.",
    '',
    '| Case | req/s | p50 ms | p99 ms | ÷ bare server | failed |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '| Target | Wanted | Measured | Met |',
    '|---|---|---|---|',
    ...targets,
    '<!-- cdn-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'cdn-bench', section);
  console.log(section);
  await apiChild.stop();
} finally {
  clearTimeout(watchdog);
  await stopAll();
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}
