// CopyObject: a version of an object (this bucket's or another of the caller's) written as a new object, its
// metadata copied or replaced. The bytes stream through decryption and re-encryption under the target's key.
import { problems } from '../../platform/problems.js';
import type { ChecksumAlgorithm } from '../objects/checksums.js';
import { attributesFrom, parseTagging, type ObjectAttributes } from '../objects/object-headers.js';
import { writeConditions } from '../object-rest.js';
import { copySource } from './copy-source.js';
import type { S3Ctx } from './door.js';
import { encryptionFor, moveTo, requestedClass } from './object-ops.js';
import { sendXml } from './responses.js';

function directive(ctx: S3Ctx, name: string): 'COPY' | 'REPLACE' {
  const v = ctx.headers[name];
  if (v === undefined || v === 'COPY') return 'COPY';
  if (v === 'REPLACE') return 'REPLACE';
  throw problems.s3('InvalidArgument', `${name} must be COPY or REPLACE.`, { ArgumentName: name });
}

export async function copyObject(ctx: S3Ctx): Promise<void> {
  const bucket = await ctx.bucket();
  const key = ctx.r.key!;
  await ctx.access.require(ctx, 'storage:PutObject', ctx.access.resource(bucket, key), bucket.id);
  const storageClass = requestedClass(ctx); // the copy's class, as PutObject's (the source's is not kept, as S3)
  const src = await copySource(ctx);
  const metadata = directive(ctx, 'x-amz-metadata-directive');
  const tagging = directive(ctx, 'x-amz-tagging-directive');
  const changesSomething =
    metadata === 'REPLACE' ||
    ctx.headers['x-amz-server-side-encryption'] !== undefined ||
    ctx.headers['x-amz-storage-class'] !== undefined;
  if (src.bucket.id === bucket.id && src.row.key === key && !src.versionId && !changesSomething)
    throw problems.s3(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  const given = attributesFrom(ctx.headers);
  const attributes: ObjectAttributes =
    metadata === 'REPLACE'
      ? { ...given, tags: src.row.tags }
      : {
          content_type: src.row.content_type ?? 'binary/octet-stream',
          metadata: src.row.metadata,
          headers: src.row.headers,
          tags: src.row.tags,
        };
  if (tagging === 'REPLACE') {
    const raw = ctx.headers['x-amz-tagging'];
    attributes.tags = typeof raw === 'string' ? parseTagging(raw) : {};
  }
  const algorithm =
    (ctx.headers['x-amz-checksum-algorithm'] as ChecksumAlgorithm | undefined) ??
    (Object.keys(src.row.checksums)[0] as ChecksumAlgorithm | undefined);
  const row = await ctx.store.put(encryptionFor(ctx, bucket), key, {
    body: await ctx.store.bytes(src.bucket, src.row),
    length: Number(src.row.size),
    attributes,
    conditions: writeConditions(ctx.headers),
    expect: { plan: algorithm ? { algorithm: String(algorithm).toUpperCase() as ChecksumAlgorithm } : {} },
    commit: ctx.commit('storage:PutObject', bucket.id, () => ({
      key,
      copy_source: `${src.bucket.name}/${src.row.key}`,
      copy_source_version_id: src.row.version_id,
    })),
  });
  await moveTo(ctx, row, storageClass);
  if (bucket.versioning_status !== 'Unversioned') ctx.res.setHeader('x-amz-version-id', row.version_id);
  if (src.bucket.versioning_status !== 'Unversioned')
    ctx.res.setHeader('x-amz-copy-source-version-id', src.row.version_id);
  if (row.encryption) {
    ctx.res.setHeader('x-amz-server-side-encryption', 'aws:kms');
    ctx.res.setHeader('x-amz-server-side-encryption-aws-kms-key-id', row.encryption.kms_key_id);
  }
  const checksums = Object.fromEntries(Object.entries(row.checksums).map(([a, v]) => [`Checksum${a}`, v]));
  sendXml(ctx.res, 200, 'CopyObjectResult', {
    ETag: row.etag,
    LastModified: new Date(row.last_modified),
    ...checksums,
  });
}
