// Renders the S3 cases as their section of bench/RESULTS.md (between markers, below the hand-written line), with
// MinIO's published single-drive figures beside them for reference.
import type { Measurement } from './load.js';
import type { Target } from './report.js';

export interface S3Case {
  op: 'put' | 'get';
  size: number;
  who: 'api' | 'baseline';
  m: Measurement;
  cpu: { server?: number; postgres?: number; bench: number; machine?: number };
}

export const S3_SECTION = 's3-bench';

const f = (n: number | undefined, digits = 0) =>
  n !== undefined && Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';
const sizeName = (n: number) => (n >= 1024 * 1024 ? `${n / 1024 / 1024} MiB` : `${n / 1024} KiB`);

/** From /work/shared/research/s3-compat-anchors.md §5 (other machines, other clients: an order of magnitude only). */
const MINIO = [
  '| MinIO, 1 node, 1 drive (minio/minio#9758, 2020) | s3-benchmark, 4 KiB, 1 thread, localhost | PUT 756 op/s, GET 787 op/s |',
  '| same | 4 KiB, 2 threads | PUT 1,629 op/s, GET 1,622 op/s |',
  '| MinIO, 1 QLC NVMe (minio/minio#9704, 2020) | s3-benchmark, 4 KiB, 40 threads | PUT 2,974 op/s, GET 4,885 op/s |',
  '| MinIO, 2 VMs, LVM+XFS (minio/minio#8410) | 200 KiB, 10 threads | PUT 429 op/s, GET 564 op/s |',
];

export function renderS3(r: {
  command: string;
  date: string;
  machine: string;
  connections: number;
  warmup: number;
  seconds: number;
  cases: S3Case[];
  targets: Target[];
  tookSeconds: number;
}): string {
  const out = [`<!-- ${S3_SECTION}:start -->`, '## S3 object storage', ''];
  out.push(
    `Produced by \`${r.command}\` on ${r.date} (${r.machine}). Each case: ${r.warmup} s warm-up, then ${r.seconds} s of ` +
      `${r.connections} loops of the AWS SDK (\`@aws-sdk/client-s3\`: SigV4, a CRC32 and a signed SHA-256 of every PUT body, ` +
      '`responseChecksumValidation: WHEN_REQUIRED` so GETs cost the client the same against both servers; one keep-alive socket ' +
      'per loop), each sending the next request when the last one is answered, over 8 keys per loop (objects are overwritten). ' +
      'The baseline is a bare `node:http` server (bench/s3-baseline-server.ts) that writes each PUT body to a temp file, fsyncs ' +
      "it and renames it over the key's file, and streams that file back on GET: no auth, no metadata. It gets the same SDK " +
      'requests. The API serves them at `/s3` on its own port (through Express, as deployed), into an unversioned bucket made ' +
      'by CreateBucket, encrypted at rest (the default): a PUT streams through MD5, CRC32, SHA-256 and AES-256-GCM into a temp ' +
      'file, fsyncs it and its directory, then commits the version row (and the bucket usage) in PostgreSQL. ' +
      'The SDK runs in the bench process on the same machine, so its CPU is shown too.',
    '',
  );
  out.push(
    '| Case | Server | ops/s | MiB/s | p50 ms | p99 ms | failed | CPU ms per op: server + PostgreSQL | CPU cores: server / PostgreSQL / SDK (bench) / whole machine |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const c of r.cases) {
    const per = (cores?: number) => (cores === undefined ? undefined : (1000 * cores) / c.m.rps);
    out.push(
      `| ${c.op === 'put' ? 'PutObject' : 'GetObject'} ${sizeName(c.size)} | ${c.who === 'api' ? 'API (`/s3`)' : 'bare node:http files'} | ` +
        `${f(c.m.rps)} | ${f((c.m.rps * c.size) / 1024 / 1024, 1)} | ${f(c.m.p50, 2)} | ${f(c.m.p99, 2)} | ` +
        `${c.m.failures ? `**${f(c.m.failures)}** ${JSON.stringify(c.m.statuses)}` : '0'} | ` +
        `${f(per(c.cpu.server), 3)} + ${c.who === 'api' ? f(per(c.cpu.postgres), 3) : '0'} | ` +
        `${[c.cpu.server, c.who === 'api' ? c.cpu.postgres : 0, c.cpu.bench, c.cpu.machine].map((x) => f(x, 2)).join(' / ')} |`,
    );
  }
  out.push('', '| Target | Wanted | Measured | Met |', '|---|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.name} | ${t.wanted} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  out.push('', 'For reference, MinIO on one drive as published (not measured here):', '');
  out.push('| System | Workload | Result |', '|---|---|---|', ...MINIO);
  out.push('', `The S3 cases took ${r.tookSeconds} s.`, `<!-- ${S3_SECTION}:end -->`);
  return out.join('\n');
}
