// Object versions in PostgreSQL: the one place that decides what a write or a delete does to a key's versions
// (S3's versioning states), under a per-key lock, with the bucket's usage charged in the same transaction.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import { chargeUsage, type BucketRow } from '../bucket-store.js';

type Db = Knex | Knex.Transaction;

/** Where a version's bytes are: files in order (several for a completed multipart upload). */
export interface Segment {
  file: string;
  /** plaintext bytes */
  size: number;
  /** base64 IV base of the segment's encrypted frames; absent for plaintext */
  iv?: string;
}

export interface Encryption {
  kms_key_id: string;
  /** the object's data key, as the KMS key's ciphertext blob (base64) */
  data_key: string;
}

export interface ObjectRow {
  seq: number;
  bucket_id: string;
  key: string;
  version_id: string;
  is_latest: boolean;
  delete_marker: boolean;
  size: number;
  etag: string | null;
  content_type: string | null;
  last_modified: Date;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  checksums: Record<string, string>;
  checksum_type: string | null;
  tags: Record<string, string>;
  storage_class: string;
  segments: Segment[];
  encryption: Encryption | null;
  owner: string;
}

/** A new version as a write prepares it (the bytes already durable in its segments). */
export type NewVersion = Omit<ObjectRow, 'seq' | 'bucket_id' | 'key' | 'version_id' | 'is_latest' | 'owner'>;

/** The conditions of a conditional write (PutObject, CopyObject, CompleteMultipartUpload). */
export interface WriteConditions {
  /** `If-None-Match: *`: only if the key has no current object */
  ifNoneMatch?: boolean;
  /** `If-Match: <etag>`: only if the current object's ETag is this */
  ifMatch?: string;
}

/** 32 characters, URL-safe: S3's version ids are opaque strings of about this length. */
export const newVersionId = () => randomBytes(24).toString('base64url');

const unquote = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
export const sameEtag = (a: string, b: string) => unquote(a) === unquote(b);

/** Serialises every write and delete of one key (across processes), for the transaction's length. */
async function lockKey(trx: Knex.Transaction, bucketId: string, key: string) {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`${bucketId}/${key}`]);
}

export async function latestVersion(db: Db, bucketId: string, key: string): Promise<ObjectRow | undefined> {
  return db('objects').where({ bucket_id: bucketId, key, is_latest: true }).first();
}

export async function findVersion(db: Db, bucketId: string, key: string, versionId: string) {
  const row: ObjectRow | undefined = await db('objects')
    .where({ bucket_id: bucketId, key, version_id: versionId })
    .first();
  return row;
}

function checkConditions(current: ObjectRow | undefined, c: WriteConditions, key: string) {
  const live = current && !current.delete_marker ? current : undefined; // a delete marker reads as absent
  if (c.ifNoneMatch && live)
    throw problems.s3('PreconditionFailed', `If-None-Match: * failed: ${key} exists.`, { Condition: 'If-None-Match' });
  if (c.ifMatch !== undefined) {
    if (!live) throw problems.s3('NoSuchKey', `If-Match: ${key} does not exist.`, { Key: key });
    if (!sameEtag(c.ifMatch, live.etag ?? ''))
      throw problems.s3('PreconditionFailed', `If-Match ${c.ifMatch} does not match the ETag ${live.etag}.`, {
        Condition: 'If-Match',
      });
  }
}

const storedBytes = (r: Pick<ObjectRow, 'delete_marker' | 'size'>) => (r.delete_marker ? 0 : Number(r.size));
const counted = (r: Pick<ObjectRow, 'delete_marker'>) => (r.delete_marker ? 0 : 1);

const json = (v: unknown) => JSON.stringify(v);

/**
 * Makes `next` the key's current version. Enabled versioning keeps the old current version as noncurrent; with
 * versioning off or suspended the `null` version is replaced (its bytes freed). Returns the stored row and the
 * files no row names any more (to delete once committed).
 */
