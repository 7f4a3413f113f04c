// S3's object operations: Put, Get, Head, Delete, DeleteObjects and tagging, over the object store both doors
// share. CopyObject is in copy-ops.ts.
import { pipeline } from 'node:stream/promises';
import { problems } from '../../platform/problems.js';
import type { BucketRow } from '../bucket-store.js';
import { checkTags } from '../objects/object-headers.js';
import { attributesFrom, objectHeaders } from '../objects/object-headers.js';
import { checkPartNumber } from '../objects/multipart.js';
import { partsOf } from '../objects/reads.js';
import { setTags } from '../objects/tags.js';
import type { ObjectRow } from '../objects/versions.js';
import { writeConditions } from '../object-rest.js';
import { fromS3Name, type StorageClass } from '../tiering/classes.js';
import type { Tiering } from '../tiering/tiering.js';
import { copyObject } from './copy-ops.js';
import { smallBody, type S3Ctx, type S3Handler } from './door.js';
import { sendXml } from './responses.js';
import { parseXml, type XmlObject } from './xml.js';

const CHECKSUM_HEADER = (alg: string) => `x-amz-checksum-${alg.toLowerCase()}`;

/** SSE as a request asks for it: S3's managed and KMS modes are accepted (and name the key); SSE-C is not offered. */
export function encryptionFor(ctx: S3Ctx, bucket: BucketRow): BucketRow {
  if (ctx.headers['x-amz-server-side-encryption-customer-algorithm'] !== undefined)
    throw problems.s3('NotImplemented', 'Customer-provided keys (SSE-C) are not supported; use SSE-KMS.');
  const sse = ctx.headers['x-amz-server-side-encryption'];
  if (sse === undefined) return bucket;
  if (sse !== 'AES256' && sse !== 'aws:kms' && sse !== 'aws:kms:dsse')
    throw problems.s3('InvalidArgument', `x-amz-server-side-encryption ${sse} is not AES256 or aws:kms.`, {
      ArgumentName: 'x-amz-server-side-encryption',
    });
  const key = ctx.headers['x-amz-server-side-encryption-aws-kms-key-id'];
  return { ...bucket, encryption_enabled: true, kms_key_id: typeof key === 'string' ? key : bucket.kms_key_id };
}

/** The headers of a stored version S3 sends on a write's answer. */
export function writeHeaders(ctx: S3Ctx, bucket: BucketRow, row: ObjectRow) {
  const res = ctx.res;
  if (row.etag) res.setHeader('ETag', row.etag);
  if (bucket.versioning_status !== 'Unversioned') res.setHeader('x-amz-version-id', row.version_id);
  for (const [alg, v] of Object.entries(row.checksums)) res.setHeader(CHECKSUM_HEADER(alg), v);
  if (row.encryption) {
    res.setHeader('x-amz-server-side-encryption', 'aws:kms');
    res.setHeader('x-amz-server-side-encryption-aws-kms-key-id', row.encryption.kms_key_id);
  }
}

/** A write's x-amz-storage-class (PutObject, CopyObject, CreateMultipartUpload) in this platform's classes. */
export function requestedClass(ctx: S3Ctx): StorageClass {
  const raw = ctx.headers['x-amz-storage-class'];
  if (raw === undefined) return 'STANDARD';
  if (raw === 'INTELLIGENT_TIERING')
    throw problems.s3(
      'InvalidStorageClass',
      'INTELLIGENT_TIERING is a bucket setting here: set intelligent_tiering on the bucket (REST) instead.',
      { StorageClassRequested: raw },
    );
  return fromS3Name(String(raw), 'x-amz-storage-class');
}

/** A version just written as STANDARD, moved as the lifecycle worker moves (a crash between leaves it STANDARD). */
export async function moveTo(ctx: S3Ctx, row: ObjectRow, storageClass: StorageClass) {
  if (storageClass !== 'STANDARD' && ctx.store.tiering)
    await (ctx.store.tiering as Tiering).mover.move([row], storageClass, ctx.deps.clock.date());
}

const tagCommit = (ctx: S3Ctx, bucket: BucketRow) =>
  ctx.commit('storage:PutObjectTagging', bucket.id, () => ({
    key: ctx.r.key,
    version_id: ctx.r.query.get('versionId'),
  }));

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

export function objectOps(): Record<
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging',
  S3Handler
