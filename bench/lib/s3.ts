// The S3 cases of `npm run bench`: PutObject and GetObject of 4 KiB and 1 MiB objects at 16 connections from the
// AWS SDK, against the API's S3 door and against a bare node:http file server (bench/s3-baseline-server.ts) in
// the same run; and the API's peak resident memory during a 1 GiB streamed upload, in a fresh API process.
import os from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startChild, type Child } from './children.js';
import { CpuMeter } from './cpu.js';
import type { Api } from './fixtures.js';
import type { Measurement } from './load.js';
import type { Target } from './report.js';
import { memoryOf, sampleRss, type Memory } from './rss.js';
import { measureS3, s3Client, type S3LoadSpec, type S3Target } from './s3-load.js';
import { startFlags } from './source.js';
import { renderS3, type S3Case } from './s3-report.js';

export const CONNECTIONS = 16;
const KIB = 1024;
const MIB = 1024 * KIB;
const SIZES = [4 * KIB, MIB];
const BIG = 1024 * MIB;
const RSS_TARGET_MB = 200;
/** kB (as /proc reports) in MB of 10^6 bytes, as the target is stated. */
const mb = (kb: Memory['rss']) => (kb === undefined ? '-' : ((kb * 1024) / 1e6).toFixed(0));

export interface S3BenchDeps {
  command: string;
  tmp: string;
  apiRoot: string;
  admin: Api;
  /** the API under measurement (already running) */
  api: Child;
  /** a fresh API process on the same database (its env over the bench's), for the memory case */
  startApi(name: string, env: Record<string, string>): Promise<Child>;
  postmaster?: number;
  seconds: number;
  warmup: number;
  log(msg: string): void;
}

/** A user with an access key and a bucket made through the S3 door (S3's defaults: unversioned, encrypted). */
async function s3Fixture(d: S3BenchDeps, endpoint: string): Promise<S3Target> {
  const run = Date.now().toString(36);
  const user = await d.admin.user(`bench-s3-${run}`);
  const key = await user.api.call<{ access_key_id: string; secret_access_key: string }>(
    'POST',
    `/api/security/users/${user.id}/access-keys`,
    {},
  );
  const t = {
    endpoint,
    accessKeyId: key.access_key_id,
    secretAccessKey: key.secret_access_key,
    bucket: `bench-${run}`,
  };
  const client = s3Client(t, 1);
  await client.send(new CreateBucketCommand({ Bucket: t.bucket }));
  client.destroy();
  return t;
}

/** 1 GiB streamed (aws-chunked, CRC32 trailer) into the door of a fresh API; its VmHWM before and after. */
async function memoryCase(d: S3BenchDeps, target: S3Target, role: 'all' | 'api') {
  const fresh = await d.startApi(`api-s3-rss-${role}`, { ATONIX_ROLE: role });
  try {
    const t = { ...target, endpoint: `${fresh.url}/s3` };
    const client = s3Client(t, 1);
    // A request first, so the idle figure includes a warmed-up door (routes, SigV4, the first data key).
    await client.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'bench/warm', Body: 'x' }));
    const idle = memoryOf(fresh.proc.pid!);
    const chunk = Buffer.alloc(MIB, 0x63);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < BIG / MIB; i++) yield chunk;
      })(),
    );
    const sampler = sampleRss(fresh.proc.pid!);
    const t0 = performance.now();
    await client.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'bench/1gib', Body: body, ContentLength: BIG }));
    const seconds = (performance.now() - t0) / 1000;
    const during = sampler.stop();
    client.destroy();
    return { idle, during, seconds };
  } finally {
    await fresh.stop();
  }
}

