// The columns every resource table has, and a resource table made whole in one call: those columns, the kind's
// own, and its change events. These statements are what migration 001 created; a change to them is a new function
// (a later migration's), never an edit here, or databases made before and after it would differ.
import type { Knex } from 'knex';
import { addChangeEvents, type EventColumns } from './change-events.js';

/** seq (keyset order), id, name, owner (unless the kind has none), created_at, updated_at, rev (the ETag). */
export function resourceColumns(t: Knex.CreateTableBuilder, knex: Knex, withOwner = true) {
  t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
  t.text('id').primary().comment('public id with a kind prefix');
  t.text('name').notNullable();
  if (withOwner)
    t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
}

/**
 * A new kind's table: the common columns, then `columns` (the kind's own, and its indexes; an owned kind wants
 * `t.index(['owner', 'seq'])` for its lists), then the change-event triggers, with the kind's status column.
 */
export async function createResourceTable(
  knex: Knex,
  table: string,
  events: EventColumns,
  columns: (t: Knex.CreateTableBuilder) => void,
): Promise<void> {
  await knex.schema.createTable(table, (t) => {
    resourceColumns(t, knex, events[2] === 'owner');
    columns(t);
  });
  await knex.raw(`comment on table ${table} is 'resource kind ${events[0]}'`);
  await addChangeEvents(knex, table, events);
}
