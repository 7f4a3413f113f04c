// S3's lifecycle and restore operations: Put/Get/DeleteBucketLifecycle(Configuration) over the same configuration
// row REST serves (tiering/lifecycle-configs.ts), and RestoreObject of an ARCHIVE (GLACIER) object.
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import { buckets } from '../bucket-store.js';
import { configOf, putRules, removeRules } from '../tiering/lifecycle-configs.js';
import { checkDays, requestRestore } from '../tiering/restore.js';
import { rulesFromXml, rulesToXml, type Rule } from '../tiering/rules.js';
import { smallBody, type S3Ctx, type S3Handler } from './door.js';
import { sendXml } from './responses.js';
import { parseXml } from './xml.js';

export type LifecycleOperation =
  'PutBucketLifecycleConfiguration' | 'GetBucketLifecycleConfiguration' | 'DeleteBucketLifecycle' | 'RestoreObject';

export function lifecycleOps(): Record<LifecycleOperation, S3Handler> {
  const allowed = async (ctx: S3Ctx, action: string, key?: string) => {
    const bucket = await ctx.bucket();
    await ctx.access.require(ctx, action, ctx.access.resource(bucket, key), bucket.id);
    return bucket;
  };
  return {
    async PutBucketLifecycleConfiguration(ctx) {
      const bucket = await allowed(ctx, 'storage:PutLifecycleConfiguration');
      const { plan } = ctx.body().expect;
      // S3 requires an integrity header here; today's SDKs send a CRC32 instead of Content-MD5, and either will do.
      if (!plan.contentMd5 && !plan.algorithm)
        throw problems.s3('InvalidRequest', 'PutBucketLifecycleConfiguration needs Content-MD5 or x-amz-checksum-*.');
      const doc = parseXml(await smallBody(ctx), 'LifecycleConfiguration', ['Rule', 'Transition', 'Tag']);
      const rules = rulesFromXml(doc);
      await ctx.commit('storage:PutLifecycleConfiguration', bucket.id, () => ({ rules: rules.length }))(
        async (trx: Knex.Transaction) => putRules(trx, await buckets.get(trx, ctx.principal, bucket.id, true), rules),
      );
      ctx.res.statusCode = 200;
      ctx.res.end();
    },

    async GetBucketLifecycleConfiguration(ctx) {
      const bucket = await allowed(ctx, 'storage:GetLifecycleConfiguration');
      const config = await configOf(ctx.deps.db, bucket.id);
      if (!config)
        throw problems.s3('NoSuchLifecycleConfiguration', `The bucket ${bucket.name} has no lifecycle configuration.`, {
          BucketName: bucket.name,
        });
      sendXml(ctx.res, 200, 'LifecycleConfiguration', rulesToXml(config.rules as Rule[]));
    },

    async DeleteBucketLifecycle(ctx) {
      const bucket = await allowed(ctx, 'storage:PutLifecycleConfiguration');
      await ctx.commit('storage:PutLifecycleConfiguration', bucket.id, () => ({ lifecycle: 'deleted' }))((trx) =>
        removeRules(trx, bucket.id),
      );
      ctx.res.statusCode = 204;
      ctx.res.end();
    },

    async RestoreObject(ctx) {
      const key = ctx.r.key!;
      const bucket = await allowed(ctx, 'storage:RestoreObject', key);
      const doc = parseXml(await smallBody(ctx), 'RestoreRequest', []);
      if (doc.Type !== undefined || doc.SelectParameters !== undefined)
        throw problems.s3('NotImplemented', 'Select restores are not implemented.');
      const days = checkDays(doc.Days);
      const versionId = ctx.r.query.get('versionId');
      const row = await ctx.store.version(bucket, key, versionId);
      const outcome = await ctx.commit('storage:RestoreObject', bucket.id, () => ({
        key,
        version_id: versionId,
        days,
      }))((trx) =>
        requestRestore(trx, row, days, ctx.deps.clock.now(), ctx.deps.config.storage.restoreDelaySeconds * 1000),
      );
      // S3: 202 for a restore started, 200 when a restored copy's expiry was set anew.
      ctx.res.statusCode = outcome === 'started' ? 202 : 200;
      ctx.res.end();
    },
  };
}
