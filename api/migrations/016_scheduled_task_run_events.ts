// Run events of scheduled tasks: a run inserted (running, or skipped) and every change of its status or attempt
// (retrying, running again, succeeded, failed, timed_out) NOTIFY `atonix_events` from a statement-level trigger, as
// resource tables' changes do (migration 004), so they reach the WebSocket in every process and only on commit.
// An event is the task's (kind scheduled_task, id the task's, owner the task's), so the stream's owner, IAM and
// `?kinds=` filters treat it as they treat the task's own events:
//   {type: 'scheduled_task.run', kind, id, owner, run_id, due_at, status, attempt, at}
import type { Knex } from 'knex';

/** ~300 bytes an event: 20 stay under NOTIFY's 8000-byte payload limit. */
const CHUNK = 20;

const event = `jsonb_build_object('type', 'scheduled_task.run', 'kind', 'scheduled_task', 'id', r.task_id,
  'owner', t.owner, 'run_id', r.id, 'due_at', to_char(r.due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'status', r.status, 'attempt', r.attempt, 'at', at)`;

const send = (from: string) => `
      for payload in select jsonb_agg(e order by n)::text
                       from (select ${event} e, row_number() over () n ${from}) x
                      group by (n - 1) / ${CHUNK} order by (n - 1) / ${CHUNK} loop
        perform pg_notify('atonix_events', payload);
      end loop;`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
      create function atonix_notify_scheduled_task_runs() returns trigger language plpgsql as $$
      declare
        at text := to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
        payload text;
      begin
        if tg_op = 'INSERT' then ${send('from new_rows r join scheduled_tasks t on t.id = r.task_id')}
        else ${send(`from new_rows r join old_rows o on o.id = r.id join scheduled_tasks t on t.id = r.task_id
                      where r.status is distinct from o.status or r.attempt is distinct from o.attempt`)}
        end if;
        return null;
      end $$`);
  await knex.raw(
    `create trigger scheduled_task_runs_notify_insert after insert on scheduled_task_runs
       referencing new table as new_rows for each statement execute function atonix_notify_scheduled_task_runs()`,
  );
  await knex.raw(
    `create trigger scheduled_task_runs_notify_update after update on scheduled_task_runs
       referencing old table as old_rows new table as new_rows
       for each statement execute function atonix_notify_scheduled_task_runs()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const op of ['insert', 'update'])
    await knex.raw(`drop trigger if exists scheduled_task_runs_notify_${op} on scheduled_task_runs`);
  await knex.raw('drop function if exists atonix_notify_scheduled_task_runs()');
}
