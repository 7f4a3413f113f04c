// Storage classes: the platform's three, the directory of the object dir each keeps its bytes in, and the names
// S3 clients use for them (answered as STANDARD, STANDARD_IA and GLACIER; the other S3 names are accepted).
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import type { Area } from '../objects/file-store.js';

export const CLASSES = ['STANDARD', 'INFREQUENT', 'ARCHIVE'] as const;
export type StorageClass = (typeof CLASSES)[number];

export const AREA_OF: Record<StorageClass, Area> = { STANDARD: 'data', INFREQUENT: 'infrequent', ARCHIVE: 'archive' };

/** What S3 clients see. */
export const S3_NAME: Record<StorageClass, string> = {
  STANDARD: 'STANDARD',
  INFREQUENT: 'STANDARD_IA',
  ARCHIVE: 'GLACIER',
};

/** S3's names this platform takes, and the class each lands in (the closest in access and price). */
const FROM_S3: Record<string, StorageClass> = {
  STANDARD: 'STANDARD',
  REDUCED_REDUNDANCY: 'STANDARD',
  STANDARD_IA: 'INFREQUENT',
  ONEZONE_IA: 'INFREQUENT',
  GLACIER_IR: 'INFREQUENT', // instant retrieval: readable without a restore, so not ARCHIVE
  GLACIER: 'ARCHIVE',
  DEEP_ARCHIVE: 'ARCHIVE',
};

export function fromS3Name(name: string, argument: string): StorageClass {
  const c = FROM_S3[name];
  if (!c)
    throw problems.s3('InvalidStorageClass', `The storage class ${name} is not offered here.`, {
      StorageClassRequested: name,
      ArgumentName: argument,
    });
  return c;
}

/** Bytes of stored versions per class for each bucket (every class present, zero when none). */
export async function usageByClass(
  db: Knex | Knex.Transaction,
  bucketIds: string[],
): Promise<Map<string, Record<StorageClass, number>>> {
  const out = new Map<string, Record<StorageClass, number>>();
  for (const id of bucketIds) out.set(id, { STANDARD: 0, INFREQUENT: 0, ARCHIVE: 0 });
  if (!bucketIds.length) return out;
  // Counted from the rows themselves, so a tier move (one row's class changed in one commit) can never count
  // bytes twice or lose them, whatever crashes around it.
  const rows: { bucket_id: string; storage_class: StorageClass; bytes: string }[] = await db('objects')
    .whereIn('bucket_id', bucketIds)
    .where({ delete_marker: false })
    .groupBy('bucket_id', 'storage_class')
    .select('bucket_id', 'storage_class', db.raw('sum(size) as bytes'));
  for (const r of rows) out.get(r.bucket_id)![r.storage_class] = Number(r.bytes);
  return out;
}
