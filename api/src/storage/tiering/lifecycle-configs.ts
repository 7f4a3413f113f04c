// Bucket lifecycle configurations (kind bucket_lifecycle_configuration): one per bucket, over REST here and over
// S3 in s3/lifecycle-ops.ts, both through putRules/removeRules so the two doors keep one row. `{id}` may name the
// bucket (its id or name) instead, which is how Terraform imports one by its bucket.
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import type { Principal } from '../../platform/operations/principals.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler, patchHandler } from '../../platform/resources/crud.js';
import { ResourceRepo, withDefaults, type Schemas } from '../../platform/resources/repo.js';
import { buckets, resolveBucketId, type BucketRow } from '../bucket-store.js';
import { checkRules, normalise, type Rule } from './rules.js';
import { tieringWorkers } from './worker.js';

type Db = Knex | Knex.Transaction;

export const lifecycles = new ResourceRepo<Schemas['BucketLifecycleConfiguration']>(
  registry.bucket_lifecycle_configuration,
);

export type LifecycleRow = Awaited<ReturnType<typeof lifecycles.get>>;

/** The configuration a path's `{id}` names: its own id, or its bucket's id or name. */
async function resolveConfigId(db: Knex, principal: Principal, id: string): Promise<string> {
  if (id.startsWith('lcc-')) return id;
  const bucketId = await resolveBucketId(db, principal, id).catch(() => {
    throw problems.notFound('bucket_lifecycle_configuration', id);
  });
  const row = await db(lifecycles.table).where({ bucket_id: bucketId }).first('id', 'owner');
  if (!row || (!principal.isAdmin && row.owner !== principal.userId))
    throw problems.notFound('bucket_lifecycle_configuration', id);
  return row.id;
}

/** The bucket's configuration, if it has one. */
export async function configOf(db: Db, bucketId: string): Promise<LifecycleRow | undefined> {
  return db(lifecycles.table).where({ bucket_id: bucketId }).first();
}

/** Sets a bucket's rules (already checked), creating its configuration when it has none (S3's Put). */
export async function putRules(trx: Knex.Transaction, bucket: BucketRow, rules: Rule[]): Promise<LifecycleRow> {
  await trx(buckets.table).where({ id: bucket.id }).forUpdate().first('id'); // one configuration per bucket
  const existing: LifecycleRow | undefined = await trx(lifecycles.table).where({ bucket_id: bucket.id }).first();
  if (existing) return lifecycles.update(trx, existing, { rules: normalise(rules) });
  return lifecycles.insert(trx, {
    name: bucket.name,
    bucket_id: bucket.id,
    rules: normalise(rules),
    owner: bucket.owner,
  } as Partial<LifecycleRow>);
}

/** Removes a bucket's configuration; false when it had none. */
export async function removeRules(trx: Knex.Transaction, bucketId: string): Promise<boolean> {
  const existing = await configOf(trx, bucketId);
  if (existing) await lifecycles.remove(trx, existing);
  return !!existing;
}

function lifecycleHandlers(): KindHandlers<'bucket_lifecycle_configuration'> {
  return {
    listBucketLifecycleConfigurations: listHandler(lifecycles, ['bucket_id']),
    getBucketLifecycleConfiguration: getHandler(lifecycles),
    async createBucketLifecycleConfiguration(ctx) {
      const bucketId = await resolveBucketId(ctx.db, ctx.principal, ctx.body.bucket_id).catch(() => {
        throw problems.referenceNotFound('bucket_id', ctx.body.bucket_id);
      });
      const bucket = await buckets.get(ctx.db, ctx.principal, bucketId, true).catch(() => {
        throw problems.referenceNotFound('bucket_id', ctx.body.bucket_id);
      });
      checkRules(ctx.body.rules);
      const other = await configOf(ctx.db, bucket.id);
      if (other)
        throw problems.conflict(
          `bucket ${bucket.id} has lifecycle configuration ${other.id} already; a bucket has one (change its rules instead).`,
          [{ pointer: '/bucket_id', detail: `has ${other.id} already`, code: 'LifecycleConfigurationExists' }],
          { conflicts_with: other.id },
        );
      const row = await lifecycles.insert(ctx.db, {
        ...withDefaults(lifecycles.meta, ctx.body),
        name: bucket.name, // the common name column: the bucket's, for whoever reads the table
        bucket_id: bucket.id,
        rules: normalise(ctx.body.rules),
        owner: ctx.principal.userId,
      } as Partial<LifecycleRow>);
      ctx.audit = {
        resource_type: 'bucket_lifecycle_configuration',
        resource_id: row.id,
        details: { bucket: bucket.id },
      };
      return { status: 201, body: lifecycles.present(row), headers: { Location: lifecycles.location(row.id) } };
    },
    updateBucketLifecycleConfiguration: patchHandler(lifecycles, async (_ctx, _row, changes) => {
      if (changes.rules === undefined) return;
      checkRules(changes.rules as Rule[]);
      return { ...changes, rules: normalise(changes.rules as Rule[]) };
    }),
    deleteBucketLifecycleConfiguration: deleteHandler(lifecycles),
  };
}

export const lifecycleKind = defineKind('bucket_lifecycle_configuration', {
  handlers: lifecycleHandlers,
  resolveId: resolveConfigId,
  // The daily lifecycle pass, restores and the recovery of tier moves (tiering/worker.ts) run on clock ticks.
  workers: tieringWorkers,
});
