// S3's bucket operations: ListBuckets, Create/Head/Delete Bucket, GetBucketLocation, versioning and default
// encryption. They change the same bucket rows REST does, through the same rules (bucket-store, buckets.ts).
import { problems } from '../../platform/problems.js';
import { keyFor } from '../../security/kms/key-store.js';
import { buckets, versioningAfter } from '../bucket-store.js';
import { deleteBucketRow, insertBucket } from '../buckets.js';
import { smallBody, type S3Ctx, type S3Handler } from './door.js';
import { sendXml } from './responses.js';
import { parseXml } from './xml.js';

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function bucketOps(): Record<
  | 'ListBuckets'
  | 'CreateBucket'
  | 'HeadBucket'
  | 'DeleteBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'GetBucketEncryption'
  | 'PutBucketEncryption'
  | 'DeleteBucketEncryption',
  S3Handler
> {
  /** The caller's bucket, after IAM allowed `action` on it. */
  const allowed = async (ctx: S3Ctx, action: string, lock = false) => {
    const bucket = await ctx.bucket(lock);
    await ctx.access.require(ctx, action, ctx.access.resource(bucket), bucket.id);
    return bucket;
  };
  return {
    async ListBuckets(ctx) {
      const q = ctx.deps.db(buckets.table).orderBy('name');
      if (!ctx.principal.isAdmin) q.where({ owner: ctx.principal.userId });
      const rows = await q.select('id', 'name', 'owner', 'created_at');
      const everything = ctx.access.resource({ id: '*', owner: ctx.principal.userId });
      const all = await ctx.access.allows(ctx, 'storage:ListBuckets', everything);
      const visible = [];
      for (const b of rows)
        if (all || (await ctx.access.allows(ctx, 'storage:ListBuckets', ctx.access.resource(b)))) visible.push(b);
      if (!all && !visible.length) await ctx.access.require(ctx, 'storage:ListBuckets', everything);
      sendXml(ctx.res, 200, 'ListAllMyBucketsResult', {
        Owner: { ID: ctx.principal.userId, DisplayName: ctx.principal.name ?? ctx.principal.userId },
        Buckets: { Bucket: visible.map((b) => ({ Name: b.name, CreationDate: new Date(b.created_at) })) },
      });
    },

    async CreateBucket(ctx) {
      const name = ctx.r.bucket!;
      await ctx.access.require(
        ctx,
        'storage:CreateBucket',
        ctx.access.resource({ id: '*', owner: ctx.principal.userId }),
      );
      const body = await smallBody(ctx);
      if (body.length) {
        const doc = parseXml(body, 'CreateBucketConfiguration', []) as Record<string, unknown>;
        const location = text(doc.LocationConstraint);
        if (location && location !== ctx.deps.config.region)
          throw problems.s3(
            'InvalidArgument',
            `This endpoint serves region ${ctx.deps.config.region}, not ${location}.`,
            {
              ArgumentName: 'LocationConstraint',
              ArgumentValue: location,
            },
          );
      }
      // S3's default: a new bucket is unversioned, so `aws s3 rm` then `rb` empties and deletes it (REST's is versioned).
      const row = await ctx.commit('storage:CreateBucket', undefined, () => ({ name }))((trx) =>
        insertBucket(trx, {
          name,
          owner: ctx.principal.userId,
          region: ctx.deps.config.region,
          versioning_enabled: false,
        }),
      );
      ctx.res.setHeader('Location', `/${row.name}`);
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    async HeadBucket(ctx) {
      const bucket = await allowed(ctx, 'storage:GetBucket');
      ctx.res.setHeader('x-amz-bucket-region', bucket.region);
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    async DeleteBucket(ctx) {
      const bucket = await allowed(ctx, 'storage:DeleteBucket');
      const files = await ctx.commit('storage:DeleteBucket', bucket.id, () => ({ name: bucket.name }))(async (trx) => {
        const row = await buckets.get(trx, ctx.principal, bucket.id, true);
        return deleteBucketRow(trx, row);
      });
      ctx.store.release(files);
      ctx.res.statusCode = 204;
      ctx.res.end();
    },

    async GetBucketLocation(ctx) {
      const bucket = await allowed(ctx, 'storage:GetBucket');
      // us-east-1 is the empty constraint, as S3 answers it.
      sendXml(ctx.res, 200, 'LocationConstraint', bucket.region === 'us-east-1' ? '' : bucket.region);
    },

    async GetBucketVersioning(ctx) {
      const bucket = await allowed(ctx, 'storage:GetBucketVersioning');
      sendXml(
        ctx.res,
        200,
        'VersioningConfiguration',
        bucket.versioning_status === 'Unversioned' ? {} : { Status: bucket.versioning_status },
      );
    },

    async PutBucketVersioning(ctx) {
      const bucket = await allowed(ctx, 'storage:PutBucketVersioning');
      const doc = parseXml(await smallBody(ctx), 'VersioningConfiguration', []) as Record<string, unknown>;
      const status = text(doc.Status);
      if (status !== 'Enabled' && status !== 'Suspended')
        throw problems.s3('MalformedXML', 'Status must be Enabled or Suspended.');
      await ctx.commit('storage:PutBucketVersioning', bucket.id, () => ({ status }))(async (trx) => {
        const row = await buckets.get(trx, ctx.principal, bucket.id, true);
        const enabled = status === 'Enabled';
        await buckets.update(trx, row, {
          versioning_enabled: enabled,
          versioning_status: versioningAfter(row.versioning_status, enabled) as never,
        });
      });
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    async GetBucketEncryption(ctx) {
      const bucket = await allowed(ctx, 'storage:GetEncryptionConfiguration');
      if (!bucket.encryption_enabled)
        throw problems.s3(
          'ServerSideEncryptionConfigurationNotFoundError',
          'The bucket stores new objects unencrypted (encryption_enabled is false).',
          { BucketName: bucket.name },
        );
      sendXml(ctx.res, 200, 'ServerSideEncryptionConfiguration', {
        Rule: {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: bucket.kms_key_id ?? undefined,
          },
          BucketKeyEnabled: false,
        },
      });
    },

    async PutBucketEncryption(ctx) {
      const bucket = await allowed(ctx, 'storage:PutEncryptionConfiguration');
      const doc = parseXml(await smallBody(ctx), 'ServerSideEncryptionConfiguration', ['Rule']) as any;
      const rule = doc.Rule?.[0]?.ApplyServerSideEncryptionByDefault;
      const algorithm = text(rule?.SSEAlgorithm);
      if (algorithm !== 'AES256' && algorithm !== 'aws:kms')
        throw problems.s3('MalformedXML', 'SSEAlgorithm must be AES256 or aws:kms.');
      const keyId = algorithm === 'aws:kms' ? text(rule.KMSMasterKeyID) : undefined;
      if (keyId) {
        const key = await keyFor(ctx.deps.db, ctx.principal, keyId.replace(/^.*:key\//, '')).catch(() => {
          throw problems.s3('InvalidArgument', `The key ${keyId} does not exist.`, { ArgumentName: 'KMSMasterKeyID' });
        });
        if (key.key_spec !== 'SYMMETRIC_DEFAULT' || key.key_state !== 'enabled')
          throw problems.s3('InvalidArgument', `The key ${keyId} is not an enabled symmetric key.`);
      }
      await ctx.commit('storage:PutEncryptionConfiguration', bucket.id, () => ({ algorithm, key: keyId }))(
        async (trx) => {
          const row = await buckets.get(trx, ctx.principal, bucket.id, true);
          await buckets.update(trx, row, { encryption_enabled: true, kms_key_id: keyId ?? null });
        },
      );
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    async DeleteBucketEncryption(ctx) {
      const bucket = await allowed(ctx, 'storage:PutEncryptionConfiguration');
      await ctx.commit('storage:PutEncryptionConfiguration', bucket.id, () => ({ encryption: 'off' }))(async (trx) => {
        const row = await buckets.get(trx, ctx.principal, bucket.id, true);
        await buckets.update(trx, row, { encryption_enabled: false, kms_key_id: null });
      });
      ctx.res.statusCode = 204;
      ctx.res.end();
    },
  };
}
