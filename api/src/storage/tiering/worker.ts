// The tiering worker, on the platform clock's ticks wherever workers run: finishes tier moves a dead process left,
// completes and expires restores (every tick), and once per platform day (UTC) per bucket runs the lifecycle pass.
// Each bucket's day is claimed in lifecycle_runs, so of several processes exactly one runs it; a pass cut short by
// a crash is made good by the next day's (ages are measured, not counted).
import type { Deps, Workers } from '../../platform/deps.js';
import type { BucketRow } from '../bucket-store.js';
import { objectStoreOf, tieringOf } from '../engine.js';
import type { Segment } from '../objects/versions.js';
import { LifecyclePass } from './passes.js';
import type { TieredRow } from './restore.js';
import type { Rule } from './rules.js';

const DAY_MS = 86_400_000;
const RESTORES_AT_ONCE = 100;

export function tieringWorkers(deps: Deps): Workers {
  if (deps.config.role === 'api') return {};
  const store = objectStoreOf(deps);
  const tiering = tieringOf(deps);
  const pass = new LifecyclePass(deps.db, store, tiering, deps.config.storage.tierBatch);
  const db = deps.db;
  // At start, every move written ahead is a dead process's (or one another process is finishing: harmless, see
  // mover.ts); later ticks take only stale ones.
  let started = tiering.mover
    .recover(deps.clock.date(), true)
    .catch((err) => deps.log.error({ err }, 'tier moves not recovered'));

  async function completeRestores(nowMs: number) {
    const rows: (TieredRow & { intelligent_tiering: boolean })[] = await db('objects')
      .join('buckets', 'buckets.id', 'objects.bucket_id')
      .where('objects.restore_ready_at', '<=', new Date(nowMs))
      .whereNull('objects.restore_segments')
      .where('objects.storage_class', 'ARCHIVE')
      .limit(RESTORES_AT_ONCE)
      .select('objects.*', 'buckets.intelligent_tiering');
    for (const row of rows) {
      if (row.intelligent_tiering) {
        // An intelligent bucket's restore brings the object back to STANDARD for good (as S3's archive tiers do).
        await tiering.mover.move([row], 'STANDARD', new Date(nowMs));
        await db('objects')
          .where({ seq: row.seq })
          .update({ restore_ready_at: null, restore_expires_at: null, last_accessed: new Date(nowMs) });
        continue;
      }
      const copies: Segment[] = [];
      for (const s of row.segments) copies.push({ ...s, file: (await store.files.copy(s.file, 'restored')).file });
      const done = await db('objects')
        .where({ seq: row.seq })
        .whereNull('restore_segments')
        .whereRaw('segments = ?::jsonb', [JSON.stringify(row.segments)])
        .update({ restore_segments: JSON.stringify(copies) });
      if (!done) store.release(copies); // deleted or changed meanwhile
    }
  }

  async function expireRestores(nowMs: number) {
    // The old values come back through the CTE (an update's returning names the new, null, ones).
    const { rows } = await db.raw(
      `with old as (select seq, restore_segments from objects
                     where restore_expires_at <= ? and restore_segments is not null for update)
       update objects o set restore_segments = null, restore_ready_at = null, restore_expires_at = null
         from old where o.seq = old.seq returning old.restore_segments`,
      [new Date(nowMs)],
    );
    store.release((rows as { restore_segments: Segment[] }[]).flatMap((r) => r.restore_segments));
  }

  async function daily(nowMs: number) {
    const day = new Date(Math.floor(nowMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
    const candidates: (BucketRow & { rules: Rule[] | null })[] = await db('buckets')
      .leftJoin('lifecycle_configurations as c', 'c.bucket_id', 'buckets.id')
      .where('buckets.intelligent_tiering', true)
      .orWhereNotNull('c.id')
      .select('buckets.*', 'c.rules');
    for (const bucket of candidates) {
      const { rows } = await db.raw(
        `insert into lifecycle_runs (bucket_id, day) values (?, ?)
           on conflict (bucket_id) do update set day = excluded.day where lifecycle_runs.day < excluded.day
         returning bucket_id`,
        [bucket.id, day],
      );
      if (!rows.length) continue; // this day's pass is another process's (or done)
      const result = await pass.run(bucket, bucket.rules ?? [], nowMs);
      if (Object.values(result).some((n) => n > 0))
        deps.log.info({ bucket: bucket.id, day, ...result }, 'lifecycle pass');
    }
  }

  deps.clock.onTick(async (now) => {
    await started;
    started = Promise.resolve();
    await tiering.mover.recover(new Date(now));
    await expireRestores(now);
    await completeRestores(now);
    await daily(now);
  });
  return {};
}
