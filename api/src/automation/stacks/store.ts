// Data access of a stack's resources and events (only this file and the stacks repo name the tables).
import type { Knex } from 'knex';
import { newId } from '../../platform/ids.js';
import type { Json } from './model.js';

export interface ResourceRow {
  stack_id: string; logical_id: string; type: string; kind: string; physical_id: string | null; status: string; reason: string | null;
  properties: Record<string, Json> | null; attributes: Record<string, Json> | null; depends_on: string[]; retired: string[];
}

export class StackStore {
  constructor(private db: Knex) {}

  async resources(stackId: string): Promise<Map<string, ResourceRow>> {
    const rows: ResourceRow[] = await this.db('stack_resources').where({ stack_id: stackId });
    return new Map(rows.map((r) => [r.logical_id, r]));
  }

  async save(row: Partial<ResourceRow> & { stack_id: string; logical_id: string }): Promise<void> {
    const values: Record<string, unknown> = { ...row, updated_at: this.db.fn.now() };
    for (const k of ['properties', 'attributes', 'depends_on', 'retired']) if (values[k] !== undefined) values[k] = JSON.stringify(values[k]);
    // Update first: a partial row (say, only `retired`) could not pass the insert's NOT NULL checks of an upsert.
    const updated = await this.db('stack_resources').where({ stack_id: row.stack_id, logical_id: row.logical_id }).update(values);
    if (!updated) await this.db('stack_resources').insert(values);
  }

  async drop(stackId: string, logicalId: string): Promise<void> {
    await this.db('stack_resources').where({ stack_id: stackId, logical_id: logicalId }).delete();
  }

  async event(stackId: string, e: { logical_id: string; type?: string | null; physical_id?: string | null; status: string; reason?: string | null }): Promise<void> {
    await this.db('stack_events').insert({ id: newId('sev'), stack_id: stackId, type: null, physical_id: null, reason: null, ...e });
  }
}
