// Multipart uploads over S3: Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts, ListMultipartUploads.
import { problems } from '../../platform/problems.js';
import type { ChecksumAlgorithm } from '../objects/checksums.js';
import { rollUp } from '../objects/listing.js';
import { Multipart, checkPartNumber, uploadOf, type CompletedPart, type UploadRow } from '../objects/multipart.js';
import { attributesFrom } from '../objects/object-headers.js';
import { parseRange } from '../objects/reads.js';
import type { ObjectStore } from '../objects/object-store.js';
import { writeConditions } from '../object-rest.js';
import { copySource } from './copy-source.js';
import { smallBody, type S3Ctx, type S3Handler } from './door.js';
import { encryptionFor, moveTo, requestedClass, writeHeaders } from './object-ops.js';
import { sendXml } from './responses.js';
import { S3_NAME, type StorageClass } from '../tiering/classes.js';

/** The class CreateMultipartUpload asked for, kept among the upload's stored headers, never the object's. */
const CLASS_HEADER = 'x-atonix-storage-class';
const classOf = (u: UploadRow) => S3_NAME[(u.headers[CLASS_HEADER] ?? 'STANDARD') as StorageClass];
import { parseXml } from './xml.js';

type MultipartOperation =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'ListMultipartUploads';

/** Rows ListMultipartUploads reads at a time. */
const UPLOAD_BATCH = 1000;
const CHECKSUMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
const engines = new WeakMap<ObjectStore, Multipart>();
const multipartOf = (store: ObjectStore) => {
  let m = engines.get(store);
  if (!m) engines.set(store, (m = new Multipart(store)));
  return m;
};

function bounded(ctx: S3Ctx, name: string, max: number): number {
  const raw = ctx.r.query.get(name);
  if (raw === undefined) return max;
  if (!/^\d+$/.test(raw))
    throw problems.s3('InvalidArgument', `${name} must be a non-negative integer.`, { ArgumentName: name });
  return Math.min(max, Number(raw));
}

const checksumXml = (checksums: Record<string, string>) =>
  Object.fromEntries(Object.entries(checksums).map(([a, v]) => [`Checksum${a}`, v]));

