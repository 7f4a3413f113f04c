// S3's listings: ListObjects (v1), ListObjectsV2 and ListObjectVersions over the one listing of objects/listing.ts,
// with S3's paging rules (max-keys 0..1000, opaque continuation tokens, markers) and encoding-type=url.
import { S3_NAME, type StorageClass } from '../tiering/classes.js';
import { problems } from '../../platform/problems.js';
import type { ListPage } from '../objects/listing.js';
import { findVersion, type ObjectRow } from '../objects/versions.js';
import type { S3Ctx, S3Handler } from './door.js';
import { sendXml } from './responses.js';

function maxKeys(ctx: S3Ctx, name = 'max-keys'): number {
  const raw = ctx.r.query.get(name);
  if (raw === undefined) return 1000;
  if (!/^\d+$/.test(raw))
    throw problems.s3('InvalidArgument', `${name} must be a non-negative integer.`, { ArgumentName: name });
  return Math.min(1000, Number(raw));
}

/** With encoding-type=url, keys and prefixes travel percent-encoded (botocore always asks for it). */
function encoderOf(ctx: S3Ctx): { encode: (s: string) => string; type?: string } {
  const type = ctx.r.query.get('encoding-type');
  if (type === undefined) return { encode: (s) => s };
  if (type !== 'url')
    throw problems.s3('InvalidArgument', 'encoding-type must be url.', { ArgumentName: 'encoding-type' });
  return { encode: (s) => encodeURIComponent(s).replace(/%2F/g, '/'), type: 'url' };
}

const token = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
function untoken(raw: string): string {
  const key = Buffer.from(raw, 'base64url').toString('utf8');
  if (token(key) !== raw)
    throw problems.s3('InvalidArgument', 'The continuation token is not one this server gave out.', {
      ArgumentName: 'continuation-token',
    });
  return key;
}

const ownerOf = (row: ObjectRow) => ({ ID: row.owner, DisplayName: row.owner });

function contents(page: ListPage, enc: (s: string) => string, withOwner: boolean) {
  return page.rows.map((row) => ({
    Key: enc(row.key),
    LastModified: new Date(row.last_modified),
    ETag: row.etag,
    ...(Object.keys(row.checksums).length ? { ChecksumAlgorithm: Object.keys(row.checksums) } : {}),
    Size: Number(row.size),
    StorageClass: S3_NAME[row.storage_class as StorageClass],
    ...(withOwner ? { Owner: ownerOf(row) } : {}),
  }));
}

export function listOps(): Record<'ListObjects' | 'ListObjectsV2' | 'ListObjectVersions', S3Handler> {
  const prepare = async (ctx: S3Ctx, action: string) => {
    const bucket = await ctx.bucket();
    await ctx.access.require(ctx, action, ctx.access.resource(bucket), bucket.id);
    const delimiter = ctx.r.query.get('delimiter') || undefined;
    return { bucket, prefix: ctx.r.query.get('prefix') ?? '', delimiter, enc: encoderOf(ctx) };
  };
  return {
    async ListObjectsV2(ctx) {
      const { bucket, prefix, delimiter, enc } = await prepare(ctx, 'storage:ListBucket');
      const max = maxKeys(ctx);
      const continuation = ctx.r.query.get('continuation-token');
      const startAfter = ctx.r.query.get('start-after');
      const after = continuation !== undefined ? untoken(continuation) : startAfter || undefined;
      const page = await ctx.store.list(bucket, { prefix, delimiter, after, maxKeys: max });
      sendXml(ctx.res, 200, 'ListBucketResult', {
        Name: bucket.name,
        Prefix: enc.encode(prefix),
        Delimiter: delimiter && enc.encode(delimiter),
        MaxKeys: max,
        KeyCount: page.rows.length + page.commonPrefixes.length,
        IsTruncated: page.truncated,
        ContinuationToken: continuation,
        NextContinuationToken: page.truncated && page.next ? token(page.next.key) : undefined,
        StartAfter: startAfter && enc.encode(startAfter),
        EncodingType: enc.type,
        Contents: contents(page, enc.encode, ctx.r.query.get('fetch-owner') === 'true'),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc.encode(p) })),
      });
    },

    async ListObjects(ctx) {
      const { bucket, prefix, delimiter, enc } = await prepare(ctx, 'storage:ListBucket');
      const max = maxKeys(ctx);
      const marker = ctx.r.query.get('marker') ?? '';
      const page = await ctx.store.list(bucket, { prefix, delimiter, after: marker || undefined, maxKeys: max });
      sendXml(ctx.res, 200, 'ListBucketResult', {
        Name: bucket.name,
        Prefix: enc.encode(prefix),
        Marker: enc.encode(marker),
        // S3 sends NextMarker only with a delimiter; without one the client continues from the last key.
        NextMarker: page.truncated && delimiter && page.next ? enc.encode(page.next.key) : undefined,
        MaxKeys: max,
        Delimiter: delimiter && enc.encode(delimiter),
        IsTruncated: page.truncated,
        EncodingType: enc.type,
        Contents: contents(page, enc.encode, true),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc.encode(p) })),
      });
    },

    async ListObjectVersions(ctx) {
      const { bucket, prefix, delimiter, enc } = await prepare(ctx, 'storage:ListBucketVersions');
      const max = maxKeys(ctx);
      const keyMarker = ctx.r.query.get('key-marker') ?? '';
      const versionMarker = ctx.r.query.get('version-id-marker') ?? '';
      if (versionMarker && !keyMarker)
        throw problems.s3('InvalidArgument', 'A version-id marker cannot be given without a key marker.', {
          ArgumentName: 'version-id-marker',
        });
      let afterSeq: number | undefined;
      if (versionMarker) {
        const v = await findVersion(ctx.deps.db, bucket.id, keyMarker, versionMarker);
        if (!v)
          throw problems.s3('InvalidArgument', 'The version-id marker names no version.', {
            ArgumentName: 'version-id-marker',
          });
        afterSeq = Number(v.seq);
      }
      const page = await ctx.store.list(bucket, {
        prefix,
        delimiter,
        after: keyMarker || undefined,
        // A key marker alone continues after every version of that key.
        afterSeq: keyMarker ? (afterSeq ?? 0) : undefined,
        maxKeys: max,
        versions: true,
      });
      const entry = (row: ObjectRow) => ({
        Key: enc.encode(row.key),
        VersionId: row.version_id,
        IsLatest: row.is_latest,
        LastModified: new Date(row.last_modified),
        ...(row.delete_marker
          ? {}
          : { ETag: row.etag, Size: Number(row.size), StorageClass: S3_NAME[row.storage_class as StorageClass] }),
        Owner: ownerOf(row),
      });
      const last = page.truncated ? page.rows[page.rows.length - 1] : undefined;
      const lastIsPrefix = page.truncated && page.next && !page.next.seq;
      sendXml(ctx.res, 200, 'ListVersionsResult', {
        Name: bucket.name,
        Prefix: enc.encode(prefix),
        KeyMarker: enc.encode(keyMarker),
        VersionIdMarker: versionMarker,
        NextKeyMarker: page.truncated && page.next ? enc.encode(page.next.key) : undefined,
        NextVersionIdMarker: last && !lastIsPrefix ? last.version_id : undefined,
        MaxKeys: max,
        Delimiter: delimiter && enc.encode(delimiter),
        IsTruncated: page.truncated,
        EncodingType: enc.type,
        Version: page.rows.filter((r) => !r.delete_marker).map(entry),
        DeleteMarker: page.rows.filter((r) => r.delete_marker).map(entry),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc.encode(p) })),
      });
    },
  };
}