> {
  const allowed = async (ctx: S3Ctx, action: string) => {
    const bucket = await ctx.bucket();
    await ctx.access.require(ctx, action, ctx.access.resource(bucket, ctx.r.key), bucket.id);
    return bucket;
  };
  const read = async (ctx: S3Ctx, body: boolean) => {
    const bucket = await allowed(ctx, 'storage:GetObject');
    const partNumber = ctx.r.query.has('partNumber') ? checkPartNumber(ctx.r.query.get('partNumber')) : undefined;
    const d = await ctx.store.get(bucket, ctx.r.key!, {
      versionId: ctx.r.query.get('versionId'),
      headers: ctx.headers,
      body,
      partNumber,
    });
    const headers = objectHeaders(d.row, {
      // A ranged answer is not the whole object: its full-object checksum would not validate.
      checksums: ctx.headers['x-amz-checksum-mode'] === 'ENABLED' && !d.range,
      versioned: bucket.versioning_status !== 'Unversioned',
    });
    for (const [q, h] of Object.entries(OVERRIDES)) {
      const v = ctx.r.query.get(q);
      if (v !== undefined) headers[h] = v;
    }
    const size = Number(d.row.size);
    if (partNumber !== undefined) headers['x-amz-mp-parts-count'] = String(partsOf(d.row).length);
    for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
    if (d.range) {
      ctx.res.statusCode = 206;
      ctx.res.setHeader('Content-Range', `bytes ${d.range.start}-${d.range.end}/${size}`);
      ctx.res.setHeader('Content-Length', d.range.end - d.range.start + 1);
    } else {
      ctx.res.statusCode = 200;
      ctx.res.setHeader('Content-Length', size);
    }
    if (!d.stream) {
      ctx.res.end();
      return;
    }
    await pipeline(d.stream, ctx.res);
  };
  return {
    async PutObject(ctx) {
      const bucket = await allowed(ctx, 'storage:PutObject');
      const key = ctx.r.key!;
      const storageClass = requestedClass(ctx); // refused before a byte is read
      const body = ctx.body();
      const row = await ctx.store.put(encryptionFor(ctx, bucket), key, {
        body: body.stream,
        length: body.length,
        attributes: attributesFrom(ctx.headers),
        conditions: writeConditions(ctx.headers),
        expect: body.expect,
        commit: ctx.commit('storage:PutObject', bucket.id, () => ({ key })),
      });
      await moveTo(ctx, row, storageClass);
      writeHeaders(ctx, bucket, row);
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    CopyObject: copyObject,

    GetObject: (ctx) => read(ctx, true),
    HeadObject: (ctx) => read(ctx, false),

    async DeleteObject(ctx) {
      const bucket = await allowed(ctx, 'storage:DeleteObject');
      const key = ctx.r.key!;
      const versionId = ctx.r.query.get('versionId');
      const out = await ctx.store.delete(
        bucket,
        key,
        versionId,
        ctx.commit('storage:DeleteObject', bucket.id, () => ({ key, version_id: versionId })),
      );
      if (out.deleteMarker) ctx.res.setHeader('x-amz-delete-marker', 'true');
      if (out.versionId) ctx.res.setHeader('x-amz-version-id', out.versionId);
      ctx.res.statusCode = 204;
      ctx.res.end();
    },

    async DeleteObjects(ctx) {
      const bucket = await ctx.bucket();
      const { plan } = ctx.body().expect;
      // S3 requires an integrity header here; today's SDKs send a CRC32 instead of Content-MD5, and either will do.
      if (!plan.contentMd5 && !plan.algorithm)
        throw problems.s3('InvalidRequest', 'DeleteObjects needs Content-MD5 or an x-amz-checksum-* header.');
      const doc = parseXml(await smallBody(ctx), 'Delete', ['Object']) as any;
      const items: { Key?: string; VersionId?: string }[] = doc.Object ?? [];
      if (items.length > 1000) throw problems.s3('MalformedXML', 'DeleteObjects takes at most 1000 keys.');
      const quiet = doc.Quiet === 'true';
      const deleted: XmlObject[] = [];
      const errors: XmlObject[] = [];
      for (const item of items) {
        const key = item.Key ?? '';
        const versionId = item.VersionId;
        try {
          await ctx.access.require(ctx, 'storage:DeleteObject', ctx.access.resource(bucket, key), bucket.id);
          const out = await ctx.store.delete(
            bucket,
            key,
            versionId,
            ctx.commit('storage:DeleteObject', bucket.id, () => ({ key, version_id: versionId, batch: true })),
          );
          if (!quiet)
            deleted.push({
              Key: key,
              VersionId: versionId,
              DeleteMarker: out.deleteMarker && !versionId ? true : undefined,
              DeleteMarkerVersionId: out.deleteMarker && !versionId ? out.versionId : undefined,
            });
        } catch (err) {
          const p = err as { code?: string; message?: string };
          errors.push({ Key: key, VersionId: versionId, Code: p.code ?? 'InternalError', Message: p.message });
        }
      }
      sendXml(ctx.res, 200, 'DeleteResult', { Deleted: deleted, Error: errors });
    },

    async GetObjectTagging(ctx) {
      const bucket = await allowed(ctx, 'storage:GetObjectTagging');
      const row = await ctx.store.version(bucket, ctx.r.key!, ctx.r.query.get('versionId'));
      if (bucket.versioning_status !== 'Unversioned') ctx.res.setHeader('x-amz-version-id', row.version_id);
      sendXml(ctx.res, 200, 'Tagging', {
        TagSet: { Tag: Object.entries(row.tags).map(([Key, Value]) => ({ Key, Value })) },
      });
    },

    async PutObjectTagging(ctx) {
      const bucket = await allowed(ctx, 'storage:PutObjectTagging');
      const doc = parseXml(await smallBody(ctx), 'Tagging', ['Tag']) as any;
      const tags: Record<string, string> = {};
      for (const t of doc.TagSet?.Tag ?? []) {
        if (typeof t.Key !== 'string') throw problems.s3('MalformedXML', 'A Tag needs a Key.');
        if (t.Key in tags) throw problems.s3('InvalidArgument', `The tag key ${t.Key} is given twice.`);
        tags[t.Key] = typeof t.Value === 'string' ? t.Value : '';
      }
      checkTags(tags);
      const row = await setTags(
        ctx.store,
        bucket,
        ctx.r.key!,
        ctx.r.query.get('versionId'),
        tags,
        tagCommit(ctx, bucket),
      );
      if (bucket.versioning_status !== 'Unversioned') ctx.res.setHeader('x-amz-version-id', row.version_id);
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    async DeleteObjectTagging(ctx) {
      const bucket = await allowed(ctx, 'storage:PutObjectTagging');
      const row = await setTags(
        ctx.store,
        bucket,
        ctx.r.key!,
        ctx.r.query.get('versionId'),
        {},
        tagCommit(ctx, bucket),
      );
      if (bucket.versioning_status !== 'Unversioned') ctx.res.setHeader('x-amz-version-id', row.version_id);
      ctx.res.statusCode = 204;
      ctx.res.end();
    },
  };
}
