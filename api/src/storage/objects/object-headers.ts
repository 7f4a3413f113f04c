// An object's HTTP headers, read from an upload and written on a download, the same for both doors (REST uses
// S3's header names too, so a curl user and an SDK user see one object the same way), and its JSON form.
import { S3_NAME, type StorageClass } from '../tiering/classes.js';
import { restoreHeader, restoreState } from '../tiering/restore.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Schemas } from '../../platform/resources/repo.js';
import { problems } from '../../platform/problems.js';
import type { ObjectRow } from './versions.js';

/** The representation headers S3 stores with an object and sends back as they were. */
export const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
] as const;

const META = 'x-amz-meta-';
/** S3's limit on the user metadata of one object: 2 KiB of names and values. */
const META_LIMIT = 2048;

export interface ObjectAttributes {
  content_type: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  tags: Record<string, string>;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

/** `x-amz-tagging: k1=v1&k2=v2` (URL query form), at most 10 tags as S3 allows. */
export function parseTagging(raw: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) tags[k] = v;
  checkTags(tags);
  return tags;
}

export function checkTags(tags: Record<string, string>) {
  const keys = Object.keys(tags);
  if (keys.length > 10)
    throw problems.s3('InvalidArgument', 'An object may have at most 10 tags.', { ArgumentName: 'tagging' });
  for (const k of keys) {
    if (k.length < 1 || k.length > 128)
      throw problems.s3('InvalidArgument', `The tag key ${k} must be 1 to 128 characters.`);
    if (tags[k]!.length > 256)
      throw problems.s3('InvalidArgument', `The value of tag ${k} is longer than 256 characters.`);
  }
}

/** What an upload says about the object it stores (PutObject, CreateMultipartUpload, CopyObject with REPLACE). */
export function attributesFrom(h: IncomingHttpHeaders): ObjectAttributes {
  const metadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith(META) || value === undefined) continue;
    const key = name.slice(META.length);
    metadata[key] = one(value)!;
    size += key.length + metadata[key]!.length;
  }
  if (size > META_LIMIT)
    throw problems.s3('InvalidArgument', `User metadata is ${size} bytes; the limit is ${META_LIMIT}.`, {
      ArgumentName: 'x-amz-meta-*',
    });
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let v = one(h[name]);
    // aws-chunked is how the body travelled, not what it is (S3 strips it).
    if (name === 'content-encoding' && v)
      v = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s.toLowerCase() !== 'aws-chunked')
        .join(',');
    if (v) headers[name] = v;
  }
  const tagging = one(h['x-amz-tagging']);
  return {
    content_type: one(h['content-type']) || 'binary/octet-stream',
    metadata,
    headers,
    tags: tagging ? parseTagging(tagging) : {},
  };
}

const CHECKSUM_HEADERS: Record<string, string> = {
  CRC32: 'x-amz-checksum-crc32',
  CRC32C: 'x-amz-checksum-crc32c',
  SHA1: 'x-amz-checksum-sha1',
  SHA256: 'x-amz-checksum-sha256',
};

/** The headers of a GET or HEAD of a version (not its length or range: the reader sets those). */
export function objectHeaders(
  row: ObjectRow,
  opts: { checksums: boolean; versioned: boolean },
): Record<string, string> {
  const out: Record<string, string> = {
    'Content-Type': row.content_type ?? 'binary/octet-stream',
    ETag: row.etag ?? '',
    'Last-Modified': new Date(row.last_modified).toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  for (const [k, v] of Object.entries(row.headers)) out[k] = v;
  for (const [k, v] of Object.entries(row.metadata)) out[`${META}${k}`] = v;
  if (opts.versioned) out['x-amz-version-id'] = row.version_id;
  // S3 sends the class only when it is not STANDARD, and the restore's state when one was asked for.
  if (row.storage_class !== 'STANDARD') out['x-amz-storage-class'] = S3_NAME[row.storage_class as StorageClass];
  const restore = restoreHeader(row);
  if (restore) out['x-amz-restore'] = restore;
  if (row.encryption) {
    out['x-amz-server-side-encryption'] = 'aws:kms';
    out['x-amz-server-side-encryption-aws-kms-key-id'] = row.encryption.kms_key_id;
  }
  const tags = Object.keys(row.tags).length;
  if (tags) out['x-amz-tagging-count'] = String(tags);
  if (opts.checksums) {
    for (const [alg, v] of Object.entries(row.checksums)) if (CHECKSUM_HEADERS[alg]) out[CHECKSUM_HEADERS[alg]] = v;
    if (row.checksum_type && Object.keys(row.checksums).length) out['x-amz-checksum-type'] = row.checksum_type;
  }
  return out;
}

/** A version as REST shows it. */
export function presentObject(row: ObjectRow): Schemas['StorageObject'] {
  const out: Schemas['StorageObject'] = {
    key: row.key,
    version_id: row.version_id,
    is_latest: row.is_latest,
    delete_marker: row.delete_marker,
    last_modified: new Date(row.last_modified).toISOString(),
  };
  if (row.delete_marker) return out;
  Object.assign(out, {
    size: Number(row.size),
    etag: row.etag ?? '',
    content_type: row.content_type ?? 'binary/octet-stream',
    storage_class: row.storage_class as StorageClass,
    metadata: row.metadata,
  });
  const restore = restoreState(row);
  if (restore) out.restore = restore;
  const accessed = (row as { last_accessed?: Date | null }).last_accessed;
  if (accessed) out.last_accessed = new Date(accessed).toISOString();
  const h = row.headers;
  if (h['cache-control']) out.cache_control = h['cache-control'];
  if (h['content-disposition']) out.content_disposition = h['content-disposition'];
  if (h['content-encoding']) out.content_encoding = h['content-encoding'];
  if (h['content-language']) out.content_language = h['content-language'];
  const c = row.checksums;
  if (c.CRC32) out.checksum_crc32 = c.CRC32;
  if (c.CRC32C) out.checksum_crc32c = c.CRC32C;
  if (c.SHA1) out.checksum_sha1 = c.SHA1;
  if (c.SHA256) out.checksum_sha256 = c.SHA256;
  if (row.checksum_type && Object.keys(c).length) out.checksum_type = row.checksum_type as 'FULL_OBJECT';
  if (row.encryption) {
    out.server_side_encryption = 'aws:kms';
    out.kms_key_id = row.encryption.kms_key_id;
  }
  return out;
}
