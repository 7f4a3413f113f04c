// An object's digests in one pass over its body (MD5 for the ETag, SHA-256 for a declared x-amz-content-sha256, the
// S3 checksum the client chose), the checks of what the client declared (headers, trailer, Content-MD5), and the
// multipart forms (ETag and composite checksum over the parts).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { problems } from '../../platform/problems.js';
import { Crc64Nvme, crc32c } from './crc.js';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'SHA512', 'MD5'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
/** Named by S3 and the SDK, not computed here yet. */
const NOT_IMPLEMENTED = ['XXHASH64', 'XXHASH3', 'XXHASH128'];
/** The raw digest length of each algorithm: a declared value of another length is not well formed. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
  SHA512: 64,
  MD5: 16,
};

type Digester = { update(data: Buffer): void; digest(): Buffer };

const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

function crcDigester(fn: (data: Buffer, previous: number) => number): Digester {
  let value = 0;
  return { update: (d) => (value = fn(d, value)), digest: () => be32(value) };
}

export function digester(algorithm: ChecksumAlgorithm): Digester {
  switch (algorithm) {
    case 'CRC32':
      return crcDigester(crc32);
    case 'CRC32C':
      return crcDigester(crc32c);
    case 'CRC64NVME':
      return new Crc64Nvme();
    default:
      return createHash(algorithm.toLowerCase());
  }
}

export type BodyDigests = {
  size: number;
  md5: Buffer;
  sha256?: Buffer;
  /** base64, as S3 sends x-amz-checksum-<alg> */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
};

/** Passes the body through unchanged while digesting it; `digests` is complete once the stream has ended. */
export class DigestingStream extends Transform {
  private readonly md5 = createHash('md5');
  private readonly sha256?: ReturnType<typeof createHash>;
  private readonly algorithms: [ChecksumAlgorithm, Digester][];
  private size = 0;
  private result?: BodyDigests;

  constructor(opts: { sha256?: boolean; algorithms?: ChecksumAlgorithm[] } = {}) {
    super();
    if (opts.sha256) this.sha256 = createHash('sha256');
    this.algorithms = [...new Set(opts.algorithms ?? [])].map((a) => [a, digester(a)]);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    for (const [, d] of this.algorithms) d.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.result = {
      size: this.size,
      md5: this.md5.digest(),
      ...(this.sha256 ? { sha256: this.sha256.digest() } : {}),
      checksums: Object.fromEntries(this.algorithms.map(([a, d]) => [a, d.digest().toString('base64')])),
    };
    done();
  }

  get digests(): BodyDigests {
    if (!this.result) throw new Error('the body has not ended yet');
    return this.result;
  }
}

/** What the client declared about the body's checksum, read from the headers before the body. */
export type ChecksumPlan = {
  /** the S3 checksum to compute and store */
  algorithm?: ChecksumAlgorithm;
  /** its value, when a header carried it */
  expected?: string;
  /** the trailer that carries it instead (a streaming upload) */
  trailer?: string;
  /** Content-MD5, base64 */
  contentMd5?: string;
};

const ALGORITHM_BY_HEADER = new Map(CHECKSUM_ALGORITHMS.map((a) => [`x-amz-checksum-${a.toLowerCase()}`, a]));

