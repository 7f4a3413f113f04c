// Tier moves: a version's bytes go to its new class's directory, and its row says so, without a crash ever losing
// the bytes or counting them twice. The protocol, per batch of versions:
//   1. write-ahead: one tier_moves row per version (its segments now and in the target directory), committed;
//   2. hard-link every file into the target directory (same name), then fsync the directories;
//   3. one commit deletes the batch's tier_moves rows and repoints each version still naming the same segments;
//   4. after the commit, unlink the old names (a version changed meanwhile keeps its files: the new links go).
// A crash before 3 leaves tier_moves rows: recover() (at start, and on ticks for rows older than staleMs) redoes
// 2 and 3, and links are idempotent. A crash after 3 leaves old names no row references: the sweep removes them.
// Usage per class is counted from the rows (classes.ts), so the move is counted exactly when its commit lands.
import type { Knex } from 'knex';
import type { Logger } from '../../platform/logger.js';
import type { FileStore } from '../objects/file-store.js';
import type { Segment } from '../objects/versions.js';
import { AREA_OF, type StorageClass } from './classes.js';

/** What a move needs of a version. */
export interface Movable {
  seq: number;
  bucket_id: string;
  segments: Segment[];
}

interface Intent {
  id: string;
  object_seq: string;
  to_class: StorageClass;
  from_segments: Segment[];
  to_segments: Segment[];
}

const LINKS_AT_ONCE = 32;

/** Runs fn over items with at most `width` at a time. */
async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export class TierMover {
  /** hooks for the crash tests (see tiering.ts): after the write-ahead commit, and between the links and the commit */
  afterIntents?: () => Promise<void>;
  beforeCommit?: () => Promise<void>;

  constructor(
    private db: Knex,
    private files: FileStore,
    private log: Logger,
    /** tier_moves rows older than this (real time) are taken to be a dead mover's */
    private staleMs = 60_000,
  ) {}

  /** Moves `rows` to class `to` at platform time `at`; answers how many were moved. */
  async move(rows: Movable[], to: StorageClass, at: Date): Promise<number> {
    const area = AREA_OF[to];
    const todo = rows.filter((r) => r.segments.every((s) => !s.file.startsWith(`${area}/`)));
    if (!todo.length) return 0;
    const retarget = (segs: Segment[]) =>
      segs.map((s) => ({ ...s, file: `${area}/${s.file.slice(s.file.indexOf('/') + 1)}` }));
    const intents: Intent[] = await this.db('tier_moves')
      .insert(
        todo.map((r) => ({
          object_seq: r.seq,
          bucket_id: r.bucket_id,
          to_class: to,
          from_segments: JSON.stringify(r.segments),
          to_segments: JSON.stringify(retarget(r.segments)),
        })),
      )
      .returning('*');
    await this.afterIntents?.();
    return this.finish(intents, at);
  }

  /** Steps 2 to 4 for written-ahead moves (a live batch, or a dead mover's). */
  private async finish(intents: Intent[], at: Date): Promise<number> {
    const made: string[] = [];
    await pool(
      intents.flatMap((i) => i.from_segments.map((s, n) => [s, i.to_segments[n]!] as const)),
      LINKS_AT_ONCE,
      async ([from, to]) => {
        try {
          made.push(await this.files.link(from.file, to.file.split('/')[0] as never, false));
        } catch (e) {
          // The source is gone: the version was deleted or rewritten meanwhile, so the commit will not match it.
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      },
    );
    await this.files.syncDirsOf(made);
    await this.beforeCommit?.();
    const { rows } = await this.db.raw(
      `with done as (delete from tier_moves where id = any(?::bigint[]) returning *),
            moved as (update objects o set storage_class = d.to_class, segments = d.to_segments, tiered_at = ?
                        from done d where o.seq = d.object_seq and o.segments = d.from_segments returning o.seq)
       select d.from_segments, d.to_segments, exists (select 1 from moved m where m.seq = d.object_seq) as moved
         from done d`,
      [intents.map((i) => i.id), at],
    );
    // Only the intents this commit took: another process that finished them owns their files.
    const stale = (rows as { from_segments: Segment[]; to_segments: Segment[]; moved: boolean }[]).flatMap((r) =>
      r.moved ? r.from_segments : r.to_segments,
    );
    for (const s of stale)
      this.files.remove(s.file).catch((err) => this.log.warn({ err, file: s.file }, 'tier move: file not removed'));
    return rows.filter((r: { moved: boolean }) => r.moved).length;
  }

  /** Finishes the moves a dead mover left (all of them with `all`, at start when nothing else runs here). */
  async recover(at: Date, all = false): Promise<number> {
    const q = this.db('tier_moves').orderBy('id').limit(1000);
    if (!all) q.whereRaw(`started_at < now() - (? * interval '1 millisecond')`, [this.staleMs]);
    let done = 0;
    for (;;) {
      const intents: Intent[] = await q.clone();
      if (!intents.length) return done;
      done += await this.finish(intents, at);
      if (intents.length < 1000) return done;
    }
  }
}
