// Tiering's part of the object store: the mover, and what a read does in an intelligent bucket (records the access,
// and brings an INFREQUENT version back to STANDARD before its bytes are streamed, so the read sees the new row).
import type { Knex } from 'knex';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import type { BucketRow } from '../bucket-store.js';
import type { FileStore } from '../objects/file-store.js';
import type { ReadHook } from '../objects/object-store.js';
import type { ObjectRow } from '../objects/versions.js';
import { TierMover } from './mover.js';

/** A read records its time at most this often per version: a hot object is not rewritten on every GET. */
const ACCESS_RESOLUTION_MS = 60 * 60 * 1000;

export class Tiering implements ReadHook {
  readonly mover: TierMover;

  constructor(
    private db: Knex,
    files: FileStore,
    log: Logger,
    private clock: Clock,
    staleMs?: number,
  ) {
    this.mover = new TierMover(db, files, log, staleMs);
    // The kill -9 tests (test/integration/storage/tiering-crash.test.ts) need the worst moments exactly, not by
    // luck: ATONIX_FAULT_TIER_MOVE makes the process SIGKILL itself there. Unset everywhere else.
    const fault = process.env.ATONIX_FAULT_TIER_MOVE;
    const die = async () => {
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {});
    };
    if (fault === 'after-intents') this.mover.afterIntents = die;
    if (fault === 'after-links') this.mover.beforeCommit = die;
  }

  async onRead(bucket: BucketRow, row: ObjectRow): Promise<ObjectRow> {
    if (!bucket.intelligent_tiering || row.delete_marker) return row;
    const now = this.clock.date();
    await this.db('objects')
      .where({ seq: row.seq })
      .andWhere((q) =>
        q.whereNull('last_accessed').orWhere('last_accessed', '<', new Date(now.getTime() - ACCESS_RESOLUTION_MS)),
      )
      .update({ last_accessed: now });
    if (row.storage_class !== 'INFREQUENT') return row;
    await this.mover.move([row], 'STANDARD', now);
    return (await this.db('objects').where({ seq: row.seq }).first()) ?? row;
  }
}
