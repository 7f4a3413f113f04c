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

/** Every key present, so the rows of a group commit share one statement. */
export const auditRow = (rec: AuditRecord) => ({
  id: newId('log'),
  user_id: rec.user_id,
  action: rec.action,
  resource_type: rec.resource_type ?? null,
  resource_id: rec.resource_id ?? null,
  status: rec.status,
  details: rec.details ?? {},
  source_ip: rec.source_ip ?? null,
  request_id: rec.request_id ?? null,
});

export async function writeAudits(db: Knex | Knex.Transaction, recs: AuditRecord[]): Promise<void> {
  await insertRows(db, AUDIT_TABLE, recs.map(auditRow), false);
}

export const writeAudit = (db: Knex | Knex.Transaction, rec: AuditRecord) => writeAudits(db, [rec]);
