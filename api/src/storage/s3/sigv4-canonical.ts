// The pieces of AWS Signature V4 that both the request verifier and the aws-chunked decoder compute: the canonical
// URI, query and headers of S3's canonical request, the string to sign, and the derived signing key (cached, since a
// busy client signs every request with the same key for a whole day).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
export const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

const HEX = '0123456789ABCDEF';
/** Bytes kept as they are: RFC 3986's unreserved set (and '/' in a path). */
const isUnreserved = (b: number) =>
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x30 && b <= 0x39) ||
  b === 0x2d ||
  b === 0x2e ||
  b === 0x5f ||
  b === 0x7e;

const hexValue = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/**
 * Percent-decodes to bytes. A '%' not followed by two hex digits stays a literal '%' (as AWS reads it), and '+' is a
 * plus, not a space: S3 clients encode spaces as %20, and one decoding for the path, the query and the signature
 * keeps what is signed and what is served the same thing.
 */
export function percentDecode(raw: string): Buffer {
  const src = Buffer.from(raw, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]);
      const lo = hexValue(src[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** RFC 3986 encoding of bytes: every byte but the unreserved ones (and '/' when keepSlash) as %XX, uppercase. */
export function uriEncode(bytes: Buffer, keepSlash: boolean): string {
  let s = '';
  for (const b of bytes) {
    if (isUnreserved(b) || (keepSlash && b === 0x2f)) s += String.fromCharCode(b);
    else s += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return s;
}

/** S3's canonical URI: the path as sent, decoded and encoded once; `//` and dot segments are part of the key. */
export const canonicalUri = (rawPath: string) => uriEncode(percentDecode(rawPath || '/'), true) || '/';

/** The query's parameters decoded, in the order sent; a parameter without '=' has the value ''. */
export function decodeQuery(rawQuery: string): [name: string, value: string][] {
  const params: [string, string][] = [];
  for (const piece of rawQuery.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const value = eq < 0 ? '' : piece.slice(eq + 1);
    params.push([percentDecode(name).toString('utf8'), percentDecode(value).toString('utf8')]);
  }
  return params;
}

/**
 * The canonical query: every parameter but the signature, encoded, sorted by name then value. Encoding works on
 * the decoded bytes, so invalid UTF-8 in a parameter signs as sent rather than as a replacement character.
 */
export function canonicalQuery(rawQuery: string, omit?: string): string {
  const pairs: [string, string][] = [];
  for (const piece of rawQuery.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const name = uriEncode(percentDecode(eq < 0 ? piece : piece.slice(0, eq)), false);
    if (name === omit) continue;
    pairs.push([name, uriEncode(percentDecode(eq < 0 ? '' : piece.slice(eq + 1)), false)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** One header's canonical value: node joins repeated headers with ', '; values trimmed, inner whitespace collapsed. */
export function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

/** The canonical headers block (each line ends in '\n') for the signed header names, in the order the client listed. */
export const canonicalHeaders = (headers: IncomingHttpHeaders, signed: string[]) =>
  signed.map((name) => `${name}:${canonicalHeaderValue(headers[name])}\n`).join('');

export function canonicalRequest(r: {
  method: string;
  uri: string;
  query: string;
  headers: string;
  signedHeaders: string;
  payloadHash: string;
}): string {
  return [r.method, r.uri, r.query, r.headers, r.signedHeaders, r.payloadHash].join('\n');
}

export const stringToSign = (amzDate: string, scope: string, canonical: string) =>
  `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;

/** A bounded cache: keys are derived per (secret, day, region); a full cache is simply dropped and refilled. */
const signingKeys = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 1024;

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request"). */
export function signingKey(secret: string, date: string, region: string, service = 's3'): Buffer {
  const cacheKey = `${date}\0${region}\0${service}\0${secret}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

/** Compares two hex signatures in constant time; the expected one is always 64 lowercase hex digits. */
export function signaturesEqual(expectedHex: string, providedHex: string): boolean {
  const a = Buffer.from(expectedHex, 'utf8');
  const b = Buffer.from(providedHex, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
