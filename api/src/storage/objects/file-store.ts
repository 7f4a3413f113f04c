// The bytes of objects and multipart parts, as immutable files under one root directory (ATONIX_OBJECT_DIR or
// <data dir>/objects); their metadata lives in PostgreSQL and names the file.
//
// Layout: <root>/tmp/<id> while a body streams in; <root>/data/<2 hex>/<32 hex> once it is durable. A file is
// never changed after its rename, so readers need no locks and a new version is always a new file. The storage
// classes beyond STANDARD keep their bytes in <root>/infrequent/ and <root>/archive/ (same layout, same name: a
// tier move is a hard link, see storage/tiering/mover.ts), restored copies of ARCHIVE objects in <root>/restored/.
//
// Crash safety: write() returns only after the file is fsynced, renamed into data/ and its directory fsynced, and
// callers commit the metadata row only after that. So a committed row never points at missing bytes. A crash at
// any other moment leaves at most a file without a row: a temp file (crash mid-body), or a data file (crash between
// rename and commit, or a delete whose unlink was lost). sweep() removes both, once they are older than the
// longest time a writer may take between its last byte and its commit, so it cannot race an upload in flight.
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Written {
  /** Path relative to the root, with `/` separators: what the metadata row stores. */
  file: string;
  /** Bytes on disk (after the transforms, e.g. encryption). */
  bytes: number;
}

export interface SweepResult {
  tempRemoved: number;
  orphansRemoved: number;
  dataScanned: number;
}

/** The directories that hold durable files: STANDARD's (data), the other classes', restored copies. */
export const AREAS = ['data', 'infrequent', 'archive', 'restored'] as const;
export type Area = (typeof AREAS)[number];
const FILE = /^(data|infrequent|archive|restored)\/[0-9a-f]{2}\/[0-9a-f]{32}$/;

