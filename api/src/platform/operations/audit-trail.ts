// Audit records: one per mutating or denied call, written in the caller's transaction.
import type { Knex } from 'knex';
import { insertRows } from '../db/bulk.js';
import { newId } from '../resources/ids.js';

/** The audit trail's table; only this file and the group commit write it, the audit log reads it. */
export const AUDIT_TABLE = 'audit_logs';

/** The audit records, to query (the audit log's list). */
export const auditRecords = (db: Knex | Knex.Transaction) => db(AUDIT_TABLE);

export interface AuditRecord {
  user_id: string | null;
  action: string;
  resource_type?: string | null;
  resource_id?: string | null;
  status: 'success' | 'failure';
  details?: Record<string, unknown>;
  source_ip?: string | null;
  request_id?: string | null;
}

/**
 * What a text column can hold: a NUL or a lone surrogate (in a refused request's path id, say) is written as its
 * `\uXXXX` escape, so the record of a bad request is stored too, not lost with it.
 */
export const storable = (s: string) =>
  s.replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
const text = (s: string | null | undefined) => (s === null || s === undefined ? null : storable(s));
/** A JSON value whose strings (and member names) are all storable. */
export const storableJson = (v: unknown): unknown =>
  typeof v === 'string'
    ? storable(v)
    : Array.isArray(v)
      ? v.map(storableJson)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [storable(k), storableJson(x)]))
        : v;

/** Every key present, so the rows of a group commit share one statement. */
export const auditRow = (rec: AuditRecord) => ({
  id: newId('log'),
  user_id: text(rec.user_id),
  action: rec.action,
  resource_type: rec.resource_type ?? null,
  resource_id: text(rec.resource_id),
  status: rec.status,
  details: storableJson(rec.details ?? {}),
  source_ip: text(rec.source_ip),
  request_id: text(rec.request_id),
});

export async function writeAudits(db: Knex | Knex.Transaction, recs: AuditRecord[]): Promise<void> {
  await insertRows(db, AUDIT_TABLE, recs.map(auditRow), false);
}

export const writeAudit = (db: Knex | Knex.Transaction, rec: AuditRecord) => writeAudits(db, [rec]);
