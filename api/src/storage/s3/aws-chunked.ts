// Decodes an `aws-chunked` body (x-amz-content-sha256 STREAMING-*) as it streams: strips the chunk framing, checks
// each chunk's signature against the chain seeded by the request's signature, and collects the trailer (the
// checksum a streaming SDK sends after the data). Bytes pass on as they arrive, each chunk's signature is checked
// when the chunk ends: a consumer stores nothing for good before 'end' (an error destroys the stream instead).
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { problems } from '../../platform/problems.js';
import { EMPTY_SHA256, hmac, sha256Hex, signaturesEqual } from './sigv4-canonical.js';
import type { PayloadClaim, StreamingSeed } from './sigv4.js';

export type AwsChunkedOptions = {
  /** chunks carry `;chunk-signature=` chained from the seed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) */
  signed: boolean;
  /** trailer lines follow the last chunk (the -TRAILER variants) */
  trailer: boolean;
  seed?: StreamingSeed;
  /** x-amz-decoded-content-length, when sent: the decoded body must be exactly this long */
  decodedLength?: number;
  /** x-amz-trailer's names: each must arrive, and no other */
  declaredTrailers?: string[];
};

/** A chunk header is `<hex size>[;chunk-signature=<64 hex>]`; anything longer is not a chunk header. */
const MAX_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const incomplete = (detail: string) => problems.s3('IncompleteBody', detail);

