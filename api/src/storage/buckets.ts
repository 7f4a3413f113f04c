// Buckets over REST, and the seed's object paths on them: `PUT /buckets/{id}?key=` uploads, `GET` with `key`
// downloads, `DELETE` with `key` deletes an object (without `key`, GET and DELETE are the bucket's own).
import type { Knex } from 'knex';
import type { Deps } from '../platform/deps.js';
import { defineKind, type KindHandlers } from '../platform/manifest.js';
import type { OpContext } from '../platform/operations/context.js';
import { problems } from '../platform/problems.js';
import { checkIfMatch, mergePatch, withDefaults, type Schemas } from '../platform/resources/repo.js';
import { keyFor } from '../security/kms/key-store.js';
import {
  GIB,
  bucketNameProblem,
  buckets,
  presentBucket,
  presentBuckets,
  resolveBucketId,
  usageOf,
  versioningAfter,
  type BucketRow,
} from './bucket-store.js';
import { ORPHAN_AGE_MS, objectStoreOf, referencedFiles } from './engine.js';
import { objectRest } from './object-rest.js';
import { emptyBucket, isEmpty } from './objects/versions.js';
import { usageByClass } from './tiering/classes.js';

type Db = Knex | Knex.Transaction;

/** A bucket's key must be one of the owner's symmetric encryption keys that can still wrap. */
async function checkKmsKey(ctx: OpContext, id: string | null | undefined) {
  if (!id) return;
  const key = await keyFor(ctx.db, ctx.principal, id).catch(() => {
    throw problems.referenceNotFound('kms_key_id', id);
  });
  if (key.key_spec !== 'SYMMETRIC_DEFAULT' || key.key_usage !== 'ENCRYPT_DECRYPT')
    throw problems.invalidField(
      'kms_key_id',
      `key ${key.id} is ${key.key_spec}; a bucket needs a SYMMETRIC_DEFAULT key`,
    );
  if (key.key_state !== 'enabled')
    throw problems.kmsInvalidState(key.id, 'encrypt objects', key.key_state, ['enabled']);
}

/** Who holds a name: 409 BucketAlreadyOwnedByYou for the caller's own, BucketAlreadyExists for another owner's. */
export async function checkNameFree(db: Db, name: string, caller: string) {
  const taken = await db(buckets.table).where({ name }).first('owner');
  if (!taken) return;
  if (taken.owner === caller)
    throw problems.s3('BucketAlreadyOwnedByYou', `You already own the bucket ${name}.`, { BucketName: name });
  throw problems.s3('BucketAlreadyExists', `The bucket name ${name} is taken; bucket names are global.`, {
    BucketName: name,
  });
}

/** Creates a bucket row and its usage row in the caller's transaction (both doors create through this). */
export async function insertBucket(
  db: Knex.Transaction,
  values: { name: string; owner: string; region: string } & Partial<Schemas['Bucket']>,
): Promise<BucketRow> {
  const problem = bucketNameProblem(values.name);
  if (problem) throw problems.invalidField('name', problem, 'InvalidBucketName');
  await checkNameFree(db, values.name, values.owner);
  const all = withDefaults(buckets.meta, values) as Partial<BucketRow>;
  const row = await buckets.insert(db, {
    ...all,
    owner: values.owner,
    region: values.region,
    versioning_status: all.versioning_enabled ? 'Enabled' : 'Unversioned',
  });
  await db('bucket_usage').insert({ bucket_id: row.id });
  return row;
}