export function multipartOps(): Record<MultipartOperation, S3Handler> {
  /** The bucket and the upload the request names, after IAM allowed `action` on the object. */
  const named = async (ctx: S3Ctx, action: string) => {
    const bucket = await ctx.bucket();
    await ctx.access.require(ctx, action, ctx.access.resource(bucket, ctx.r.key), bucket.id);
    const upload = await uploadOf(ctx.deps.db, bucket, ctx.r.key!, ctx.r.query.get('uploadId') ?? '');
    return { bucket, upload };
  };
  const ok = (ctx: S3Ctx, status = 200) => {
    ctx.res.statusCode = status;
    ctx.res.end();
  };
  return {
    async CreateMultipartUpload(ctx) {
      const bucket = await ctx.bucket();
      const key = ctx.r.key!;
      await ctx.access.require(ctx, 'storage:PutObject', ctx.access.resource(bucket, key), bucket.id);
      const raw = ctx.headers['x-amz-checksum-algorithm'];
      const algorithm = raw === undefined ? undefined : String(raw).toUpperCase();
      if (algorithm !== undefined && !CHECKSUMS.includes(algorithm))
        throw problems.s3('InvalidRequest', `The checksum algorithm ${raw} is not supported.`);
      const storageClass = requestedClass(ctx);
      const target = encryptionFor(ctx, bucket);
      const attributes = attributesFrom(ctx.headers);
      // Kept with the upload's stored headers (no column for it): complete() takes it out and the object moves.
      if (storageClass !== 'STANDARD') attributes.headers[CLASS_HEADER] = storageClass;
      const upload = await multipartOf(ctx.store).create(
        target,
        key,
        attributes,
        { algorithm: algorithm as ChecksumAlgorithm | undefined, type: ctx.headers['x-amz-checksum-type'] as string },
        ctx.commit('storage:PutObject', bucket.id, () => ({ key, multipart: 'create' })),
      );
      if (upload.encryption) {
        ctx.res.setHeader('x-amz-server-side-encryption', 'aws:kms');
        ctx.res.setHeader('x-amz-server-side-encryption-aws-kms-key-id', upload.encryption.kms_key_id);
      }
      if (algorithm) ctx.res.setHeader('x-amz-checksum-algorithm', algorithm);
      sendXml(ctx.res, 200, 'InitiateMultipartUploadResult', {
        Bucket: bucket.name,
        Key: key,
        UploadId: upload.upload_id,
      });
    },

    async UploadPart(ctx) {
      const { bucket, upload } = await named(ctx, 'storage:PutObject');
      const partNumber = checkPartNumber(ctx.r.query.get('partNumber'));
      const body = ctx.body();
      const part = await multipartOf(ctx.store).putPart(bucket, upload, partNumber, body.stream, {
        length: body.length,
        expect: body.expect,
        commit: ctx.commit('storage:PutObject', bucket.id, () => ({ key: upload.key, part: partNumber })),
      });
      ctx.res.setHeader('ETag', part.etag);
      for (const [alg, v] of Object.entries(part.checksums))
        ctx.res.setHeader(`x-amz-checksum-${alg.toLowerCase()}`, v);
      if (upload.encryption) ctx.res.setHeader('x-amz-server-side-encryption', 'aws:kms');
      ok(ctx);
    },

    async UploadPartCopy(ctx) {
      const { bucket, upload } = await named(ctx, 'storage:PutObject');
      const partNumber = checkPartNumber(ctx.r.query.get('partNumber'));
      const src = await copySource(ctx);
      const rangeHeader = ctx.headers['x-amz-copy-source-range'];
      const range = rangeHeader === undefined ? undefined : parseRange(String(rangeHeader), Number(src.row.size));
      if (rangeHeader !== undefined && !range)
        throw problems.s3('InvalidArgument', 'x-amz-copy-source-range must be bytes=first-last.', {
          ArgumentName: 'x-amz-copy-source-range',
        });
      const part = await multipartOf(ctx.store).putPart(
        bucket,
        upload,
        partNumber,
        await ctx.store.bytes(src.bucket, src.row, range),
        {
          length: range ? range.end - range.start + 1 : Number(src.row.size),
          commit: ctx.commit('storage:PutObject', bucket.id, () => ({
            key: upload.key,
            part: partNumber,
            copy_source: `${src.bucket.name}/${src.row.key}`,
          })),
        },
      );
      if (src.bucket.versioning_status !== 'Unversioned')
        ctx.res.setHeader('x-amz-copy-source-version-id', src.row.version_id);
      sendXml(ctx.res, 200, 'CopyPartResult', { ETag: part.etag, LastModified: new Date(part.last_modified) });
    },

    async CompleteMultipartUpload(ctx) {
      const { bucket, upload } = await named(ctx, 'storage:PutObject');
      const doc = parseXml(await smallBody(ctx, 8 * 1024 * 1024), 'CompleteMultipartUpload', ['Part']) as any;
      const parts: CompletedPart[] = (doc.Part ?? []).map((p: Record<string, string>) => {
        if (!/^\d+$/.test(p.PartNumber ?? '') || typeof p.ETag !== 'string')
          throw problems.s3('MalformedXML', 'Every Part needs a PartNumber and an ETag.');
        const checksums: Record<string, string> = {};
        for (const alg of CHECKSUMS) if (typeof p[`Checksum${alg}`] === 'string') checksums[alg] = p[`Checksum${alg}`]!;
        return { partNumber: Number(p.PartNumber), etag: p.ETag, checksums };
      });
      const { [CLASS_HEADER]: storageClass, ...headers } = upload.headers;
      const row = await multipartOf(ctx.store).complete(
        bucket,
        { ...upload, headers },
        parts,
        writeConditions(ctx.headers),
        ctx.commit('storage:PutObject', bucket.id, () => ({
          key: upload.key,
          multipart: 'complete',
          parts: parts.length,
        })),
      );
      await moveTo(ctx, row, (storageClass as StorageClass | undefined) ?? 'STANDARD');
      writeHeaders(ctx, bucket, row);
      ctx.res.removeHeader('ETag'); // in the body, as S3 answers
      for (const alg of Object.keys(row.checksums)) ctx.res.removeHeader(`x-amz-checksum-${alg.toLowerCase()}`);
      sendXml(ctx.res, 200, 'CompleteMultipartUploadResult', {
        Location: `/${bucket.name}/${encodeURIComponent(row.key)}`,
        Bucket: bucket.name,
        Key: row.key,
        ETag: row.etag,
        ...checksumXml(row.checksums),
        ...(row.checksum_type ? { ChecksumType: row.checksum_type } : {}),
      });
    },

    async AbortMultipartUpload(ctx) {
      const { bucket, upload } = await named(ctx, 'storage:AbortMultipartUpload');
      await multipartOf(ctx.store).abort(
        bucket,
        upload,
        ctx.commit('storage:AbortMultipartUpload', bucket.id, () => ({ key: upload.key, upload_id: upload.upload_id })),
      );
      ok(ctx, 204);
    },

    async ListParts(ctx) {
      const { bucket, upload } = await named(ctx, 'storage:ListMultipartUploadParts');
      const max = bounded(ctx, 'max-parts', 1000);
      const marker = Number(ctx.r.query.get('part-number-marker') ?? 0) || 0;
      const rows = await multipartOf(ctx.store).parts(upload.upload_id, marker, max + 1);
      const page = rows.slice(0, max);
      // max-parts=0 lists nothing and is not truncated, or a paginator would ask again forever.
      const truncated = max > 0 && rows.length > max;
      sendXml(ctx.res, 200, 'ListPartsResult', {
        Bucket: bucket.name,
        Key: upload.key,
        UploadId: upload.upload_id,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.length ? page[page.length - 1]!.part_number : marker,
        MaxParts: max,
        IsTruncated: truncated,
        ...(upload.checksum_algorithm ? { ChecksumAlgorithm: upload.checksum_algorithm } : {}),
        Part: page.map((p) => ({
          PartNumber: p.part_number,
          LastModified: new Date(p.last_modified),
          ETag: p.etag,
          Size: Number(p.size),
          ...checksumXml(p.checksums),
        })),
        Initiator: { ID: upload.owner, DisplayName: upload.owner },
        Owner: { ID: upload.owner, DisplayName: upload.owner },
        StorageClass: classOf(upload),
      });
    },

    async ListMultipartUploads(ctx) {
      const bucket = await ctx.bucket();
      await ctx.access.require(ctx, 'storage:ListBucketMultipartUploads', ctx.access.resource(bucket), bucket.id);
      const max = bounded(ctx, 'max-uploads', 1000);
      const prefix = ctx.r.query.get('prefix') ?? '';
      const delimiter = ctx.r.query.get('delimiter') || undefined;
      const keyMarker = ctx.r.query.get('key-marker') || undefined;
      const uploadIdMarker = ctx.r.query.get('upload-id-marker') || undefined;
      // Read in batches until the page is full: keys rolled up into a prefix take no room, so one batch of
      // max + 1 rows could end the listing early. A page ending on a prefix continues after every key under it.
      const uploads: UploadRow[] = [];
      const prefixes: string[] = [];
      let truncated = false;
      let next: { key: string; uploadId?: string } | undefined;
      let lastPrefix =
        delimiter && keyMarker !== undefined && rollUp(keyMarker, prefix, delimiter) === keyMarker
          ? keyMarker
          : undefined;
      let after = { keyMarker, uploadIdMarker };
      scan: while (max > 0) {
        const rows = await multipartOf(ctx.store).uploads(bucket, { prefix, ...after, max: UPLOAD_BATCH });
        for (const u of rows) {
          const rolled = delimiter ? rollUp(u.key, prefix, delimiter) : undefined;
          if (rolled !== undefined && rolled === lastPrefix) continue;
          if (uploads.length + prefixes.length === max) {
            truncated = true;
            break scan;
          }
          if (rolled !== undefined) {
            prefixes.push(rolled);
            lastPrefix = rolled;
            next = { key: rolled };
          } else {
            uploads.push(u);
            next = { key: u.key, uploadId: u.upload_id };
          }
        }
        if (rows.length <= UPLOAD_BATCH) break;
        const last = rows[rows.length - 1]!;
        after = { keyMarker: last.key, uploadIdMarker: last.upload_id };
      }
      sendXml(ctx.res, 200, 'ListMultipartUploadsResult', {
        Bucket: bucket.name,
        KeyMarker: keyMarker ?? '',
        UploadIdMarker: uploadIdMarker ?? '',
        NextKeyMarker: truncated ? next?.key : undefined,
        NextUploadIdMarker: truncated ? next?.uploadId : undefined,
        Prefix: prefix,
        Delimiter: delimiter,
        MaxUploads: max,
        IsTruncated: truncated,
        Upload: uploads.map((u) => ({
          Key: u.key,
          UploadId: u.upload_id,
          Initiator: { ID: u.owner, DisplayName: u.owner },
          Owner: { ID: u.owner, DisplayName: u.owner },
          StorageClass: classOf(u),
          Initiated: new Date(u.initiated),
          ...(u.checksum_algorithm ? { ChecksumAlgorithm: u.checksum_algorithm } : {}),
        })),
        CommonPrefixes: prefixes.map((p) => ({ Prefix: p })),
      });
    },
  };
}
