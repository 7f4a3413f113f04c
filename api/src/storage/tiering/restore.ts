// ARCHIVE objects and their restores (S3 RestoreObject). An ARCHIVE version's bytes are not readable; a restore
// makes a temporary copy under <object dir>/restored/ once the restore delay of platform time has passed, readable
// until its expiry. The restore's state lives on the version's row: restore_ready_at (set when asked),
// restore_segments (set when the copy is durable), restore_expires_at.
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import type { ObjectRow, Segment } from '../objects/versions.js';
import { S3_NAME, type StorageClass } from './classes.js';

const DAY_MS = 86_400_000;

/** The tiering columns of a version (migration 020). */
export interface TieredRow extends ObjectRow {
  last_accessed: Date | null;
  tiered_at: Date | null;
  noncurrent_since: Date | null;
  restore_ready_at: Date | null;
  restore_expires_at: Date | null;
  restore_segments: Segment[] | null;
}

const tiered = (row: ObjectRow) => row as TieredRow;

const invalidState = (row: ObjectRow, detail: string) =>
  problems.s3('InvalidObjectState', detail, { StorageClass: S3_NAME[row.storage_class as StorageClass] ?? 'GLACIER' });

/** The segments a read of `row` streams: its own, or an ARCHIVE version's restored copy (else 403). */
export function readableSegments(row: ObjectRow, nowMs: number): Segment[] {
  if (row.storage_class !== 'ARCHIVE') return row.segments;
  const t = tiered(row);
  if (t.restore_segments && t.restore_expires_at && new Date(t.restore_expires_at).getTime() > nowMs)
    return t.restore_segments;
  throw invalidState(
    row,
    t.restore_ready_at && !t.restore_segments
      ? `The object ${row.key} is being restored; it is readable once the restore completes.`
      : `The object ${row.key} is in the ARCHIVE storage class; restore it first (RestoreObject, or POST /api/storage/buckets/{id}/restore).`,
  );
}

export interface RestoreState {
  ongoing: boolean;
  expires_at: string | null;
}

/** The restore as REST shows it (absent when none was asked for). */
export function restoreState(row: ObjectRow): RestoreState | undefined {
  const t = tiered(row);
  if (!t.restore_ready_at) return undefined;
  if (!t.restore_segments) return { ongoing: true, expires_at: null };
  return { ongoing: false, expires_at: new Date(t.restore_expires_at!).toISOString() };
}

/** S3's x-amz-restore header for the state. */
export function restoreHeader(row: ObjectRow): string | undefined {
  const s = restoreState(row);
  if (!s) return undefined;
  if (s.ongoing) return 'ongoing-request="true"';
  return `ongoing-request="false", expiry-date="${new Date(s.expires_at!).toUTCString()}"`;
}

/**
 * Asks for a restore of `row` for `days`: 'started' (S3 202) when none is in progress or done, 'extended' (S3 200)
 * when a copy is readable (its expiry set anew, from now). A restore in progress is a 409, a version that is not
 * ARCHIVE a 403.
 */
export async function requestRestore(
  trx: Knex.Transaction,
  row: ObjectRow,
  days: number,
  nowMs: number,
  delayMs: number,
): Promise<'started' | 'extended'> {
  if (row.delete_marker || row.storage_class !== 'ARCHIVE')
    throw invalidState(row, `Only an ARCHIVE object can be restored; ${row.key} is ${row.storage_class}.`);
  const locked: TieredRow | undefined = await trx('objects').where({ seq: row.seq }).forUpdate().first();
  if (!locked) throw problems.s3('NoSuchKey', `The key ${row.key} does not exist.`, { Key: row.key });
  if (locked.restore_ready_at && !locked.restore_segments)
    throw problems.s3('RestoreAlreadyInProgress', `A restore of ${row.key} is already in progress.`);
  if (locked.restore_segments) {
    await trx('objects')
      .where({ seq: row.seq })
      .update({ restore_expires_at: new Date(nowMs + days * DAY_MS) });
    return 'extended';
  }
  const ready = nowMs + delayMs;
  await trx('objects')
    .where({ seq: row.seq })
    .update({ restore_ready_at: new Date(ready), restore_expires_at: new Date(ready + days * DAY_MS) });
  return 'started';
}

/** `<Days>` of S3's RestoreRequest, or REST's `days`. */
export function checkDays(days: unknown): number {
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > 36500)
    throw problems.s3('MalformedXML', 'Days must be a whole number from 1 to 36500.');
  return n;
}