/** The checksum plan of a request: InvalidRequest for contradictions, InvalidDigest for a malformed value. */
export function checksumPlan(headers: IncomingHttpHeaders): ChecksumPlan {
  const plan: ChecksumPlan = {};
  const inHeaders = Object.keys(headers).filter((h) => ALGORITHM_BY_HEADER.has(h));
  for (const h of Object.keys(headers))
    if (NOT_IMPLEMENTED.some((a) => h === `x-amz-checksum-${a.toLowerCase()}`))
      throw problems.s3('NotImplemented', `${h} is not supported; use CRC32, CRC32C, CRC64NVME, SHA1 or SHA256.`);
  const trailers = String(headers['x-amz-trailer'] ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => ALGORITHM_BY_HEADER.has(n));
  if (inHeaders.length + trailers.length > 1)
    throw problems.s3(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  if (inHeaders.length) {
    plan.algorithm = ALGORITHM_BY_HEADER.get(inHeaders[0]);
    plan.expected = wellFormed(plan.algorithm!, String(headers[inHeaders[0]]), inHeaders[0]);
  } else if (trailers.length) {
    plan.algorithm = ALGORITHM_BY_HEADER.get(trailers[0]);
    plan.trailer = trailers[0];
  }
  const sdk = headers['x-amz-sdk-checksum-algorithm'];
  if (sdk !== undefined) {
    const named = String(sdk).toUpperCase();
    if (NOT_IMPLEMENTED.includes(named))
      throw problems.s3('NotImplemented', `The checksum algorithm ${named} is not supported.`);
    if (
      !ALGORITHM_BY_HEADER.has(`x-amz-checksum-${named.toLowerCase()}`) ||
      (plan.algorithm && plan.algorithm !== named)
    )
      throw problems.s3('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    plan.algorithm = named as ChecksumAlgorithm;
  }
  const md5 = headers['content-md5'];
  if (md5 !== undefined) plan.contentMd5 = wellFormed('MD5', String(md5), 'Content-MD5');
  return plan;
}

/** What to give DigestingStream for a plan (MD5 is always computed). */
export const planAlgorithms = (plan: ChecksumPlan): ChecksumAlgorithm[] => (plan.algorithm ? [plan.algorithm] : []);

/**
 * Checks the body's digests against the plan (and the trailer, for a streaming upload): BadDigest on a mismatch.
 * Returns the checksum to store with the object, if the client chose one.
 */
export function verifyChecksums(
  plan: ChecksumPlan,
  digests: BodyDigests,
  trailers: Record<string, string> = {},
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  if (plan.contentMd5 !== undefined && plan.contentMd5 !== digests.md5.toString('base64'))
    throw problems.s3('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  if (!plan.algorithm) return undefined;
  const computed = digests.checksums[plan.algorithm];
  if (computed === undefined) throw new Error(`the body was not digested with ${plan.algorithm}`);
  let expected = plan.expected;
  if (plan.trailer) {
    if (trailers[plan.trailer] === undefined)
      throw problems.s3('IncompleteBody', `The trailer ${plan.trailer} declared in x-amz-trailer did not arrive.`);
    expected = wellFormed(plan.algorithm, trailers[plan.trailer], plan.trailer);
  }
  if (expected !== undefined && expected !== computed)
    throw problems.s3('BadDigest', `The ${plan.algorithm} you specified did not match the calculated checksum.`);
  return { algorithm: plan.algorithm, value: computed };
}

/** x-amz-content-sha256 (hex) against the body's SHA-256. */
export function verifyContentSha256(expectedHex: string, digests: BodyDigests): void {
  if (!digests.sha256) throw new Error('the body was not digested with SHA-256');
  const computed = digests.sha256.toString('hex');
  if (computed !== expectedHex.toLowerCase())
    throw problems.s3(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      { ClientComputedContentSHA256: expectedHex, S3ComputedContentSHA256: computed },
    );
}

/** A declared digest must be canonical base64 of exactly the algorithm's length. */
function wellFormed(algorithm: ChecksumAlgorithm, value: string, source: string): string {
  const v = value.trim();
  const ok =
    /^[A-Za-z0-9+/]*={0,2}$/.test(v) &&
    v.length % 4 === 0 &&
    Buffer.from(v, 'base64').length === DIGEST_BYTES[algorithm] &&
    Buffer.from(v, 'base64').toString('base64') === v;
  if (!ok)
    throw problems.s3(
      'InvalidDigest',
      `The ${source} you specified is not valid base64 of a ${DIGEST_BYTES[algorithm]}-byte ${algorithm} value.`,
    );
  return v;
}

/** The S3 ETag of a multipart object (unquoted): MD5 of the parts' binary MD5s, then '-' and the part count. */
export function multipartEtag(partMd5s: (Buffer | string)[]): string {
  const md5 = createHash('md5');
  for (const p of partMd5s) md5.update(typeof p === 'string' ? Buffer.from(p.replace(/"/g, ''), 'hex') : p);
  return `${md5.digest('hex')}-${partMd5s.length}`;
}

/** A COMPOSITE multipart checksum: the algorithm over the parts' raw checksums, base64, then '-' and the count. */
export function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): string {
  const d = digester(algorithm);
  for (const c of partChecksums) d.update(Buffer.from(c, 'base64'));
  return `${d.digest().toString('base64')}-${partChecksums.length}`;
}
