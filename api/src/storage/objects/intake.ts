// Receiving an object's bytes: streamed through a size limit, the digests (MD5 for the ETag, the client's
// checksum, a declared SHA-256) and encryption, into a durable file; then checked against what the client
// declared, so a body that does not match is never stored as an object (its file is removed, no row is written).
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { problems } from '../../platform/problems.js';
import {
  DigestingStream,
  checksumPlan,
  planAlgorithms,
  verifyChecksums,
  verifyContentSha256,
  type ChecksumPlan,
} from './checksums.js';
import type { FileStore } from './file-store.js';
import { encryptStream } from './frames.js';
import type { Segment } from './versions.js';

/** What a body must hash to: the client's checksum plan, a signed payload hash, trailers that come after it. */
export interface Expectations {
  plan: ChecksumPlan;
  /** x-amz-content-sha256 as hex, when the signature covers the body */
  sha256Hex?: string;
  /** the aws-chunked trailer headers, once the body has ended */
  trailers?: () => Record<string, string>;
}

export const expectationsFrom = (h: IncomingHttpHeaders): Expectations => ({ plan: checksumPlan(h) });

export interface Received {
  segment: Segment;
  size: number;
  md5: Buffer;
  /** the checksum the client chose, to store: {CRC32: base64} (empty when none was chosen) */
  checksums: Record<string, string>;
}

/** Refuses a body longer than `max` as it streams (S3's single-upload limit, a part's). */
class SizeLimit extends Transform {
  private seen = 0;
  constructor(private max: number) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
    this.seen += chunk.length;
    if (this.seen > this.max)
      done(problems.s3('EntityTooLarge', `The body is larger than ${this.max} bytes.`, { MaxSizeAllowed: this.max }));
    else done(null, chunk);
  }
}

/** The digest checks of a body that is already whole (an XML document). */
export async function checkBuffer(body: Buffer, expect: Expectations): Promise<void> {
  const d = new DigestingStream({ sha256: !!expect.sha256Hex, algorithms: planAlgorithms(expect.plan) });
  d.resume();
  await finished(d.end(body));
  if (expect.sha256Hex) verifyContentSha256(expect.sha256Hex, d.digests);
  verifyChecksums(expect.plan, d.digests, expect.trailers?.());
}

export async function receive(
  files: FileStore,
  body: Readable,
  opts: { dataKey?: Buffer; expect?: Expectations; maxBytes: number },
): Promise<Received> {
  const expect = opts.expect ?? { plan: {} };
  const digests = new DigestingStream({ sha256: !!expect.sha256Hex, algorithms: planAlgorithms(expect.plan) });
  const iv = opts.dataKey ? randomBytes(12) : undefined;
  const transform: Transform[] = [new SizeLimit(opts.maxBytes), digests];
  if (opts.dataKey) transform.push(encryptStream(opts.dataKey, iv!));
  const written = await files.write(body, { transform });
  try {
    const d = digests.digests;
    if (expect.sha256Hex) verifyContentSha256(expect.sha256Hex, d);
    const chosen = verifyChecksums(expect.plan, d, expect.trailers?.());
    return {
      segment: { file: written.file, size: d.size, ...(iv ? { iv: iv.toString('base64') } : {}) },
      size: d.size,
      md5: d.md5,
      checksums: chosen ? { [chosen.algorithm]: chosen.value } : {},
    };
  } catch (err) {
    await files.remove(written.file);
    throw err;
  }
}
