// Buckets as both doors see them: the repo, S3's naming rules, lookup by id or name, usage (bytes and versions,
// held beside the bucket row) and the quota check every write makes in its commit.
import type { Knex } from 'knex';
import { registry } from '../generated/registry.js';
import type { Principal } from '../platform/operations/principals.js';
import { problems } from '../platform/problems.js';
import { ResourceRepo, type Schemas, type StoredRow } from '../platform/resources/repo.js';
import { rowCache } from '../platform/resources/row-cache.js';
import { usageByClass } from './tiering/classes.js';

type Db = Knex | Knex.Transaction;

export const GIB = 1024 ** 3;

export type BucketRow = StoredRow<Schemas['Bucket'], { size_gb: number }>;
export interface Usage {
  used_bytes: number;
  object_count: number;
}

export const buckets = new ResourceRepo<Schemas['Bucket'], { size_gb: number }>(registry.bucket, {
  // Usage is not in the row; present() is always given a row with it attached (withUsage).
  used_bytes: (row) => Number((row as unknown as Usage).used_bytes ?? 0),
  object_count: (row) => Number((row as unknown as Usage).object_count ?? 0),
  used_gb: (row) => Math.round((Number((row as unknown as Usage).used_bytes ?? 0) / GIB) * 1e6) / 1e6,
  usage_by_class: (row) =>
    (row as unknown as { usage_by_class?: Record<string, number> }).usage_by_class ?? {
      STANDARD: 0,
      INFREQUENT: 0,
      ARCHIVE: 0,
    },
});

/** S3's rules beyond the schema's pattern (which the REST door checks first): what a name may not look like. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'must be lowercase letters, digits, `-` and `.`, beginning and ending with a letter or digit';
  if (name.includes('..')) return 'may not contain two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'may not be formatted as an IP address';
  if (name.startsWith('xn--') || name.startsWith('sthree-')) return 'may not start with xn-- or sthree-';
  if (name.endsWith('-s3alias') || name.endsWith('--ol-s3')) return 'may not end with -s3alias or --ol-s3';
  return undefined;
}

/** The bucket an `{id}` names: its id, or a name (names are global, so the caller's own or a 404). */
export async function resolveBucketId(db: Db, principal: Principal, id: string): Promise<string> {
  if (id.startsWith('bkt-')) return id;
  const row = await db(buckets.table).where({ name: id }).first('id', 'owner');
  if (!row || (!principal.isAdmin && row.owner !== principal.userId)) throw problems.notFound('bucket', id);
  return row.id;
}

/** Bucket names to the ids they last resolved to (a hint: the row cache decides what is current). */
const idsByName = new Map<string, string>();
const MAX_NAMES = 10_000;

/** A bucket by name for the S3 door: NoSuchBucket when there is none or it is another owner's. */
export async function bucketByName(db: Db, principal: Principal, name: string, lock = false): Promise<BucketRow> {
  let row: BucketRow | undefined;
  // Every S3 call names its bucket: a plain read comes from the row cache (which every change to the row, in any
  // process, invalidates), found by the id this name had. A stale id (the bucket deleted, the name taken again)
  // misses the cache or names another bucket, and the name is looked up again.
  const known = lock ? undefined : idsByName.get(name);
  const cached = known && (rowCache.get(known) as BucketRow | undefined);
  if (cached && cached.name === name) row = cached;
  else {
    const ticket = rowCache.ticket();
    const q = db(buckets.table).where({ name });
    row = await (lock ? q.forUpdate() : q).first();
    if (row && !lock) {
      rowCache.set(row.id, row, ticket);
      if (idsByName.size >= MAX_NAMES) idsByName.clear();
      idsByName.set(name, row.id);
    }
  }
  if (!row || (!principal.isAdmin && row.owner !== principal.userId))
    throw problems.s3('NoSuchBucket', `The bucket ${name} does not exist.`, { BucketName: name });
  return row;
}

export async function usageOf(db: Db, ids: string[]): Promise<Map<string, Usage>> {
  const rows: ({ bucket_id: string } & Usage)[] = ids.length
    ? await db('bucket_usage').whereIn('bucket_id', ids).select('*')
    : [];
  return new Map(
    rows.map((r) => [r.bucket_id, { used_bytes: Number(r.used_bytes), object_count: Number(r.object_count) }]),
  );
}

/** The public representation of buckets, their usage read in one query. */
export async function presentBuckets(db: Db, rows: BucketRow[]): Promise<Schemas['Bucket'][]> {
  const ids = rows.map((r) => r.id);
  const [usage, classes] = await Promise.all([usageOf(db, ids), usageByClass(db, ids)]);
  return rows.map((r) =>
    buckets.present({
      ...r,
      ...(usage.get(r.id) ?? { used_bytes: 0, object_count: 0 }),
      usage_by_class: classes.get(r.id),
    } as BucketRow),
  );
}

export const presentBucket = async (db: Db, row: BucketRow) => (await presentBuckets(db, [row]))[0]!;

/**
 * Adds `bytes` and `objects` (either may be negative) to a bucket's usage in the caller's transaction, refusing a
 * growth that would pass the quota: one guarded statement, so concurrent writers can never overshoot together.
 */
export async function chargeUsage(trx: Knex.Transaction, bucket: BucketRow, bytes: number, objects: number) {
  if (bytes === 0 && objects === 0) return;
  const quota = Number(bucket.size_gb) * GIB;
  const { rows } = await trx.raw(
    `update bucket_usage set used_bytes = used_bytes + ?, object_count = object_count + ?
      where bucket_id = ? and (? <= 0 or used_bytes + ? <= ?) returning used_bytes`,
    [bytes, objects, bucket.id, bytes, bytes, quota],
  );
  if (rows.length) return;
  const usage = (await usageOf(trx, [bucket.id])).get(bucket.id);
  throw quotaExceeded(bucket, bytes, usage?.used_bytes ?? 0);
}

export function quotaExceeded(bucket: BucketRow, bytes: number, used: number) {
  return problems.s3(
    'QuotaExceeded',
    `Writing ${bytes} bytes would take bucket ${bucket.name} to ${used + bytes} bytes, past its quota of ${bucket.size_gb} GiB (${Number(bucket.size_gb) * GIB} bytes); raise size_gb or delete objects.`,
    { BucketName: bucket.name, QuotaBytes: Number(bucket.size_gb) * GIB, UsedBytes: used },
  );
}

/** Versioning's one-way door: Unversioned -> Enabled <-> Suspended. */
export function versioningAfter(current: string, enabled: boolean): string {
  if (enabled) return 'Enabled';
  return current === 'Unversioned' ? 'Unversioned' : 'Suspended';
}
