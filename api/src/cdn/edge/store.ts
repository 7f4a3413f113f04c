// The edge's cache: a memory tier with a byte bound (least recently used out first, spilled to the disk tier), then
// the disk tier. Entries are grouped by primary key; the variants of a key (Vary) sit side by side.
import type { Entry } from './entry.js';
import { sizeOf } from './entry.js';
import { DiskTier } from './disk-tier.js';
import { variantMatches } from './vary.js';

/** An entry's identity: its key and its Vary values (one variant replaces the stored one with the same values). */
const idOf = (e: Pick<Entry, 'key' | 'varyValues'>) => `${e.key}\u0001${JSON.stringify(e.varyValues)}`;

export class EdgeStore {
  private memory = new Map<string, Entry>();
  private byKey = new Map<string, Set<string>>();
  private bytes = 0;

  constructor(
    private maxMemoryBytes: number,
    readonly disk: DiskTier,
  ) {}

  get memoryBytes() {
    return this.bytes;
  }

  /** The stored variant of `key` that fits the request's headers, from memory or (promoted back) from disk. */
  async lookup(
    key: string,
    reqHeaders: Record<string, string | string[] | undefined>,
    encoding: string,
  ): Promise<Entry | undefined> {
    for (const id of this.byKey.get(key) ?? []) {
      const e = this.memory.get(id)!;
      if (!variantMatches(e, reqHeaders, encoding)) continue;
      this.memory.delete(id); // recency
      this.memory.set(id, e);
      return e;
    }
    for (const id of this.disk.idsOf(key)) {
      const e = await this.disk.take(id);
      if (!e) continue;
      this.put(e);
      if (variantMatches(e, reqHeaders, encoding)) return e;
    }
    return undefined;
  }

  put(e: Entry): void {
    const id = idOf(e);
    this.remove(id);
    this.disk.dropWhere((d) => idOf(d) === id);
    const size = sizeOf(e);
    if (size > this.maxMemoryBytes) {
      this.disk.put(id, e);
      return;
    }
    this.memory.set(id, e);
    let ids = this.byKey.get(e.key);
    if (!ids) this.byKey.set(e.key, (ids = new Set()));
    ids.add(id);
    this.bytes += size;
    while (this.bytes > this.maxMemoryBytes) {
      const [oldest] = this.memory.keys();
      const evicted = this.memory.get(oldest!)!;
      this.remove(oldest!);
      this.disk.put(oldest!, evicted);
    }
  }

  /** Drops every entry, in memory and on disk, that `pred` accepts; the number dropped. */
  dropWhere(pred: (e: Omit<Entry, 'body'>) => boolean): number {
    let n = 0;
    for (const [id, e] of [...this.memory]) if (pred(e)) (this.remove(id), n++);
    return n + this.disk.dropWhere(pred);
  }

  private remove(id: string) {
    const e = this.memory.get(id);
    if (!e) return;
    this.memory.delete(id);
    this.bytes -= sizeOf(e);
    const ids = this.byKey.get(e.key)!;
    ids.delete(id);
    if (!ids.size) this.byKey.delete(e.key);
  }
}
