// Reading a version: the conditional-request matrix S3 applies (RFC 9110 with S3's precedence), single byte
// ranges, and the bytes themselves, streamed segment by segment and decrypted frame by frame.
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { problems } from '../../platform/problems.js';
import { decryptRange } from './frames.js';
import type { FileStore } from './file-store.js';
import { sameEtag, type ObjectRow, type Segment } from './versions.js';

export interface ByteRange {
  start: number;
  /** inclusive */
  end: number;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const seconds = (d: Date | string) => Math.floor(new Date(d).getTime() / 1000);

/**
 * 412 or 304 when the request's conditions say so. S3's precedence: If-Match decides over If-Unmodified-Since,
 * If-None-Match over If-Modified-Since.
 */
export function checkReadConditions(row: ObjectRow, h: IncomingHttpHeaders) {
  const etag = row.etag ?? '';
  const modified = seconds(row.last_modified);
  const ifMatch = one(h['if-match']);
  const ifNoneMatch = one(h['if-none-match']);
  const ifUnmodified = Date.parse(one(h['if-unmodified-since']) ?? '');
  const ifModified = Date.parse(one(h['if-modified-since']) ?? '');
  const matches = (list: string) => list.split(',').some((t) => t.trim() === '*' || sameEtag(t, etag));
  if (ifMatch !== undefined && !matches(ifMatch))
    throw problems.s3('PreconditionFailed', 'If-Match does not match the ETag.', { Condition: 'If-Match' });
  if (ifMatch === undefined && !Number.isNaN(ifUnmodified) && modified > Math.floor(ifUnmodified / 1000))
    throw problems.s3('PreconditionFailed', 'The object was modified since If-Unmodified-Since.', {
      Condition: 'If-Unmodified-Since',
    });
  const notModified = (detail: string) =>
    problems.s3('NotModified', detail, {}, { ETag: etag, 'Last-Modified': new Date(row.last_modified).toUTCString() });
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) throw notModified('If-None-Match matches the ETag.');
  if (ifNoneMatch === undefined && !Number.isNaN(ifModified) && modified <= Math.floor(ifModified / 1000))
    throw notModified('The object was not modified since If-Modified-Since.');
}

/**
 * The one range a `Range: bytes=...` header asks for, or undefined for the whole object (no header, or one S3
 * ignores: several ranges, another unit, bad syntax). An unsatisfiable range is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw invalidRange(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined; // syntactically invalid: RFC 9110 ignores it
  }
  if (start >= size || size === 0) throw invalidRange(size);
  return { start, end };
}

/** How many parts a version has for GetObject ?partNumber=: a completed multipart upload's, else one. */
export function partsOf(row: ObjectRow): number[] {
  // Only a multipart object (ETag "<md5>-N") keeps its parts as segments; anything else is one part.
  if (/-\d+"?$/.test(row.etag ?? '')) return row.segments.map((s) => s.size);
  return [Number(row.size)];
}

/**
 * The bytes of part `n` (GetObject/HeadObject ?partNumber=), which part-wise downloaders fetch one by one and
 * concatenate: answering the whole object instead would repeat it in their download. A Range beside it is 400.
 */
export function partRange(row: ObjectRow, n: number, rangeHeader: string | undefined): ByteRange {
  if (rangeHeader !== undefined)
    throw problems.s3('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter.');
  const sizes = partsOf(row);
  if (n > sizes.length)
    throw problems.s3(
      'InvalidPartNumber',
      `The requested part number ${n} is not satisfiable; the object has ${sizes.length} part(s).`,
      { PartNumberRequested: n, ActualPartCount: sizes.length },
      { 'Content-Range': `bytes */${Number(row.size)}` },
    );
  const start = sizes.slice(0, n - 1).reduce((t, s) => t + s, 0);
  return { start, end: start + sizes[n - 1]! - 1 };
}

const invalidRange = (size: number) =>
  problems.s3(
    'InvalidRange',
    'The requested range is not satisfiable.',
    { ActualObjectSize: size },
    {
      'Content-Range': `bytes */${size}`,
    },
  );

/** The bytes of `row` from `range` (whole when absent), as one stream over its segments. */
export function openBytes(files: FileStore, row: ObjectRow, dataKey: Buffer | undefined, range?: ByteRange): Readable {
  const size = Number(row.size);
  const want = range ?? { start: 0, end: size - 1 };
  if (size === 0) return Readable.from([]);
  const pieces: { seg: Segment; start: number; end: number }[] = [];
  let offset = 0;
  for (const seg of row.segments) {
    const segEnd = offset + seg.size - 1;
    if (seg.size > 0 && segEnd >= want.start && offset <= want.end)
      pieces.push({ seg, start: Math.max(0, want.start - offset), end: Math.min(seg.size - 1, want.end - offset) });
    offset += seg.size;
  }
  const open = (p: (typeof pieces)[number]): Readable =>
    dataKey && p.seg.iv
      ? decryptRange(
          (cs, ce) => files.read(p.seg.file, { start: cs, end: ce }),
          dataKey,
          Buffer.from(p.seg.iv, 'base64'),
          p.seg.size,
          p.start,
          p.end,
        )
      : files.read(p.seg.file, { start: p.start, end: p.end });
  if (pieces.length === 1) return open(pieces[0]!);
  return Readable.from(
    (async function* () {
      for (const p of pieces) yield* open(p);
    })(),
    { objectMode: false },
  );
}
