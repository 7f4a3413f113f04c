// Change events from triggers: every insert, update and delete of a resource table NOTIFYs, in the writing
// transaction (delivered on commit), with no extra round trip and no way for a code path to forget it.
import type { Knex } from 'knex';

/** table -> [kind, status column or '', owner column] */
export const TABLES: Record<string, [string, string, string]> = {
  users: ['user', '', 'id'],
  tokens: ['token', '', 'user_id'],
  flavors: ['flavor', '', ''],
  images: ['image', 'status', ''],
  vpcs: ['vpc', 'state', 'owner'],
  subnets: ['subnet', '', 'owner'],
  instances: ['instance', 'status', 'owner'],
  stacks: ['stack', 'status', 'owner'],
  templates: ['template', '', 'owner'],
};

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function atonix_notify_change() returns trigger language plpgsql as $$
    declare
      r jsonb := to_jsonb(coalesce(new, old));
      kind text := tg_argv[0];
      status_col text := tg_argv[1];
      owner_col text := tg_argv[2];
      ev text;
    begin
      ev := case tg_op when 'INSERT' then 'created' when 'DELETE' then 'deleted'
        else case when status_col <> '' and (to_jsonb(old) ->> status_col) is distinct from (r ->> status_col) then 'status_changed' else 'updated' end end;
      perform pg_notify('atonix_events', jsonb_strip_nulls(jsonb_build_object(
        'type', ev, 'kind', kind, 'id', r ->> 'id',
        'owner', case when owner_col <> '' then r ->> owner_col end,
        'status', case when status_col <> '' then r ->> status_col end,
        'at', to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      ))::text);
      return null;
    end $$`);
  for (const [table, [kind, status, owner]] of Object.entries(TABLES)) {
    await knex.raw(
      `create trigger ${table}_notify after insert or update or delete on ${table} for each row execute function atonix_notify_change('${kind}', '${status}', '${owner}')`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of Object.keys(TABLES)) await knex.raw(`drop trigger if exists ${table}_notify on ${table}`);
  await knex.raw('drop function if exists atonix_notify_change()');
}
