// An object version's tags (S3 object tagging): replaced whole, on the current version or a named one.
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
  await commit((trx) =>
    trx('objects')
      .where({ seq: row.seq })
      .update({ tags: JSON.stringify(tags) }),
  );
  return { ...row, tags };
}
