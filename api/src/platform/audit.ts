// Audit records: one per mutating or denied call, written in the caller's transaction.
import type { Knex } from 'knex';
import { newId } from './ids.js';

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

export async function writeAudit(db: Knex | Knex.Transaction, rec: AuditRecord): Promise<void> {
  await db('audit_logs').insert({
    id: newId('log'), user_id: rec.user_id, action: rec.action, resource_type: rec.resource_type ?? null,
    resource_id: rec.resource_id ?? null, status: rec.status, details: rec.details ?? {},
    source_ip: rec.source_ip ?? null, request_id: rec.request_id ?? null,
  });
}
