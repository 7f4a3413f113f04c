// Uploads a test holds open: a body that sends a first part and then waits to be told to go on (or to be cut off
// by a killed server), and a look at the object dir's temp files, to know how far the server got.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

const MIB = 1024 * 1024;

/**
 * A body of `total` bytes that sends `first` bytes at once and the rest only after release(): the server is
 * certainly mid-body while the test holds it. The bytes are one repeated random MiB (memory stays flat).
 */
export function heldBody(total: number, first: number): { body: Readable; release(): void } {
  const chunk = Buffer.alloc(MIB, 0x61);
  let sent = 0;
  let go: () => void = () => {};
  const released = new Promise<void>((r) => (go = r));
  async function* bytes() {
    while (sent < total) {
      if (sent >= first) await released;
      const n = Math.min(MIB, total - sent);
      sent += n;
      yield n === MIB ? chunk : chunk.subarray(0, n);
    }
  }
  return { body: Readable.from(bytes(), { objectMode: false }), release: go };
}

/** The object dir's temp files (uploads in flight, or left by a crash) and their sizes. */
export function tempFiles(objectDir: string): { name: string; size: number }[] {
  const dir = join(objectDir, 'tmp');
  try {
    return readdirSync(dir).flatMap((name) => {
      const st = statSync(join(dir, name), { throwIfNoEntry: false }); // renamed into data/ meanwhile
      return st ? [{ name, size: st.size }] : [];
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