async function fsyncDir(dir: string) {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

export class FileStore {
  private readonly known = new Set<string>();
  private ready?: Promise<void>;

  constructor(readonly root: string) {}

  /** Streams a body to a new durable file; on any error the temp file is removed and the error re-thrown as is. */
  async write(source: Readable, opts: { transform?: Transform[] } = {}): Promise<Written> {
    await this.init();
    const id = randomBytes(16).toString('hex');
    const temp = join(this.root, 'tmp', id);
    try {
      // flush: the file is fsynced before its descriptor closes, so the rename below publishes durable bytes.
      const sink = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true });
      // pipeline keeps backpressure end to end, so memory stays flat whatever the body's size.
      await pipeline([source, ...(opts.transform ?? []), sink]);
      return { file: await this.publish(id), bytes: sink.bytesWritten };
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  /** A copy as a new file (a reflink where the filesystem has them), for CopyObject of unencrypted bytes. */
  async copy(from: string, area: Area = 'data'): Promise<Written> {
    await this.init();
    const id = randomBytes(16).toString('hex');
    const temp = join(this.root, 'tmp', id);
    try {
      await copyFile(this.path(from), temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      const h = await open(temp, 'r+');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
      const file = await this.publish(id, area);
      return { file, bytes: (await stat(join(this.root, file))).size };
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  /**
   * The same bytes under `area` with the same name, as a hard link (a copy where links cannot be made), made
   * durable. Idempotent: a link that exists already (a move redone after a crash) is kept.
   */
  async link(file: string, area: Area, durable = true): Promise<string> {
    await this.init();
    const target = `${area}/${file.slice(file.indexOf('/') + 1)}`;
    const sub = target.split('/')[1]!;
    await this.dir(sub, area);
    try {
      await link(this.path(file), this.path(target));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return target;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw e;
      // No hard links here (another filesystem per area, say): a copy published by rename, as every file is.
      const temp = join(this.root, 'tmp', randomBytes(16).toString('hex'));
      await copyFile(this.path(file), temp);
      const h = await open(temp, 'r+');
      await h.sync().finally(() => h.close());
      await rename(temp, this.path(target));
    }
    if (durable) await fsyncDir(join(this.root, area, sub));
    return target;
  }

  /** Makes the entries of the directories holding `files` durable (after links made with durable false). */
  async syncDirsOf(files: string[]): Promise<void> {
    const dirs = new Set(files.map((f) => f.slice(0, f.lastIndexOf('/'))));
    await Promise.all([...dirs].map((d) => fsyncDir(join(this.root, d))));
  }

  /** The file's bytes, or bytes start..end (inclusive). A missing file is an ENOENT stream error. */
  read(file: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(file), range ? { start: range.start, end: range.end } : {});
  }

  async size(file: string): Promise<number> {
    return (await stat(this.path(file))).size;
  }

  /** Idempotent. No directory fsync: an unlink lost in a crash leaves an orphan, which sweep() removes. */
  async remove(file: string): Promise<void> {
    await rm(this.path(file), { force: true });
  }

  /**
   * Removes temp files and unreferenced data files last modified before nowMs - olderThanMs. isReferenced gets
   * batches of data file names and answers which of them some metadata row (object version or part) names.
   */
  async sweep(
    isReferenced: (files: string[]) => Promise<Set<string>>,
    olderThanMs: number,
    nowMs: number,
    batchSize = 1000,
  ): Promise<SweepResult> {
    await this.init();
    const cutoff = nowMs - olderThanMs;
    const old = async (p: string) => {
      try {
        return (await stat(p)).mtimeMs < cutoff;
      } catch (e) {
        if (isMissing(e)) return false; // renamed or removed meanwhile
        throw e;
      }
    };
    const result: SweepResult = { tempRemoved: 0, orphansRemoved: 0, dataScanned: 0 };
    for (const name of await readdir(join(this.root, 'tmp'))) {
      const p = join(this.root, 'tmp', name);
      if (await old(p)) {
        await rm(p, { force: true });
        result.tempRemoved++;
      }
    }
    let batch: string[] = [];
    const flush = async () => {
      const referenced = await isReferenced(batch);
      for (const file of batch)
        if (!referenced.has(file)) {
          await this.remove(file);
          result.orphansRemoved++;
        }
      batch = [];
    };
    for (const area of AREAS)
      for (const sub of (await readdir(join(this.root, area)).catch(() => [] as string[])).sort()) {
        if (!/^[0-9a-f]{2}$/.test(sub)) continue;
        for (const name of await readdir(join(this.root, area, sub))) {
          const file = `${area}/${sub}/${name}`;
          if (!FILE.test(file)) continue;
          result.dataScanned++;
          if (!(await old(join(this.root, file)))) continue;
          batch.push(file);
          if (batch.length >= batchSize) await flush();
        }
      }
    if (batch.length) await flush();
    return result;
  }

  /** The absolute path of a stored file; anything not shaped like one of ours is refused (no path traversal). */
  private path(file: string): string {
    if (!FILE.test(file)) throw new RangeError(`not a file of the object store: ${JSON.stringify(file)}`);
    return join(this.root, file);
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(join(this.root, 'tmp'), { recursive: true, mode: 0o700 });
      await mkdir(join(this.root, 'data'), { recursive: true, mode: 0o700 });
      await fsyncDir(this.root);
    })().catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** Renames tmp/<id> to <area>/<2 hex>/<id> and makes the rename durable. */
  private async publish(id: string, area: Area = 'data'): Promise<string> {
    const file = `${area}/${id.slice(0, 2)}/${id}`;
    await this.dir(id.slice(0, 2), area);
    await rename(join(this.root, 'tmp', id), join(this.root, file));
    await fsyncDir(join(this.root, area, id.slice(0, 2)));
    return file;
  }

  /** Makes <area>/<sub>; a new directory's entries are made durable before a file is renamed into it. */
  private async dir(sub: string, area: Area = 'data') {
    if (this.known.has(`${area}/${sub}`)) return;
    const made = await mkdir(join(this.root, area, sub), { recursive: true, mode: 0o700 });
    if (made) {
      await fsyncDir(join(this.root, area));
      if (made === join(this.root, area)) await fsyncDir(this.root);
    }
    this.known.add(`${area}/${sub}`);
  }
}
