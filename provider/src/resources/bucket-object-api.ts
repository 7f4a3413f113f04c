// The REST calls behind atonix_bucket_object (the resource and the data source), at the seed's object paths:
// `PUT|GET|DELETE /api/storage/buckets/{bucket}?key=` and the bucket's object list. Bearer auth, no S3 signing.
import { createHash } from 'node:crypto';
import { ApiError, type ApiClient } from '../framework/client.js';

/** An object version as REST presents it (the StorageObject schema's fields the provider uses). */
export interface StoredObject {
  key: string;
  version_id: string;
  size: number;
  etag: string;
  content_type: string;
  metadata: Record<string, string>;
  cache_control?: string;
  content_disposition?: string;
  content_encoding?: string;
  content_language?: string;
}

/** The representation headers an object keeps, by the attribute that sets each. */
export const HEADER_ATTRIBUTES = {
  content_type: 'Content-Type',
  cache_control: 'Cache-Control',
  content_disposition: 'Content-Disposition',
  content_encoding: 'Content-Encoding',
  content_language: 'Content-Language',
} as const;
export type HeaderAttribute = keyof typeof HEADER_ATTRIBUTES;

export interface Upload {
  bytes: Buffer;
  headers: Partial<Record<HeaderAttribute, string>>;
  metadata: Record<string, string>;
}

const bucketPath = (bucket: string) => `/api/storage/buckets/${encodeURIComponent(bucket)}`;
const objectPath = (bucket: string, key: string, versionId?: string) =>
  `${bucketPath(bucket)}?key=${encodeURIComponent(key)}` +
  (versionId === undefined ? '' : `&version_id=${encodeURIComponent(versionId)}`);

/** The MD5 of the bytes in hex: the object's ETag without its quotes (a single PUT's ETag is the MD5). */
export const md5Hex = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');
export const unquote = (etag: string) => etag.replace(/^"(.*)"$/, '$1');

const gone = (e: unknown) => e instanceof ApiError && e.status === 404;

/**
 * The current version's metadata, or undefined when the object (or its bucket) is gone. REST has no HEAD of an
 * object: a one-item list from the key itself finds it, since a key sorts first among the keys it prefixes.
 */
export async function headObject(
  c: ApiClient,
  bucket: string,
  key: string,
  signal?: AbortSignal,
): Promise<StoredObject | undefined> {
  try {
    const query = new URLSearchParams({ prefix: key, limit: '1' });
    const { body } = await c.request('GET', `${bucketPath(bucket)}/objects?${query}`, { signal });
    const first = body.items[0] as StoredObject | undefined;
    return first?.key === key ? first : undefined;
  } catch (e) {
    if (gone(e)) return undefined;
    throw e;
  }
}

/** Stores the bytes as the object's new version (Content-MD5 lets the API check them); answers its metadata. */
export async function putObject(
  c: ApiClient,
  bucket: string,
  key: string,
  upload: Upload,
  signal?: AbortSignal,
): Promise<StoredObject> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-MD5': createHash('md5').update(upload.bytes).digest('base64'),
  };
  for (const [attr, header] of Object.entries(HEADER_ATTRIBUTES)) {
    const v = upload.headers[attr as HeaderAttribute];
    if (v !== undefined) headers[header] = v;
  }
  // Without a type the API records its default (binary/octet-stream), as S3 does.
  if (upload.headers.content_type === undefined) headers['Content-Type'] = 'binary/octet-stream';
  for (const [name, value] of Object.entries(upload.metadata)) headers[`x-amz-meta-${name}`] = value;
  const res = await c.bytes('PUT', objectPath(bucket, key), { body: upload.bytes, headers, signal });
  return JSON.parse(res.bytes.toString('utf8')) as StoredObject;
}

/**
 * The bytes of the version whose ETag is `etag`, or undefined when another version became current meanwhile (a
 * 412: If-Match keeps the bytes and the metadata read before them from two different writes).
 */
export async function objectBytes(
  c: ApiClient,
  bucket: string,
  key: string,
  etag: string,
  signal?: AbortSignal,
): Promise<Buffer | undefined> {
  try {
    return (await c.bytes('GET', objectPath(bucket, key), { headers: { 'If-Match': etag }, signal })).bytes;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 412 || e.status === 404)) return undefined;
    throw e;
  }
}

/**
 * Deletes every version of the key (and its delete markers), as the AWS provider's aws_s3_object does, so a
 * versioned bucket holds nothing of it afterwards and can be destroyed next without force_destroy.
 */
export async function deleteObject(c: ApiClient, bucket: string, key: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    let items: StoredObject[];
    try {
      const query = new URLSearchParams({ prefix: key, versions: 'true', limit: '1000' });
      items = (await c.request('GET', `${bucketPath(bucket)}/objects?${query}`, { signal })).body.items;
    } catch (e) {
      if (gone(e)) return;
      throw e;
    }
    // Versions of the key come first (newest first), then longer keys it prefixes, which are left alone.
    const own = items.filter((i) => i.key === key);
    if (!own.length) return;
    for (const v of own) {
      try {
        await c.request('DELETE', objectPath(bucket, key, v.version_id), { signal });
      } catch (e) {
        if (!gone(e)) throw e;
      }
    }
  }
}

/** Content types whose bytes the data source returns as `content` (the AWS provider's list, and any +json/+xml). */
export function isText(contentType: string | undefined): boolean {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return (
    t.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(t) ||
    [
      'application/yaml',
      'application/x-yaml',
      'application/javascript',
      'application/x-sh',
      'application/x-csh',
      'application/x-sql',
      'application/x-httpd-php',
      'application/xhtml+xml',
    ].includes(t)
  );
}

/** The bytes as text when they are valid UTF-8 (Terraform strings are), else undefined. */
export function utf8(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}
