// S3 load from the AWS SDK: `connections` loops, each sending PutObject or GetObject one after another on a
// keep-alive agent with one socket per loop, signed with SigV4 as any SDK user's calls are. autocannon cannot
// sign, so this is the S3 cases' load generator; it reports the same Measurement as bench/lib/load.ts.
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Around, Measurement } from './load.js';

export interface S3Target {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
}

export interface S3LoadSpec {
  op: 'put' | 'get';
  size: number;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** keys per loop, written over and over (so the data set stays `connections * keysPerLoop * size`) */
  keysPerLoop: number;
}

/**
 * The SDK at its defaults but one, path style, `sockets` kept alive. PUTs carry a CRC32 and a signed SHA-256 of
 * the body to either server; GETs do not ask for the stored checksum (`WHEN_REQUIRED`), because the baseline has
 * none to send: validating the API's would be client work the baseline's answers never cause.
 */
export function s3Client(t: S3Target, sockets: number): S3Client {
  return new S3Client({
    endpoint: t.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: t.accessKeyId, secretAccessKey: t.secretAccessKey },
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1, // a failure is counted, not retried behind the figures' back
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: sockets }) },
  });
}

export const keyOf = (size: number, loop: number, i: number) => `bench/${size}/${loop}-${i}`;

/** Writes every key a GET case reads, so both servers serve the same set. */
export async function seed(client: S3Client, bucket: string, spec: S3LoadSpec, body: Buffer) {
  for (let loop = 0; loop < spec.connections; loop++)
    await Promise.all(
      Array.from({ length: spec.keysPerLoop }, (_, i) =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(spec.size, loop, i), Body: body })),
      ),
    );
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

async function run(client: S3Client, bucket: string, spec: S3LoadSpec, seconds: number, body: Buffer) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  const loop = async (n: number) => {
    for (let i = 0; performance.now() < end; i++) {
      const Key = keyOf(spec.size, n, i % spec.keysPerLoop);
      const t0 = performance.now();
      try {
        if (spec.op === 'put') await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body }));
        else {
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
          const bytes = await got.Body!.transformToByteArray();
          if (bytes.length !== spec.size) throw new Error(`GET answered ${bytes.length} bytes`);
        }
        latencies.push(performance.now() - t0);
        statuses['200'] = (statuses['200'] ?? 0) + 1;
      } catch (err) {
        failures++;
        const code = String((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 'error');
        statuses[code] = (statuses[code] ?? 0) + 1;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: spec.connections }, (_, n) => loop(n)));
  return { latencies, statuses, failures, seconds: (performance.now() - t0) / 1000 };
}

/** A warm-up (thrown away), then the measured run with `around` just before and after it. */
export async function measureS3(t: S3Target, spec: S3LoadSpec, around?: Around): Promise<Measurement> {
  const client = s3Client(t, spec.connections);
  const body = Buffer.alloc(spec.size, 0x62);
  try {
    if (spec.op === 'get') await seed(client, t.bucket, spec, body);
    if (spec.warmupSeconds > 0) await run(client, t.bucket, spec, spec.warmupSeconds, body);
    around?.before();
    const r = await run(client, t.bucket, spec, spec.seconds, body);
    around?.after();
    const sorted = Float64Array.from(r.latencies).sort();
    return {
      requests: sorted.length,
      seconds: r.seconds,
      rps: sorted.length / r.seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      failures: r.failures,
      statuses: r.statuses,
    };
  } finally {
    client.destroy();
  }
}
