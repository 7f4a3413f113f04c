// @smithy/signature-v4, the signer inside the AWS SDK, as a test oracle: it signs and presigns any path, query and
// headers a test chooses at a fixed date, with a SHA-256 written here so the oracle shares no code with the verifier.
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { SigV4Request } from '../../../api/src/storage/s3/sigv4.js';
import { KEY_ID, SECRET } from './s3-fixtures.js';

/** SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 takes. */
export class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = this.make();
  }
  private make(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? Buffer.from(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : Buffer.from(this.secret);
    return createHmac('sha256', key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.h.update(data, 'utf8');
    else if (ArrayBuffer.isView(data)) this.h.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.h.update(Buffer.from(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.make();
  }
}

export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const smithy = (secret = SECRET, accessKeyId = KEY_ID) =>
  new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: secret },
    sha256: Sha256,
    uriEscapePath: false,
  });

/** RFC 3986 query encoding, written independently of the verifier's; an empty value goes on the wire bare (`uploads`). */
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const rawQueryOf = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => (v === '' ? enc(k) : `${enc(k)}=${enc(v)}`))
    .join('&');

export async function smithySigned(
  init: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
  signer = smithy(),
  at = NOW,
): Promise<SigV4Request> {
  const request = {
    method: init.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path: init.path ?? '/bucket/key',
    query: init.query ?? {},
    headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...init.headers },
  };
  const signed = await signer.sign(request, { signingDate: new Date(at) });
  return { method: signed.method, rawPath: request.path, rawQuery: rawQueryOf(request.query), headers: signed.headers };
}

export async function smithyPresigned(
  init: { method?: string; path?: string; query?: Record<string, string> } = {},
  expiresIn = 3600,
): Promise<SigV4Request> {
  const request = {
    method: init.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path: init.path ?? '/bucket/key',
    query: init.query ?? {},
    // As @aws-sdk/s3-request-presigner does: the declaration is hoisted into the query as X-Amz-Content-Sha256.
    headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  };
  const signed = await smithy().presign(request, { signingDate: new Date(NOW), expiresIn });
  const query = signed.query as Record<string, string>;
  return {
    method: signed.method,
    rawPath: request.path,
    rawQuery: rawQueryOf(query),
    headers: { host: '127.0.0.1:9000' },
  };
}
