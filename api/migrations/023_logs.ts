// Logs (issue 19 item 3): log lines in a table partitioned by day (UTC) with a DEFAULT partition for lines whose day
// has none yet, full-text search over message and field values, a keyset index per owner; each owner's retention;
// the bookkeeping of the platform's own lines (which event-derived lines exist already, how far the audit trail has
// been followed); and a NOTIFY per statement of new lines (channel atonix_logs, listened to only by processes with a
// tail open) so the WebSocket can tail them; and a load balancer's switch for its access log.
import type { Knex } from 'knex';

/** Days of partitions made at migration, around today (the sweep keeps making them ahead of the clock). */
const AHEAD_DAYS = 3;

/** ~2 KB an event at most (the message and fields are cut below): 3 stay under NOTIFY's 8000-byte payload limit. */
const CHUNK = 3;
/** The advisory lock a tailing process holds (platform/events/bus.ts LOG_TAIL_LOCK). */
const TAIL_LOCK = 7301;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create sequence log_entries_id_seq`);
  await knex.raw(`
    create table log_entries (
      id bigint not null default nextval('log_entries_id_seq'),
      owner text not null,
      time timestamptz not null,
      level text not null check (level in ('trace', 'debug', 'info', 'warn', 'error', 'fatal')),
      source text not null,
      resource_id text,
      kind text,
      message text not null,
      fields jsonb not null default '{}',
      search tsvector generated always as (
        to_tsvector('english'::regconfig, message) ||
        jsonb_to_tsvector('english'::regconfig, fields, '["string", "numeric"]')
      ) stored,
      primary key (time, id)
    ) partition by range (time)`);
  await knex.raw(`alter sequence log_entries_id_seq owned by log_entries.id`);
  for (const [col, what] of Object.entries({
    id: 'unique per line, increasing: with time the keyset of the cursors (newest first)',
    owner: 'the user whose line it is (a user reads only their own; the admin all)',
    time: 'when it happened; the partition key (one partition per UTC day)',
    level: 'trace | debug | info | warn | error | fatal',
    source: "what wrote it: the platform's state, job, access, audit, platform; anything else a user's push",
    resource_id: 'the resource the line is about, if any',
    kind: "that resource's kind",
    message: 'the text',
    fields: 'structured fields, any JSON object',
    search: 'full-text vector over message and the string and number values of fields (English stemming)',
  }))
    await knex.raw(`comment on column log_entries.${col} is '${what.replace(/'/g, "''")}'`);
  await knex.raw(
    `comment on table log_entries is 'log lines, partitioned by day (log_entries_pYYYYMMDD, UTC) with a default partition'`,
  );
  await knex.raw(`create table log_entries_default partition of log_entries default`);
  await knex.raw(
    `comment on table log_entries_default is 'lines of days without a partition yet; moved out when their day gets one'`,
  );
  await knex.raw(`create index log_entries_owner_keyset on log_entries (owner, time desc, id desc)`);
  await knex.raw(
    `create index log_entries_resource on log_entries (resource_id, time desc, id desc) where resource_id is not null`,
  );
  await knex.raw(`create index log_entries_search on log_entries using gin (search)`);

  // A day's partition, made at most once (an advisory lock serialises processes): lines of that day already in the
  // default partition move into it first, since attaching checks the default holds none of its range.
  await knex.raw(`
    create function atonix_log_partition(day date) returns boolean language plpgsql as $$
    declare
      name text := 'log_entries_p' || to_char(day, 'YYYYMMDD');
      lo timestamptz := day::timestamp at time zone 'UTC';
      hi timestamptz := (day + 1)::timestamp at time zone 'UTC';
    begin
      perform pg_advisory_xact_lock(hashtext('atonix_log_partitions'));
      if to_regclass(name) is not null then return false; end if;
      execute format('create table %I (like log_entries including defaults including constraints including generated)', name);
      execute format('insert into %I (id, owner, time, level, source, resource_id, kind, message, fields)
                      select id, owner, time, level, source, resource_id, kind, message, fields
                        from log_entries_default where time >= $1 and time < $2', name) using lo, hi;
      delete from log_entries_default where time >= lo and time < hi;
      execute format('alter table log_entries attach partition %I for values from (%L) to (%L)', name, lo, hi);
      execute format('comment on table %I is %L', name, 'log lines of ' || to_char(day, 'YYYY-MM-DD') || ' (UTC)');
      return true;
    end $$`);
  await knex.raw(
    `select atonix_log_partition((now() at time zone 'UTC')::date + d) from generate_series(-1, ${AHEAD_DAYS}) d`,
  );

  await knex.schema.createTable('log_settings', (t) => {
    t.text('owner').primary().comment('a user; owners without a row keep the default retention (config)');
    t.integer('retention_days').notNullable().comment("days of platform time the owner's lines are kept");
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.raw(`comment on table log_settings is 'log settings per owner'`);

  await knex.schema.createTable('log_origins', (t) => {
    t.text('origin')
      .primary()
      .comment('what a platform line was made from (a change event), the same in every process');
    t.timestamp('at', { useTz: true }).notNullable().comment('when; origins older than a day are forgotten');
    t.index(['at']);
  });
  await knex.raw(
    `comment on table log_origins is 'platform lines made from events every process hears: the first process to record the origin writes the line'`,
  );

  await knex.schema.createTable('log_followers', (t) => {
    t.text('name').primary().comment('the table followed (audit)');
    t.bigInteger('xact').notNullable().comment('the last row turned into a line: its transaction id...');
    t.bigInteger('seq').notNullable().comment('...and its seq within it');
  });
  await knex.raw(
    `comment on table log_followers is 'how far a durable follower has turned committed rows into log lines (locked by the one process following)'`,
  );

  // The audit trail's rows learn their transaction: rows of transactions older than every running one (the
  // snapshot's xmin) are all committed and visible, so a follower reading up to that horizon skips none, even when
  // a lower seq commits after a higher one. Rows from before this migration are not followed (null).
  await knex.raw(`alter table audit_logs add column xact bigint`);
  await knex.raw(`alter table audit_logs alter column xact set default pg_current_xact_id()::text::bigint`);
  await knex.raw(
    `comment on column audit_logs.xact is 'the writing transaction (pg_current_xact_id), for the log follower'`,
  );
  await knex.raw(`create index audit_logs_xact on audit_logs (xact, seq) where xact is not null`);
  await knex.raw(`insert into log_followers (name, xact, seq) values ('audit', pg_current_xact_id()::text::bigint, 0)`);

  await knex.raw(`alter table load_balancers add column access_logs_enabled boolean not null default false`);
  await knex.raw(
    `comment on column load_balancers.access_logs_enabled is 'an access log line per HTTP request, in the owner''s logs'`,
  );

  // Tail events: {type: 'log', kind: 'log_entry', id, owner, time, level, source, resource_id, resource_kind,
  // message, fields, truncated, at}; a long message or large fields are cut (truncated: true), GET has them whole.
  await knex.raw(`
    create function atonix_notify_log_entries() returns trigger language plpgsql as $$
    declare
      at text := to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
      payload text;
    begin
      -- Only while some process tails (it holds the shared advisory lock ${TAIL_LOCK} on its LISTEN connection).
      if not exists (select 1 from pg_locks where locktype = 'advisory' and classid = 0 and objid = ${TAIL_LOCK}
                       and objsubid = 1 and database = (select oid from pg_database where datname = current_database()))
      then return null; end if;
      for payload in
        select jsonb_agg(e order by n)::text
          from (select jsonb_build_object('type', 'log', 'kind', 'log_entry', 'id', r.id::text, 'owner', r.owner,
                         'time', to_char(r.time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                         'level', r.level, 'source', r.source, 'resource_id', r.resource_id, 'resource_kind', r.kind,
                         'message', case when octet_length(r.message) <= 1024 then r.message else left(r.message, 256) end,
                         'fields', case when octet_length(r.fields::text) <= 512 then r.fields else '{}'::jsonb end,
                         'truncated', octet_length(r.message) > 1024 or octet_length(r.fields::text) > 512,
                         'at', at) e,
                       row_number() over () n
                  from new_rows r) x
         group by (n - 1) / ${CHUNK} order by (n - 1) / ${CHUNK}
      loop
        perform pg_notify('atonix_logs', payload);
      end loop;
      return null;
    end $$`);
  await knex.raw(
    `create trigger log_entries_notify_insert after insert on log_entries
       referencing new table as new_rows for each statement execute function atonix_notify_log_entries()`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table if exists log_entries cascade');
  await knex.raw('drop function if exists atonix_notify_log_entries()');
  await knex.raw('drop function if exists atonix_log_partition(date)');
  await knex.raw('drop index if exists audit_logs_xact');
  await knex.raw('alter table load_balancers drop column if exists access_logs_enabled');
  await knex.raw('alter table audit_logs drop column if exists xact');
  for (const t of ['log_followers', 'log_origins', 'log_settings']) await knex.schema.dropTableIfExists(t);
}
