// One bucket's daily lifecycle pass at platform time `now`: every enabled rule's transitions, expirations,
// noncurrent expirations and multipart aborts, then intelligent moves. Ages are measured against `now`, so a pass
// after a long gap (a clock moved 400 days at once) does at once what the missed days would have done.
import type { Knex } from 'knex';
import type { BucketRow } from '../bucket-store.js';
import type { ObjectStore } from '../objects/object-store.js';
import { Multipart, type UploadRow } from '../objects/multipart.js';
import type { ObjectRow } from '../objects/versions.js';
import type { StorageClass } from './classes.js';
import type { Rule } from './rules.js';
import type { Tiering } from './tiering.js';

const DAY_MS = 86_400_000;
/** Versions per tier-move batch: a batch shares its directory fsyncs (256 directories at most), so larger batches
 * cost fewer per object (ATONIX_TIER_BATCH). */
export const DEFAULT_BATCH = 2000;
const DELETE_BATCH = 500;

export interface PassResult {
  transitioned: number;
  expired: number;
  noncurrentExpired: number;
  markersRemoved: number;
  aborted: number;
}

type Scope = (q: Knex.QueryBuilder) => Knex.QueryBuilder;

/** The objects a rule's filter selects (prefix and every tag, as S3's And). */
const filterOf =
  (bucketId: string, rule: Pick<Rule, 'prefix' | 'tags'> | undefined): Scope =>
  (q) => {
    q.where('bucket_id', bucketId);
    if (rule?.prefix) q.andWhereRaw('starts_with(key, ?)', [rule.prefix]);
    if (rule?.tags && Object.keys(rule.tags).length) q.andWhereRaw('tags @> ?::jsonb', [JSON.stringify(rule.tags)]);
    return q;
  };

export class LifecyclePass {
  private multipart: Multipart;

  constructor(
    private db: Knex,
    private store: ObjectStore,
    private tiering: Tiering,
    private batch = DEFAULT_BATCH,
  ) {
    this.multipart = new Multipart(store);
  }

  async run(bucket: BucketRow, rules: Rule[], nowMs: number): Promise<PassResult> {
    const out: PassResult = { transitioned: 0, expired: 0, noncurrentExpired: 0, markersRemoved: 0, aborted: 0 };
    const ago = (days: number) => new Date(nowMs - days * DAY_MS);
    const now = new Date(nowMs);
    for (const rule of rules.filter((r) => r.status === 'Enabled')) {
      const scope = filterOf(bucket.id, rule);
      const current = (q: Knex.QueryBuilder) => scope(q).where({ is_latest: true, delete_marker: false });
      if (rule.transition_archive_days != null) {
        const before = ago(rule.transition_archive_days);
        out.transitioned += await this.moveAll(
          (q) => current(q).whereNot('storage_class', 'ARCHIVE').where('last_modified', '<=', before),
          'ARCHIVE',
          now,
        );
      }
      if (rule.transition_infrequent_days != null) {
        const before = ago(rule.transition_infrequent_days);
        out.transitioned += await this.moveAll(
          (q) => current(q).where('storage_class', 'STANDARD').where('last_modified', '<=', before),
          'INFREQUENT',
          now,
        );
      }
      if (rule.expiration_days != null) {
        const before = ago(rule.expiration_days);
        out.expired += await this.deleteAll(bucket, (q) => current(q).where('last_modified', '<=', before), false);
      }
      if (rule.expired_object_delete_marker)
        out.markersRemoved += await this.deleteAll(
          bucket,
          (q) =>
            scope(q)
              .where({ is_latest: true, delete_marker: true })
              .whereNotExists((s) =>
                s
                  .from('objects as o2')
                  .whereRaw('o2.bucket_id = objects.bucket_id and o2.key = objects.key and o2.seq <> objects.seq'),
              ),
          true,
        );
      if (rule.noncurrent_version_expiration_days != null)
        out.noncurrentExpired += await this.expireNoncurrent(
          bucket,
          scope,
          ago(rule.noncurrent_version_expiration_days),
          rule.newer_noncurrent_versions ?? 0,
        );
      if (rule.abort_incomplete_multipart_upload_days != null)
        out.aborted += await this.abortUploads(bucket, rule, ago(rule.abort_incomplete_multipart_upload_days));
    }
    if (bucket.intelligent_tiering) out.transitioned += await this.intelligent(bucket, nowMs);
    return out;
  }

