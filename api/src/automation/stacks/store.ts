// Data access of stacks: the stacks' own repo, and each stack's resources and events (only this file names their
// tables).
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';
import { newId } from '../../platform/resources/ids.js';
import { page } from '../../platform/resources/pagination.js';
import { ResourceRepo, type Row, type Schemas, type StoredRow } from '../../platform/resources/repo.js';
import type { Json } from './template-model.js';

/** Columns beyond the schema: what the current (or last) run does, its number (part of each step's key), the template. */
type StackColumns = { operation: 'create' | 'update' | 'delete'; run: number; template: Record<string, Json> };

export type StackStatus = Schemas['StackStatus'];
export type StackRow = StoredRow<Schemas['Stack'], StackColumns>;

export const stacks = new ResourceRepo<Schemas['Stack'], StackColumns>(registry.stack);

export interface ResourceRow {
  stack_id: string;
  logical_id: string;
  type: string;
  kind: string;
  physical_id: string | null;
  status: string;
  reason: string | null;
  properties: Record<string, Json> | null;
  attributes: Record<string, Json> | null;
  depends_on: string[];
  retired: string[];
}

export interface StackEvent {
  logical_id: string;
  type?: string | null;
  physical_id?: string | null;
  status: string;
  reason?: string | null;
}

/** A page of a stack's events, newest first. */
export const eventPage = (
  db: Knex | Knex.Transaction,
  stackId: string,
  limit: number | undefined,
  cursor: string | undefined,
) => page<Row & { seq: number }>(db('stack_events').where({ stack_id: stackId }).select('*'), limit, cursor);

export class StackStore {
  constructor(private db: Knex) {}

  async resources(stackId: string): Promise<Map<string, ResourceRow>> {
    const rows: ResourceRow[] = await this.db('stack_resources').where({ stack_id: stackId });
    return new Map(rows.map((r) => [r.logical_id, r]));
  }

  /**
   * Saves a resource row, and with it `event` when given: one statement (an atomic round trip; the engine makes
   * several per resource, for many resources at once). A complete row is upserted; a partial one (say, only
   * `retired`) updates the row that must exist, since it could not pass the insert's NOT NULL checks.
   */
  async save(row: Partial<ResourceRow> & { stack_id: string; logical_id: string }, event?: StackEvent): Promise<void> {
    const values: Record<string, unknown> = { ...row };
    for (const k of ['properties', 'attributes', 'depends_on', 'retired'])
      if (values[k] !== undefined) values[k] = JSON.stringify(values[k]);
    const cols = Object.keys(values);
    const set = [
      ...cols.filter((c) => c !== 'stack_id' && c !== 'logical_id').map((c) => `"${c}" = excluded."${c}"`),
      'updated_at = now()',
    ].join(', ');
    const complete = row.type !== undefined && row.kind !== undefined && row.status !== undefined;
    const write = complete
      ? {
          sql: `insert into stack_resources (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')}) on conflict (stack_id, logical_id) do update set ${set}`,
          bindings: cols.map((c) => values[c]),
        }
      : this.db('stack_resources')
          .where({ stack_id: row.stack_id, logical_id: row.logical_id })
          .update({ ...values, updated_at: this.db.fn.now() })
          .toSQL();
    await this.withEvent(write.sql, write.bindings as unknown[], row.stack_id, event);
  }

  /** Forgets a resource, and records `event` when given (one statement). */
  async drop(stackId: string, logicalId: string, event?: StackEvent): Promise<void> {
    await this.withEvent(
      'delete from stack_resources where stack_id = ? and logical_id = ?',
      [stackId, logicalId],
      stackId,
      event,
    );
  }

  /** `sql` (a write), with the event's insert beside it in one statement when there is one. */
  private async withEvent(
    sql: string,
    bindings: unknown[],
    stackId: string,
    event: StackEvent | undefined,
  ): Promise<void> {
    if (!event) {
      await this.db.raw(sql, bindings as any[]);
      return;
    }
    const e = { id: newId('sev'), stack_id: stackId, type: null, physical_id: null, reason: null, ...event };
    const cols = Object.keys(e);
    await this.db.raw(
      `with written as (${sql} returning 1) insert into stack_events (${cols.map((c) => `"${c}"`).join(', ')}) values (${cols.map(() => '?').join(', ')})`,
      [...bindings, ...cols.map((c) => (e as Record<string, unknown>)[c])] as any[],
    );
  }

  async event(stackId: string, e: StackEvent): Promise<void> {
    await this.db('stack_events').insert({
      id: newId('sev'),
      stack_id: stackId,
      type: null,
      physical_id: null,
      reason: null,
      ...e,
    });
  }
}
