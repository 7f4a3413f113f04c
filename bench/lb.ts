// `npm run bench:lb`: the load balancer's data plane against the same load sent straight to a target, in one run:
//   - HTTP req/s and p99 through an application load balancer's listener to two bare `node:http` targets, against
//     autocannon straight to one of them (target: at least 0.5x the throughput; the added p99 is reported);
//   - TCP connections/s (connect, one echoed line, close) through a network load balancer's listener to two bare
//     echo servers, against the same loop straight to one of them.
// The API (`ATONIX_ROLE=all`: the data plane on its worker thread) and every target are processes of their own.
// Writes its section of bench/RESULTS.md.   npm run bench:lb [-- --seconds=10 --connections=20]
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbedded } from '../api/src/platform/db/embedded.js';
import { freePort, startChild, stopAll, type Child } from './lib/children.js';
import { Api } from './lib/fixtures.js';
import { measureInterleaved, type LoadSpec } from './lib/load.js';
import { writeSection } from './lib/report.js';
import { startFlags } from './lib/source.js';
import { measureConnections } from './lib/tcp-load.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' } },
});
const SECONDS = Number(opt.seconds);
const CONNECTIONS = Number(opt.connections);
const ADMIN = 'atx_bench_admin_token_not_a_secret_000000';
const PATH = '/api/compute/instances/inst-bench';
const log = (m: string) => process.stderr.write(`[bench:lb ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const watchdog = setTimeout(() => void stopAll().finally(() => process.exit(2)), 8 * 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bare TCP echo server child, ready once it accepts a connection. */
async function echoChild(): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/tcp-echo.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (up) return { port, stop: () => proc.kill('SIGTERM') };
    await sleep(100);
  }
  throw new Error('the echo server did not start');
}

/** A load balancer of `type` in a fresh VPC, a target group of `ports` on loopback and a listener; its endpoint. */
async function balancer(api: Api, type: 'application' | 'network', ports: number[]): Promise<string> {
  const vpc = await api.call('POST', '/api/networking/vpcs', { name: `bench-${type}`, cidr_block: '10.0.0.0/16' });
  const subnets = [];
  for (const [i, z] of ['a', 'b'].entries())
    subnets.push(
      (
        await api.call('POST', `/api/networking/vpcs/${vpc.id}/subnets`, {
          name: z,
          cidr_block: `10.0.${i}.0/24`,
          availability_zone: `us-east-1${z}`,
        })
      ).id,
    );
  const lb = await api.call('POST', '/api/networking/load-balancers', { name: type, type, vpc_id: vpc.id, subnets });
  for (let i = 0; (await api.call('GET', `/api/networking/load-balancers/${lb.id}`)).state !== 'active'; i++)
    if (i > 100) throw new Error('the load balancer did not become active');
    else await sleep(100);
  const tg = await api.call('POST', `/api/networking/load-balancers/${lb.id}/target-groups`, {
    name: 'bench',
    port: ports[0],
    ...(type === 'application' ? { health_check_path: PATH } : {}),
  });
  for (const port of ports)
    await api.call('POST', `/api/networking/target-groups/${tg.id}/targets`, { target_id: '127.0.0.1', port });
  const l = await api.call('POST', `/api/networking/load-balancers/${lb.id}/listeners`, {
    port: type === 'application' ? 80 : 5000,
    default_action: { type: 'forward', target_groups: [{ target_group_id: tg.id }] },
  });
  for (let i = 0; ; i++) {
    const items = (await api.call('GET', `/api/networking/target-groups/${tg.id}/targets`)).items;
    if (items.every((t: { health: string }) => t.health === 'healthy')) break;
    if (i > 100) throw new Error(`targets did not become healthy: ${JSON.stringify(items)}`);
    await sleep(100);
  }
  return l.endpoint as string;
}

const tmp = mkdtempSync(join(os.tmpdir(), 'atonix-bench-lb-'));
chmodSync(tmp, 0o755);
const db = await startEmbedded(join(tmp, 'pgdata'));
const echoes: { port: number; stop(): void }[] = [];
try {
  const flags = startFlags(ROOT);
  const env = {
    DATABASE_URL: db.url,
    ATONIX_DATA_DIR: join(tmp, 'api-data'),
    ATONIX_ADMIN_TOKEN: ADMIN,
    ATONIX_PROVISION_DELAY_MS: '0',
    ATONIX_RATE_LIMIT_PER_SECOND: '0',
    ATONIX_ROLE: 'all',
    LOG_LEVEL: 'warn',
  };
  log('starting the API and the targets');
  const apiChild = await startChild({
    name: 'api',
    script: 'api/src/main.ts',
    cwd: ROOT,
    logDir: tmp,
    env,
    readyPath: '/readyz',
    nodeFlags: flags,
  });
  const api = new Api(apiChild.url, ADMIN);
  const targets: Child[] = [];
  for (const n of [1, 2])
    targets.push(
      await startChild({
        name: `target-${n}`,
        script: 'bench/baseline-server.ts',
        cwd: ROOT,
        logDir: tmp,
        env: { BASELINE: 'http', INSTANCE_JSON: JSON.stringify({ id: 'inst-bench', target: n }) },
        readyPath: PATH,
        nodeFlags: flags,
      }),
    );
  echoes.push(await echoChild(), await echoChild());
  const httpEndpoint = await balancer(
    api,
    'application',
    targets.map((t) => Number(new URL(t.url).port)),
  );
  const tcpEndpoint = await balancer(
    api,
    'network',
    echoes.map((e) => e.port),
  );
  const spec = (url: string): LoadSpec => ({
    url,
    connections: CONNECTIONS,
    warmupSeconds: 2,
    seconds: SECONDS,
    expectStatus: 200,
  });
  log(`HTTP: straight to one target vs through ${httpEndpoint}, interleaved`);
  const [direct, viaLb] = await measureInterleaved(
    spec(`${targets[0]!.url}${PATH}`),
    spec(`http://${httpEndpoint}${PATH}`),
  );
  log(`TCP: straight to one echo server vs through ${tcpEndpoint}, interleaved`);
  const [tcpDirect, tcpLb] = await measureConnections(`127.0.0.1:${echoes[0]!.port}`, tcpEndpoint, {
    concurrency: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: 2,
  });
  const ratio = viaLb.rps / direct.rps;
  const tcpRatio = tcpLb.rps / tcpDirect.rps;
  const n = (x: number, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const row = (label: string, m: { rps: number; p50: number; p99: number; failures: number }, base: typeof m) =>
    `| ${label} | ${n(m.rps)} | ${n(m.p50, 2)} | ${n(m.p99, 2)} | ${(m.rps / base.rps).toFixed(2)}x | ${m === base ? '-' : `+${n(m.p99 - base.p99, 2)} ms`} | ${m.failures} |`;
  const section = [
    '<!-- lb-bench:start -->',
    '## Load balancer data plane',
    '',
    `Produced by \`npm run bench:lb${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; ${os.availableParallelism?.() ?? os.cpus().length} CPUs, Node ${process.version}. ` +
      `${CONNECTIONS} connections (autocannon, keep-alive) or ${CONNECTIONS} connection loops, 2 s warm-up each, then ${SECONDS} s per case measured interleaved (A B B A). ` +
      'The API runs with `ATONIX_ROLE=all`, so the data plane is on its worker thread; the targets are bare `node:http` servers (the JSON of one instance) and bare TCP echo servers, each a process of its own; everything shares the machine with autocannon.',
    '',
    '| Case | req/s or conn/s | p50 ms | p99 ms | ÷ straight to one target | added p99 | failed |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('HTTP straight to one `node:http` target', direct, direct),
    row('HTTP through an application load balancer to two targets (round robin)', viaLb, direct),
    row('TCP connections straight to one echo server (connect, echo a line, close)', tcpDirect, tcpDirect),
    row('TCP connections through a network load balancer to two echo servers', tcpLb, tcpDirect),
    '',
    '| Target | Wanted | Measured | Met |',
    '|---|---|---|---|',
    `| HTTP through the load balancer vs straight to one target | >= 0.50x | ${ratio.toFixed(2)}x, p99 +${n(viaLb.p99 - direct.p99, 2)} ms | ${ratio >= 0.5 && viaLb.failures === 0 ? 'yes' : '**no**'} |`,
    `| TCP connections/s through the load balancer vs straight to one target | reported | ${tcpRatio.toFixed(2)}x, p99 +${n(tcpLb.p99 - tcpDirect.p99, 2)} ms | - |`,
    '<!-- lb-bench:end -->',
  ].join('\n');
  writeSection(join(ROOT, 'bench/RESULTS.md'), 'lb-bench', section);
  console.log(section);
  await apiChild.stop();
} finally {
  clearTimeout(watchdog);
  for (const e of echoes) e.stop();
  await stopAll();
  await db.stop();
  rmSync(tmp, { recursive: true, force: true });
}
