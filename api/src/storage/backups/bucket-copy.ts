// A bucket's copy into a vault and back, through the object operations as the owner: its current objects' bytes
// (decrypted as any read of them is) are written to the vault's own files with a manifest; a restore uploads them
// into a new bucket. The vault's files are plain: the data dir is the platform's, and the vault key is recorded only.
import type { Config } from '../../platform/config.js';
import type { Act } from './acting.js';
import { vaultFiles, type ManifestEntry } from './repos.js';

const PAGE = '1000';

/** Copies the current objects of `bucketId` (one page of the listing after another) into vault files. */
export async function copyOut(config: Config, act: Act, bucketId: string) {
  const files = vaultFiles(config);
  const manifest: ManifestEntry[] = [];
  let bytes = 0;
  let cursor: string | null = null;
  do {
    const params: Record<string, string> = { id: bucketId, limit: PAGE, ...(cursor ? { cursor } : {}) };
    const page = (await act('listObjects', { params })).body as {
      items: { key: string; content_type?: string }[];
      next_cursor: string | null;
    };
    for (const o of page.items) {
      const got = await act('getBucket', { params: { id: bucketId, key: o.key } });
      const w = await files.write(got.stream!);
      manifest.push({ key: o.key, file: w.file, size: w.bytes, content_type: o.content_type ?? null });
      bytes += w.bytes;
    }
    cursor = page.next_cursor;
  } while (cursor);
  return { manifest, bytes };
}

/** Uploads a copy's objects into the bucket `bucketId` (made by the restore just before). */
export async function copyIn(config: Config, act: Act, bucketId: string, manifest: ManifestEntry[]) {
  const files = vaultFiles(config);
  for (const e of manifest)
    await act('putObject', {
      params: { id: bucketId, key: e.key },
      stream: files.read(e.file),
      headers: {
        'content-length': String(e.size),
        ...(e.content_type ? { 'content-type': e.content_type } : {}),
      },
    });
}

/** Removes a copy's files (a deleted or expired recovery point's). */
export async function removeCopy(config: Config, manifest: ManifestEntry[] | null) {
  const files = vaultFiles(config);
  await Promise.all((manifest ?? []).map((e) => files.remove(e.file)));
}
