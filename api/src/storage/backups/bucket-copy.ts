// A bucket's copy into a vault and back, through the object operations as the owner: its current objects' bytes
// (decrypted as any read of them is) are written to the vault's own files with a manifest; a restore uploads them
// into a new bucket with the content type, user metadata, stored headers and tags they had.
//
// No copy is plaintext on disk: each copied object is encrypted (frames.ts, as the object store's bytes are) under a
// fresh data key wrapped by the vault's KMS key, or by the owner's platform-managed storage key when the vault names
// none (data-keys.ts). The wrapped key is bound to the vault's id, so it unwraps only for that vault's points; a
// disabled or deleted key makes the restore fail with the KMS problem's reason.
import { randomBytes } from 'node:crypto';
import type { Deps } from '../../platform/deps.js';
import { storeOf } from '../../security/keys.js';
import { buckets, type BucketRow } from '../bucket-store.js';
import { objectStoreOf } from '../engine.js';
import { newDataKey, openDataKey } from '../objects/data-keys.js';
import { decryptRange, encryptStream } from '../objects/frames.js';
import type { Act } from './acting.js';
import { vaultFiles, type ManifestEntry } from './repos.js';

const PAGE = '1000';

/** Who a copy's data keys belong to: the vault, as a bucket is to an object's (data-keys.ts takes that shape). */
export interface VaultRef {
  id: string;
  owner: string;
  kms_key_id: string | null;
}

const keyHolder = (v: VaultRef) => ({ id: v.id, owner: v.owner, kms_key_id: v.kms_key_id, encryption_enabled: true });

/** Copies the current objects of `bucketId` (one page of the listing after another) into the vault's files. */
export async function copyOut(deps: Deps, act: Act, vault: VaultRef, bucketId: string) {
  const files = vaultFiles(deps.config);
  const store = objectStoreOf(deps);
  const keys = storeOf(deps);
  const bucket: BucketRow = await deps.db(buckets.table).where({ id: bucketId }).first(); // listed just below as the owner
  const manifest: ManifestEntry[] = [];
  let bytes = 0;
  let cursor: string | null = null;
  do {
    const params: Record<string, string> = { id: bucketId, limit: PAGE, ...(cursor ? { cursor } : {}) };
    const page = (await act('listObjects', { params })).body as {
      items: { key: string; version_id: string }[];
      next_cursor: string | null;
    };
    for (const o of page.items) {
      // The listed version, by id: its bytes and its attributes are the same version's even if the key is rewritten.
      const got = await act('getBucket', { params: { id: bucketId, key: o.key, version_id: o.version_id } });
      const row = await store.version(bucket, o.key, o.version_id);
      // Never undefined: the holder is always encrypted (a vault has no plaintext mode).
      const dataKey = (await newDataKey(deps.db, keys, keyHolder(vault), deps.clock.date(), deps.config.region))!;
      const iv = randomBytes(12);
      const w = await files.write(got.stream!, { transform: [encryptStream(dataKey.plaintext, iv)] });
      const size = Number(row.size);
      manifest.push({
        key: o.key,
        file: w.file,
        size,
        content_type: row.content_type ?? null,
        metadata: row.metadata,
        headers: row.headers,
        tags: row.tags,
        encryption: { ...dataKey.encryption, iv: iv.toString('base64') },
      });
      bytes += size;
    }
    cursor = page.next_cursor;
  } while (cursor);
  return { manifest, bytes };
}

/** Uploads a copy's objects into the bucket `bucketId` (made by the restore just before). */
export async function copyIn(deps: Deps, act: Act, vault: VaultRef, bucketId: string, manifest: ManifestEntry[]) {
  const files = vaultFiles(deps.config);
  for (const e of manifest) {
    const stream = e.encryption
      ? decryptRange(
          (cs, ce) => files.read(e.file, { start: cs, end: ce }),
          await openDataKey(deps.db, storeOf(deps), vault, e.encryption),
          Buffer.from(e.encryption.iv, 'base64'),
          e.size,
          0,
          e.size - 1,
        )
      : files.read(e.file); // a copy made before copies were encrypted
    const meta = Object.fromEntries(Object.entries(e.metadata ?? {}).map(([k, v]) => [`x-amz-meta-${k}`, v]));
    const tags = new URLSearchParams(e.tags ?? {}).toString();
    await act('putObject', {
      params: { id: bucketId, key: e.key },
      stream,
      headers: {
        ...(e.headers ?? {}),
        ...meta,
        ...(tags ? { 'x-amz-tagging': tags } : {}),
        'content-length': String(e.size),
        ...(e.content_type ? { 'content-type': e.content_type } : {}),
      },
    });
  }
}

/** Removes a copy's files (a deleted or expired recovery point's); a file already gone is fine. */
export async function removeCopy(deps: Deps, manifest: ManifestEntry[] | null) {
  const files = vaultFiles(deps.config);
  await Promise.all((manifest ?? []).map((e) => files.remove(e.file)));
}