function bucketHandlers(deps: Deps): KindHandlers<'bucket'> {
  const objects = objectRest(deps);
  const store = objectStoreOf(deps);
  return {
    async listBuckets(ctx) {
      const page = await buckets.list(
        ctx.db,
        ctx.principal,
        { name: ctx.query.name },
        ctx.query.limit,
        ctx.query.cursor,
      );
      const ids = page.items.map((b) => b.id!);
      const [usage, classes] = await Promise.all([usageOf(ctx.db, ids), usageByClass(ctx.db, ids)]);
      return {
        status: 200,
        body: {
          ...page,
          items: page.items.map((b) => {
            const u = usage.get(b.id!) ?? { used_bytes: 0, object_count: 0 };
            const used_gb = Math.round((u.used_bytes / GIB) * 1e6) / 1e6;
            return { ...b, ...u, used_gb, usage_by_class: classes.get(b.id!)! };
          }),
        },
      };
    },
    async createBucket(ctx) {
      await checkKmsKey(ctx, ctx.body.kms_key_id);
      const row = await insertBucket(ctx.db as Knex.Transaction, {
        ...ctx.body,
        owner: ctx.principal.userId,
        region: deps.config.region,
      });
      ctx.audit = { resource_type: 'bucket', resource_id: row.id, details: { name: row.name } };
      return { status: 201, body: await presentBucket(ctx.db, row), headers: { Location: buckets.location(row.id) } };
    },
    async getBucket(ctx) {
      if (ctx.query.key !== undefined) return objects.download(ctx);
      return {
        status: 200,
        body: await presentBucket(ctx.db, await buckets.get(ctx.db, ctx.principal, ctx.params.id)),
      };
    },
    putObject: (ctx) => objects.upload(ctx),
    async updateBucket(ctx) {
      const row = await buckets.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(buckets.meta, ctx.body, buckets.present(row)) as Partial<BucketRow>;
      if (changes.kms_key_id) await checkKmsKey(ctx, changes.kms_key_id);
      if (changes.versioning_enabled !== undefined)
        changes.versioning_status = versioningAfter(row.versioning_status, changes.versioning_enabled) as never;
      if (changes.size_gb !== undefined) {
        const used = (await usageOf(ctx.db, [row.id])).get(row.id)?.used_bytes ?? 0;
        if (changes.size_gb * GIB < used)
          throw problems.invalidField(
            'size_gb',
            `the bucket holds ${used} bytes; the quota may not be lowered below that (${Math.ceil(used / GIB)} GiB)`,
          );
      }
      const updated = await buckets.update(ctx.db, row, changes);
      ctx.audit = { resource_type: 'bucket', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: await presentBucket(ctx.db, updated) };
    },
    async deleteBucket(ctx) {
      if (ctx.query.key !== undefined) return objects.remove(ctx);
      const row = await buckets.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const files = await deleteBucketRow(ctx.db as Knex.Transaction, row);
      ctx.afterCommit(() => store.release(files));
      ctx.audit = { resource_type: 'bucket', resource_id: row.id, details: { name: row.name } };
      return { status: 204 };
    },
    listObjects: (ctx) => objects.list(ctx),
    restoreObject: (ctx) => objects.restore(ctx),
  };
}

/** Deletes a bucket (emptying it first when it is force_destroy); the files to delete once committed. */
export async function deleteBucketRow(trx: Knex.Transaction, row: BucketRow) {
  let files: Awaited<ReturnType<typeof emptyBucket>> = [];
  if (!(await isEmpty(trx, row.id))) {
    if (!row.force_destroy)
      throw problems.s3(
        'BucketNotEmpty',
        `The bucket ${row.name} holds objects, versions or unfinished uploads; delete them first, or set force_destroy.`,
        { BucketName: row.name },
      );
    files = await emptyBucket(trx, row);
  }
  await buckets.remove(trx, row);
  return files;
}

export const bucketKind = defineKind('bucket', {
  handlers: bucketHandlers,
  // A bucket is named by its id or by its (global) name.
  resolveId: resolveBucketId,
  // Files no row names (a crash between an upload's rename and its commit, a release that failed) are swept with
  // platform time, at most once per ORPHAN_AGE_MS, wherever workers run.
  workers(deps) {
    const store = objectStoreOf(deps);
    let last = deps.clock.now();
    deps.clock.onTick(async (now) => {
      if (now - last < ORPHAN_AGE_MS) return;
      last = now;
      const swept = await store.files.sweep((files) => referencedFiles(deps, files), ORPHAN_AGE_MS, now);
      if (swept.tempRemoved || swept.orphansRemoved) deps.log.info(swept, 'object files swept');
    });
    return {};
  },
});

export { presentBuckets };
