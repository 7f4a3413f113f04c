// An object version's tags (S3 object tagging): replaced whole, on the current version or a named one.
import { problems } from '../../platform/problems.js';
import type { BucketRow } from '../bucket-store.js';
import type { Commit, ObjectStore } from './object-store.js';
import type { ObjectRow } from './versions.js';

export async function setTags(
  store: ObjectStore,
  bucket: BucketRow,
  key: string,
  versionId: string | undefined,
  tags: Record<string, string>,
  commit: Commit,
): Promise<ObjectRow> {
  const row = await store.version(bucket, key, versionId);
  // The version may be replaced (a `null` version overwritten) between the read and the write: then none is tagged
  // and the caller hears so, instead of a silent success.
  const changed = await commit((trx) =>
    trx('objects')
      .where({ seq: row.seq })
      .update({ tags: JSON.stringify(tags) }),
  );
  if (!changed)
    throw problems.s3('NoSuchKey', `The version of ${key} was replaced while it was being tagged; retry.`, {
      Key: key,
    });
  return { ...row, tags };
}
