// The audit trail as log lines, made by a durable follower rather than an in-memory buffer: the audit rows are
// committed with the calls they record, so lines are made from the rows themselves, in the same transaction that
// moves the follower's position. A crash between the two loses nothing and doubles nothing; the follower's row is
// locked (SKIP LOCKED) so one process follows at a time. Rows are read up to the snapshot's xmin (every transaction
// older than it has ended), so a row whose transaction commits late, with a lower seq, is never skipped.
import type { Knex } from 'knex';
import { inTransaction } from '../../platform/resources/row-cache.js';
import { insertLines, type LineInput } from './store.js';

const BATCH = 1000;

interface AuditRow {
  seq: number;
  xact: number;
  user_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  status: 'success' | 'failure';
  details: Record<string, unknown>;
  timestamp: Date;
  source_ip: string | null;
  request_id: string | null;
}

/**
 * The line of an audit record, or none: pushing log lines is not itself logged when it succeeds (every push would
 * add a line of its own to the pusher's logs); a refused push is.
 */
/** the longest `resource_id` a line carries (the schema's bound) */
const MAX_ID = 128;

function lineOf(r: AuditRow): LineInput | undefined {
  if (!r.user_id || (r.action === 'monitoring:PutLogEvents' && r.status === 'success')) return undefined;
  const what = [r.resource_type, r.resource_id].filter(Boolean).join(' ');
  return {
    owner: r.user_id,
    time: r.timestamp.toISOString(),
    level: r.status === 'success' ? 'info' : 'warn',
    source: 'audit',
    // A refused call may name an id no resource could have (a fuzzed path): the message keeps it, the field does not.
    resource_id: r.resource_id && r.resource_id.length <= MAX_ID ? r.resource_id : null,
    kind: r.resource_type,
    message: `${r.action}${what ? ` ${what}` : ''} ${r.status === 'success' ? 'succeeded' : 'failed'}`,
    fields: {
      action: r.action,
      status: r.status,
      user_id: r.user_id,
      source_ip: r.source_ip,
      request_id: r.request_id,
      details: r.details,
    },
  };
}

/** One batch followed; how many audit rows it took (0: nothing new, or another process is following). */
async function followOnce(db: Knex): Promise<number> {
  return inTransaction(db, async (trx) => {
    const pos = await trx('log_followers').where({ name: 'audit' }).forUpdate().skipLocked().first();
    if (!pos) return 0;
    const { rows } = (await trx.raw(
      `select seq, xact, user_id, action, resource_type, resource_id, status, details, timestamp, source_ip, request_id
         from audit_logs
        where xact is not null and (xact, seq) > (?::bigint, ?::bigint)
          and xact < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        order by xact, seq limit ${BATCH}`,
      [pos.xact, pos.seq],
    )) as { rows: AuditRow[] };
    if (!rows.length) return 0;
    await insertLines(
      trx,
      rows.flatMap((r) => lineOf(r) ?? []),
    );
    const last = rows[rows.length - 1]!;
    await trx('log_followers').where({ name: 'audit' }).update({ xact: last.xact, seq: last.seq });
    return rows.length;
  });
}

/** Follows until nothing is left. */
export async function followAudit(db: Knex): Promise<void> {
  while ((await followOnce(db)) === BATCH);
}
