// Change events per statement instead of per row: a group commit inserts many rows in one statement, and a NOTIFY
// per row cost more than the insert itself (a PL/pgSQL call, a whole-row to_jsonb, a queue entry, and one message per
// row to every listening API process). Now each statement NOTIFYs a JSON array of its events, in chunks under
// NOTIFY's 8000-byte payload limit, built by a function generated per table that reads only the columns it needs.
// The events themselves are unchanged.
import type { Knex } from 'knex';
import { TABLES } from './003_change_events.js';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';

export async function up(knex: Knex): Promise<void> {
  for (const [table, columns] of Object.entries(TABLES)) {
    // The row-level trigger of migration 003 gives way to the statement-level ones.
    await knex.raw(`drop trigger ${table}_notify on ${table}`);
    await addChangeEvents(knex, table, columns);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const [table, [kind, status, owner]] of Object.entries(TABLES)) {
    await dropChangeEvents(knex, table);
    await knex.raw(
      `create trigger ${table}_notify after insert or update or delete on ${table} for each row execute function atonix_notify_change('${kind}', '${status}', '${owner}')`,
    );
  }
}