  /** Intelligent mode: not read (nor written) for 90 days -> ARCHIVE, for 30 days -> INFREQUENT. */
  private async intelligent(bucket: BucketRow, nowMs: number): Promise<number> {
    const idle = (days: number) => new Date(nowMs - days * DAY_MS);
    const live = (q: Knex.QueryBuilder) => filterOf(bucket.id, undefined)(q).where({ delete_marker: false });
    const since = 'coalesce(last_accessed, last_modified) <= ?';
    const now = new Date(nowMs);
    let n = await this.moveAll(
      (q) =>
        live(q)
          .whereNot('storage_class', 'ARCHIVE')
          .whereRaw(since, [idle(90)]),
      'ARCHIVE',
      now,
    );
    n += await this.moveAll(
      (q) =>
        live(q)
          .where('storage_class', 'STANDARD')
          .whereRaw(since, [idle(30)]),
      'INFREQUENT',
      now,
    );
    return n;
  }

  /** Moves every selected version, a batch at a time, in seq order (keyset: a version that fails is not retried). */
  async moveAll(select: Scope, to: StorageClass, now: Date): Promise<number> {
    let after = 0;
    let moved = 0;
    for (;;) {
      const rows: ObjectRow[] = await select(this.db('objects'))
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(this.batch)
        .select('seq', 'bucket_id', 'segments');
      if (!rows.length) return moved;
      moved += await this.tiering.mover.move(rows, to, now);
      after = Number(rows[rows.length - 1]!.seq);
      if (rows.length < this.batch) return moved;
    }
  }

  /** Deletes the selected versions through the object store: current ones as a DELETE (markers where versioned). */
  private async deleteAll(bucket: BucketRow, select: Scope, byVersion: boolean): Promise<number> {
    let after = 0;
    let n = 0;
    for (;;) {
      const rows: ObjectRow[] = await select(this.db('objects'))
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(DELETE_BATCH)
        .select('seq', 'key', 'version_id');
      for (const r of rows) {
        await this.store.delete(bucket, r.key, byVersion ? r.version_id : undefined, (fn) => this.db.transaction(fn));
        n++;
      }
      if (rows.length < DELETE_BATCH) return n;
      after = Number(rows[rows.length - 1]!.seq);
    }
  }

  /** Noncurrent versions past their days, except each key's `keep` newest noncurrent ones. */
  private async expireNoncurrent(bucket: BucketRow, scope: Scope, before: Date, keep: number): Promise<number> {
    const ranked = scope(this.db('objects'))
      .where({ is_latest: false })
      .select(
        'seq',
        'key',
        'version_id',
        this.db.raw('coalesce(noncurrent_since, last_modified) as since'),
        this.db.raw('row_number() over (partition by key order by seq desc) as rank'),
      );
    const rows: { key: string; version_id: string }[] = await this.db
      .from(ranked.as('r'))
      .where('since', '<=', before)
      .where('rank', '>', keep)
      .select('key', 'version_id');
    for (const r of rows) await this.store.delete(bucket, r.key, r.version_id, (fn) => this.db.transaction(fn));
    return rows.length;
  }

  private async abortUploads(bucket: BucketRow, rule: Rule, before: Date): Promise<number> {
    const q = this.db('multipart_uploads').where({ bucket_id: bucket.id }).where('initiated', '<=', before);
    if (rule.prefix) q.andWhereRaw('starts_with(key, ?)', [rule.prefix]);
    const uploads: UploadRow[] = await q.select('*');
    let n = 0;
    for (const u of uploads) {
      try {
        await this.multipart.abort(bucket, u, (fn) => this.db.transaction(fn));
        n++;
      } catch {
        // completed or aborted meanwhile: nothing left to do
      }
    }
    return n;
  }
}
