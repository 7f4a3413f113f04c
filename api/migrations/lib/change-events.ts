// The change-event triggers of a resource table (migration 004's design): each statement NOTIFYs a JSON array of
// its rows' events on `atonix_events`, which feed the WebSocket, the row caches and Prefer: wait. A migration
// that creates a resource table calls addChangeEvents for it. These statements are what migration 004 created;
// a change to them is a new function and a migration that replaces the triggers, never an edit here.
import type { Knex } from 'knex';

/** Events per NOTIFY: ~170 bytes each, so 30 stay well under the 8000-byte payload limit. */
const CHUNK = 30;

/** The SQL of one event object for row alias `t`, with `ev` the event type expression. */
function eventSql(kind: string, status: string, owner: string, ev: string): string {
  return `jsonb_build_object('type', ${ev}, 'kind', '${kind}', 'id', t.id${owner ? `, 'owner', t."${owner}"` : ''}${status ? `, 'status', t."${status}"` : ''}, 'at', at)`;
}

/** Sends `events` (a select of jsonb objects in column e with a row number n) in chunks. */
const sendChunks = (select: string) => `
      for payload in select jsonb_agg(e order by n)::text from (${select}) x group by (n - 1) / ${CHUNK} order by (n - 1) / ${CHUNK} loop
        perform pg_notify('atonix_events', payload);
      end loop;`;

/** What a table's events say: the kind, its status column ('' for none) and its owner column ('' for none). */
export type EventColumns = [kind: string, status: string, owner: string];

/** Creates the statement-level triggers (and their function) that report `table`'s changes. */
export async function addChangeEvents(knex: Knex, table: string, [kind, status, owner]: EventColumns): Promise<void> {
  // NULL-valued owner/status keys are dropped, as before (jsonb_strip_nulls).
  const created = `select jsonb_strip_nulls(${eventSql(kind, status, owner, "'created'")}) e, row_number() over () n from new_rows t`;
  const deleted = `select jsonb_strip_nulls(${eventSql(kind, status, owner, "'deleted'")}) e, row_number() over () n from old_rows t`;
  const changed = status
    ? `case when o."${status}" is distinct from t."${status}" then 'status_changed' else 'updated' end`
    : "'updated'";
  const updated = `select jsonb_strip_nulls(${eventSql(kind, status, owner, changed)}) e, row_number() over () n from new_rows t join old_rows o on o.id = t.id`;
  await knex.raw(`
      create function atonix_notify_${table}() returns trigger language plpgsql as $$
      declare
        at text := to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        payload text;
      begin
        -- Transition tables exist only for their own event, so each branch names only its own.
        if tg_op = 'INSERT' then ${sendChunks(created)}
        elsif tg_op = 'DELETE' then ${sendChunks(deleted)}
        else ${sendChunks(updated)}
        end if;
        return null;
      end $$`);
  const fn = `atonix_notify_${table}()`;
  await knex.raw(
    `create trigger ${table}_notify_insert after insert on ${table} referencing new table as new_rows for each statement execute function ${fn}`,
  );
  await knex.raw(
    `create trigger ${table}_notify_update after update on ${table} referencing old table as old_rows new table as new_rows for each statement execute function ${fn}`,
  );
  await knex.raw(
    `create trigger ${table}_notify_delete after delete on ${table} referencing old table as old_rows for each statement execute function ${fn}`,
  );
}

/** Drops what addChangeEvents created. */
export async function dropChangeEvents(knex: Knex, table: string): Promise<void> {
  for (const op of ['insert', 'update', 'delete'])
    await knex.raw(`drop trigger if exists ${table}_notify_${op} on ${table}`);
  await knex.raw(`drop function if exists atonix_notify_${table}()`);
}
