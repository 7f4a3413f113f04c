// The edge's second tier: entries the memory tier evicts, as files under the data dir (each written to a temp file and
// renamed, so a crash never leaves half an entry), with a byte bound of their own, least recently used out first.
// The index lives in memory: each process has a directory of its own (`<pid>-<random>`), removed when it stops; one a
// process left by dying is removed by the next process that spills, once no live process has its pid.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Entry } from './entry.js';

interface Spilled {
  file: string;
  size: number;
  entry: Omit<Entry, 'body'>;
}

export class DiskTier {
  /** insertion order is recency: a read moves an entry to the end */
  private index = new Map<string, Spilled>();
  private bytes = 0;

  constructor(
    private dir: string,
    private maxBytes: number,
  ) {}

  /** Made at the first spill (most processes never spill), empty: what a former process left is not this one's. */
  private made = false;
  private ensureDir() {
    if (this.made) return;
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.made = true;
    sweepAbandoned(dirname(this.dir), basename(this.dir));
  }

  /** Stops spilling and removes this process's directory (its entries die with the process's memory index). */
  async close(): Promise<void> {
    await this.idle();
    this.maxBytes = 0;
    this.index.clear();
    this.bytes = 0;
    if (this.made) rmSync(this.dir, { recursive: true, force: true });
    this.made = false;
  }

  get size() {
    return this.bytes;
  }

  /** spills are written one after another, so the index's order stays the order they left memory in */
  private tail: Promise<void> = Promise.resolve();

  /** Spills `e` (in the background: the viewer's answer never waits for the disk); `idle` resolves once written. */
  put(id: string, e: Entry): void {
    if (this.maxBytes <= 0 || e.body.length > this.maxBytes) return;
    // a failed spill is a later miss, nothing worse
    this.tail = this.tail.then(() => this.write(id, e)).catch(() => {});
  }

  async idle(): Promise<void> {
    await this.tail;
  }

  private async write(id: string, e: Entry): Promise<void> {
    this.ensureDir();
    const file = join(this.dir, randomUUID());
    const { body, ...meta } = e;
    await writeFile(`${file}.tmp`, body);
    await rename(`${file}.tmp`, file);
    this.drop(id);
    this.index.set(id, { file, size: body.length, entry: meta });
    this.bytes += body.length;
    while (this.bytes > this.maxBytes) {
      const [oldest] = this.index.keys();
      this.drop(oldest!);
    }
  }

  /** The entry stored under `id`, taken out of the disk tier (the caller puts it back in memory). */
  async take(id: string): Promise<Entry | undefined> {
    const s = this.index.get(id);
    if (!s) return undefined;
    this.index.delete(id);
    this.bytes -= s.size;
    try {
      const body = await readFile(s.file);
      void unlink(s.file).catch(() => {});
      return { ...s.entry, body };
    } catch {
      return undefined; // dropped meanwhile (an invalidation): a miss
    }
  }

  /** Ids of the spilled entries of a primary key. */
  idsOf(key: string): string[] {
    return [...this.index.keys()].filter((id) => this.index.get(id)!.entry.key === key);
  }

  /** Drops every entry `pred` accepts; the number dropped. */
  dropWhere(pred: (e: Omit<Entry, 'body'>) => boolean): number {
    let n = 0;
    for (const [id, s] of [...this.index]) if (pred(s.entry)) (this.drop(id), n++);
    return n;
  }

  private drop(id: string) {
    const s = this.index.get(id);
    if (!s) return;
    this.index.delete(id);
    this.bytes -= s.size;
    void unlink(s.file).catch(() => {});
  }
}

/** Whether a process with this pid is alive (EPERM: alive, another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the directories under `root` that dead processes left (a reused pid only delays that). */
function sweepAbandoned(root: string, own: string) {
  for (const name of readdirSync(root)) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (name !== own && pid && !alive(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
}