export async function s3Cases(d: S3BenchDeps): Promise<{ section: string; met: boolean }> {
  const started = Date.now();
  const loadBefore = os.loadavg();
  const apiTarget = await s3Fixture(d, `${d.api.url}/s3`);
  const baseline = await startChild({
    name: 'baseline-s3',
    script: 'bench/s3-baseline-server.ts',
    cwd: join(import.meta.dirname, '../..'),
    logDir: d.tmp,
    env: { FILES_DIR: join(d.tmp, 'baseline-s3-files') },
    readyPath: '/healthz',
    nodeFlags: startFlags(d.apiRoot),
  });
  const baseTarget = { ...apiTarget, endpoint: baseline.url };
  const cases: S3Case[] = [];
  try {
    for (const op of ['put', 'get'] as const)
      for (const size of SIZES)
        for (const [who, target, server] of [
          ['baseline', baseTarget, baseline],
          ['api', apiTarget, d.api],
        ] as const) {
          const spec: S3LoadSpec = {
            op,
            size,
            connections: CONNECTIONS,
            warmupSeconds: d.warmup,
            seconds: d.seconds,
            keysPerLoop: 8,
          };
          d.log(`case s3 ${op} ${size / KIB} KiB, ${who}: ${d.warmup} s warm-up + ${d.seconds} s`);
          const meter = new CpuMeter(server.proc.pid, who === 'api' ? d.postmaster : undefined);
          const m: Measurement = await measureS3(target, spec, meter);
          const c = meter.cores();
          d.log(
            `  ${Math.round(m.rps)} ops/s, p99 ${m.p99.toFixed(2)} ms, CPU server ${c.api?.toFixed(2)} bench ${c.bench.toFixed(2)}` +
              (m.failures ? `, ${m.failures} FAILED ${JSON.stringify(m.statuses)}` : ''),
          );
          cases.push({
            op,
            size,
            who,
            m,
            cpu: { server: c.api, postgres: c.postgres, bench: c.bench, machine: c.machine },
          });
        }
  } finally {
    await baseline.stop();
  }
  const memory: Record<'all' | 'api', Awaited<ReturnType<typeof memoryCase>>> = {} as never;
  for (const role of ['all', 'api'] as const) {
    d.log(`case s3 memory: 1 GiB streamed PutObject into a fresh API process, ATONIX_ROLE=${role}`);
    memory[role] = await memoryCase(d, apiTarget, role);
    d.log(`  peak RSS ${mb(memory[role].during.hwmKb)} MB (before the upload ${mb(memory[role].idle.rss)} MB)`);
  }

  const ratio = (op: 'put' | 'get', size: number) => {
    const of = (who: string) => cases.find((c) => c.op === op && c.size === size && c.who === who)!;
    const [a, b] = [of('api'), of('baseline')];
    // CPU per op of the server (and PostgreSQL, for the API): less at the mercy of other load than ops/s.
    const cpu = (c: S3Case) =>
      (1000 * ((c.cpu.server ?? NaN) + (c.who === 'api' ? (c.cpu.postgres ?? NaN) : 0))) / c.m.rps;
    return { api: a.m, base: b.m, r: a.m.rps / b.m.rps, cpu: cpu(b) / cpu(a), cpuApi: cpu(a), cpuBase: cpu(b) };
  };
  const targets: Target[] = [];
  for (const [op, wanted] of [
    ['put', 0.5],
    ['get', 0.6],
  ] as const)
    for (const size of SIZES) {
      const { api, base, r, cpu, cpuApi, cpuBase } = ratio(op, size);
      targets.push({
        name: `${op === 'put' ? 'PutObject' : 'GetObject'} ${size / KIB >= 1024 ? '1 MiB' : `${size / KIB} KiB`}, ${CONNECTIONS} connections: ops/s vs the bare node:http file server`,
        wanted: `>= ${wanted.toFixed(2)}x`,
        measured:
          `${r.toFixed(2)}x (${Math.round(api.rps).toLocaleString('en-US')} vs ${Math.round(base.rps).toLocaleString('en-US')} ops/s); ` +
          `by CPU per op ${cpu.toFixed(2)}x (${cpuApi.toFixed(2)} ms API + PostgreSQL vs ${cpuBase.toFixed(2)} ms)`,
        met: api.failures === 0 && base.failures === 0 && r >= wanted,
      });
    }
  for (const role of ['all', 'api'] as const) {
    const m = memory[role];
    targets.push({
      name:
        role === 'all'
          ? 'Peak RSS of the API process (as `npm start` runs it: `ATONIX_ROLE=all`, the worker on a thread of the same process) during a 1 GiB streamed PutObject'
          : 'The same with `ATONIX_ROLE=api` (an API-only process, workers elsewhere)',
      wanted: `< ${RSS_TARGET_MB} MB`,
      measured:
        `${mb(m.during.hwmKb)} MB (VmHWM), of which ${mb((m.during.hwmKb ?? 0) - (m.idle.rss ?? 0))} MB came with the upload: ` +
        `${mb(m.idle.rss)} MB before it; ${m.during.samples} samples of VmRSS every 50 ms, largest ${mb(m.during.maxSampledKb)} MB; ${(BIG / MIB / m.seconds).toFixed(0)} MiB/s`,
      met: ((m.during.hwmKb ?? Infinity) * 1024) / 1e6 < RSS_TARGET_MB,
    });
  }
  const section = renderS3({
    command: d.command,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine:
      `${os.availableParallelism?.() ?? os.cpus().length} CPUs, Node ${process.version}; load average before the S3 cases ` +
      `${loadBefore.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min)`,
    connections: CONNECTIONS,
    warmup: d.warmup,
    seconds: d.seconds,
    cases,
    targets,
    tookSeconds: Math.round((Date.now() - started) / 1000),
  });
  return { section, met: targets.every((t) => t.met) };
}