type State = 'header' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  /** The trailer headers (lowercase names, without x-amz-trailer-signature); complete once the stream has ended. */
  readonly trailers: Record<string, string> = {};
  private state: State = 'header';
  private line = '';
  private remaining = 0;
  private decoded = 0;
  private chunkHash?: Hash;
  private chunkSignature = '';
  private previousSignature: string;
  private trailerBytes = 0;
  private trailerCanonical = '';
  private trailerSignature?: string;

  constructor(private readonly opts: AwsChunkedOptions) {
    super();
    if (opts.signed && !opts.seed) throw new Error('a signed aws-chunked body needs the seed signature');
    this.previousSignature = opts.seed?.signature ?? '';
  }

  override _transform(buf: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(buf);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      // A body that stops right after a complete trailer line (without the final empty line) has lost nothing.
      if (this.state === 'trailer' && this.line === '') this.finish();
      if (this.state !== 'done') throw incomplete('The aws-chunked body ended before its last chunk.');
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private consume(buf: Buffer): void {
    let at = 0;
    while (at < buf.length) {
      switch (this.state) {
        case 'data': {
          const n = Math.min(this.remaining, buf.length - at);
          const slice = buf.subarray(at, at + n);
          this.chunkHash?.update(slice);
          this.remaining -= n;
          at += n;
          this.push(slice);
          if (this.remaining === 0) this.state = 'data-cr';
          break;
        }
        case 'data-cr':
        case 'data-lf':
          if (buf[at++] !== (this.state === 'data-cr' ? 0x0d : 0x0a))
            throw incomplete('A chunk of the aws-chunked body is longer than its size says.');
          if (this.state === 'data-lf') {
            this.verifyChunk(this.chunkHash?.digest('hex'));
            this.state = 'header';
          } else this.state = 'data-lf';
          break;
        case 'header':
        case 'trailer': {
          const nl = buf.indexOf(0x0a, at);
          const end = nl < 0 ? buf.length : nl;
          this.line += buf.toString('latin1', at, end);
          if (this.line.length > (this.state === 'header' ? MAX_LINE : MAX_TRAILER_BYTES))
            throw incomplete('A line of the aws-chunked framing is too long.');
          at = nl < 0 ? buf.length : nl + 1;
          if (nl < 0) break;
          if (!this.line.endsWith('\r')) throw incomplete('The aws-chunked framing has a line not ended by CRLF.');
          const line = this.line.slice(0, -1);
          this.line = '';
          if (this.state === 'header') this.chunkHeader(line);
          else this.trailerLine(line);
          break;
        }
        case 'done':
          throw incomplete('The aws-chunked body continues after its end.');
      }
    }
  }

  private chunkHeader(line: string): void {
    const m = /^([0-9a-fA-F]{1,16})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(line);
    if (!m) throw incomplete(`Chunk header '${line.slice(0, 100)}' is not <hex size>[;chunk-signature=<sig>].`);
    if (this.opts.signed !== (m[2] !== undefined))
      throw incomplete(this.opts.signed ? 'A signed chunk has no chunk-signature.' : 'An unsigned chunk is signed.');
    const size = parseInt(m[1], 16);
    if (!Number.isSafeInteger(size)) throw incomplete('A chunk size is too large.');
    if (this.opts.decodedLength !== undefined && this.decoded + size > this.opts.decodedLength)
      throw incomplete(`The chunks hold more than x-amz-decoded-content-length ${this.opts.decodedLength} bytes.`);
    this.decoded += size;
    this.chunkSignature = m[2] ?? '';
    if (size === 0) {
      this.verifyChunk(EMPTY_SHA256);
      this.state = 'trailer';
    } else {
      this.remaining = size;
      this.chunkHash = this.opts.signed ? createHash('sha256') : undefined;
      this.state = 'data';
    }
  }

  private verifyChunk(hashHex: string | undefined): void {
    if (!this.opts.signed) return;
    const { amzDate, scope, signingKey } = this.opts.seed!;
    const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${scope}\n${this.previousSignature}\n${EMPTY_SHA256}\n${hashHex}`;
    const expected = hmac(signingKey, toSign).toString('hex');
    if (!signaturesEqual(expected, this.chunkSignature))
      throw problems.s3('SignatureDoesNotMatch', 'A chunk signature of the aws-chunked body does not match.', {
        StringToSign: toSign,
        SignatureProvided: this.chunkSignature,
      });
    this.previousSignature = expected;
  }

  private trailerLine(line: string): void {
    if (line === '') return this.finish();
    this.trailerBytes += line.length + 2;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw incomplete('The aws-chunked trailer is too long.');
    if (!this.opts.trailer) throw incomplete('The aws-chunked body has a trailer, but x-amz-content-sha256 has none.');
    const colon = line.indexOf(':');
    if (colon <= 0) throw incomplete(`Trailer line '${line.slice(0, 100)}' is not name:value.`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSignature = value;
      return;
    }
    if (this.trailerSignature !== undefined) throw incomplete('A trailer line follows x-amz-trailer-signature.');
    if (this.opts.declaredTrailers && !this.opts.declaredTrailers.includes(name))
      throw problems.s3('InvalidRequest', `The trailer ${name} is not declared in x-amz-trailer.`);
    this.trailers[name] = value;
    this.trailerCanonical += `${name}:${value}\n`;
  }

  private finish(): void {
    if (this.opts.decodedLength !== undefined && this.decoded !== this.opts.decodedLength)
      throw incomplete(
        `The body holds ${this.decoded} bytes, x-amz-decoded-content-length says ${this.opts.decodedLength}.`,
      );
    for (const name of this.opts.declaredTrailers ?? [])
      if (!(name in this.trailers)) throw incomplete(`The trailer ${name} declared in x-amz-trailer did not arrive.`);
    if (this.opts.signed && this.opts.trailer) this.verifyTrailer();
    this.state = 'done';
  }

  private verifyTrailer(): void {
    const { amzDate, scope, signingKey } = this.opts.seed!;
    const toSign = `AWS4-HMAC-SHA256-TRAILER\n${amzDate}\n${scope}\n${this.previousSignature}\n${sha256Hex(this.trailerCanonical)}`;
    const expected = hmac(signingKey, toSign).toString('hex');
    if (!signaturesEqual(expected, this.trailerSignature ?? ''))
      throw problems.s3(
        'SignatureDoesNotMatch',
        this.trailerSignature === undefined
          ? 'The signed trailer has no x-amz-trailer-signature.'
          : 'The x-amz-trailer-signature of the aws-chunked body does not match.',
        { StringToSign: toSign, SignatureProvided: this.trailerSignature ?? '' },
      );
  }
}

/** The decoder for a verified streaming request: its variant from the signature, its lengths from the headers. */
export function awsChunkedDecoder(
  payload: Extract<PayloadClaim, { kind: 'streaming' }>,
  headers: IncomingHttpHeaders,
): AwsChunkedDecoder {
  const length = headers['x-amz-decoded-content-length'];
  if (length !== undefined && !/^\d{1,16}$/.test(String(length)))
    throw problems.s3('InvalidArgument', 'x-amz-decoded-content-length is not a number of bytes.');
  const declared = headers['x-amz-trailer'];
  return new AwsChunkedDecoder({
    signed: payload.signed,
    trailer: payload.trailer,
    seed: payload.seed,
    decodedLength: length === undefined ? undefined : Number(length),
    declaredTrailers: declared === undefined ? undefined : parseTrailerNames(String(declared)),
  });
}

/** x-amz-trailer's value: comma-separated header names. */
export const parseTrailerNames = (value: string) =>
  value
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