export async function commitVersion(
  trx: Knex.Transaction,
  bucket: BucketRow,
  key: string,
  next: NewVersion,
  conditions: WriteConditions = {},
  /** bytes of `next` already counted in the bucket's usage (a multipart upload's parts) */
  precharged = 0,
): Promise<{ row: ObjectRow; freed: Segment[] }> {
  await lockKey(trx, bucket.id, key);
  const current = await latestVersion(trx, bucket.id, key);
  checkConditions(current, conditions, key);
  const versioned = bucket.versioning_status === 'Enabled';
  const versionId = versioned ? newVersionId() : 'null';
  let freed: Segment[] = [];
  let bytes = storedBytes(next) - precharged;
  let objects = counted(next);
  if (!versioned) {
    const replaced: ObjectRow[] = await trx('objects')
      .where({ bucket_id: bucket.id, key, version_id: 'null' })
      .delete()
      .returning('*');
    for (const r of replaced) {
      freed = freed.concat(r.segments, (r as { restore_segments?: Segment[] }).restore_segments ?? []);
      bytes -= storedBytes(r);
      objects -= counted(r);
    }
  }
  // noncurrent_since: when lifecycle's noncurrent days start counting (S3 counts from the newer version's write).
  await trx('objects')
    .where({ bucket_id: bucket.id, key, is_latest: true })
    .update({ is_latest: false, noncurrent_since: next.last_modified });
  await chargeUsage(trx, bucket, bytes, objects);
  const [row] = await trx('objects')
    .insert({
      ...next,
      metadata: json(next.metadata),
      headers: json(next.headers),
      checksums: json(next.checksums),
      tags: json(next.tags),
      segments: json(next.segments),
      encryption: next.encryption ? json(next.encryption) : null,
      bucket_id: bucket.id,
      key,
      version_id: versionId,
      is_latest: true,
      owner: bucket.owner,
    })
    .returning('*');
  return { row, freed };
}

/**
 * DeleteObject: without a version id, a delete marker where versioning is on or suspended (none for a key with no
 * versions at all... S3 writes one anyway in a versioned bucket), else the object itself; with a version id, that
 * version permanently (the next newest becomes current). Deleting what is not there succeeds (S3: 204).
 */
export async function deleteVersion(
  trx: Knex.Transaction,
  bucket: BucketRow,
  key: string,
  versionId: string | undefined,
  at: Date,
): Promise<{ deleteMarker: boolean; versionId?: string; freed: Segment[] }> {
  if (versionId === undefined && bucket.versioning_status !== 'Unversioned') {
    const { row, freed } = await commitVersion(trx, bucket, key, {
      delete_marker: true,
      size: 0,
      etag: null,
      content_type: null,
      last_modified: at,
      metadata: {},
      headers: {},
      checksums: {},
      checksum_type: null,
      tags: {},
      storage_class: 'STANDARD',
      segments: [],
      encryption: null,
    });
    return { deleteMarker: true, versionId: row.version_id, freed };
  }
  await lockKey(trx, bucket.id, key);
  const gone: ObjectRow[] = await trx('objects')
    .where({ bucket_id: bucket.id, key, version_id: versionId ?? 'null' })
    .delete()
    .returning('*');
  const row = gone[0];
  if (!row) return { deleteMarker: false, versionId, freed: [] };
  await chargeUsage(trx, bucket, -storedBytes(row), -counted(row));
  if (row.is_latest) {
    // The newest remaining version becomes current again.
    const next = await trx('objects').where({ bucket_id: bucket.id, key }).orderBy('seq', 'desc').first('seq');
    if (next) await trx('objects').where({ seq: next.seq }).update({ is_latest: true, noncurrent_since: null });
  }
  return {
    deleteMarker: row.delete_marker,
    versionId: bucket.versioning_status === 'Unversioned' ? undefined : row.version_id,
    freed: [...row.segments, ...(((row as { restore_segments?: Segment[] }).restore_segments ?? []) as Segment[])],
  };
}

/** Every version, marker and unfinished upload of a bucket, gone (a force_destroy); returns the files to delete. */
export async function emptyBucket(trx: Knex.Transaction, bucket: BucketRow): Promise<Segment[]> {
  const rows: { segments: Segment[]; restore_segments: Segment[] | null }[] = await trx('objects')
    .where({ bucket_id: bucket.id })
    .delete()
    .returning(['segments', 'restore_segments']);
  const parts: { segment: Segment }[] = await trx('multipart_parts')
    .whereIn('upload_id', trx('multipart_uploads').where({ bucket_id: bucket.id }).select('upload_id'))
    .delete()
    .returning('segment');
  await trx('multipart_uploads').where({ bucket_id: bucket.id }).delete();
  await trx('bucket_usage').where({ bucket_id: bucket.id }).update({ used_bytes: 0, object_count: 0 });
  return [...rows.flatMap((r) => [...r.segments, ...(r.restore_segments ?? [])]), ...parts.map((p) => p.segment)];
}

/** Whether a bucket holds anything S3 counts against deleting it: versions, markers or unfinished uploads. */
export async function isEmpty(db: Db, bucketId: string): Promise<boolean> {
  const [o, u] = await Promise.all([
    db('objects').where({ bucket_id: bucketId }).first('seq'),
    db('multipart_uploads').where({ bucket_id: bucketId }).first('upload_id'),
  ]);
  return !o && !u;
}
