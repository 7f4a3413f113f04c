// The time-series store (issue 19): series, raw samples partitioned by time, 1-minute and 1-hour rollups with a
// mergeable quantile sketch, the rollup pass's watermarks and its queue of late buckets, and per-metric metadata.
// Times are milliseconds since the epoch (bigint): the store's whole interface speaks them, and a partition's bounds
// are then plain integers. Partitions are made ahead by the store's maintenance pass (api/src/monitoring/tsdb/
// partitions.ts); the DEFAULT partition catches any point no daily partition covers yet, so no write is refused.
import type { Knex } from 'knex';

const PARTITIONED = ['metric_samples', 'metric_rollups_1m', 'metric_rollups_1h'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table metric_series (
      id bigserial primary key,
      owner text not null,
      name text not null,
      labels jsonb not null,
      fingerprint text not null,
      created_at bigint not null,
      unique (owner, fingerprint)
    )`);
  await knex.raw(`create index metric_series_name on metric_series (name, owner)`);
  await knex.raw(`create index metric_series_labels on metric_series using gin (labels jsonb_path_ops)`);
  await knex.raw(`
    comment on table metric_series is 'one row per series: an owner''s metric name and label set';
    comment on column metric_series.owner is 'the owning user (tenancy); also the series'' owner label';
    comment on column metric_series.name is 'the metric name (__name__)';
    comment on column metric_series.labels is 'every label but __name__, owner included, as a JSON object';
    comment on column metric_series.fingerprint is 'sha-256 of the sorted label set with the name: unique per owner';
    comment on column metric_series.created_at is 'platform time the series was first written (ms)';`);

  await knex.raw(`
    create table metric_samples (
      series_id bigint not null,
      t bigint not null,
      v double precision not null,
      primary key (series_id, t)
    ) partition by range (t)`);
  await knex.raw(`create table metric_samples_default partition of metric_samples default`);
  // The rollup pass reads a span of time across all series: BRIN fits time-ordered inserts and costs ingest little.
  await knex.raw(`create index metric_samples_t on metric_samples using brin (t)`);
  await knex.raw(`
    comment on table metric_samples is 'raw samples, partitioned by day of t (plus a default partition)';
    comment on column metric_samples.series_id is 'metric_series.id (no foreign key: partitions are dropped whole)';
    comment on column metric_samples.t is 'sample time, ms since the epoch';
    comment on column metric_samples.v is 'sample value (NaN and infinities allowed)';`);

  for (const res of ['1m', '1h']) {
    const table = `metric_rollups_${res}`;
    await knex.raw(`
      create table ${table} (
        series_id bigint not null,
        bucket bigint not null,
        count integer not null,
        sum double precision not null,
        min double precision not null,
        max double precision not null,
        last double precision not null,
        last_t bigint not null,
        sketch jsonb not null,
        primary key (series_id, bucket)
      ) partition by range (bucket)`);
    await knex.raw(`create table ${table}_default partition of ${table} default`);
    await knex.raw(`
      comment on table ${table} is 'per-series ${res === '1m' ? '1-minute' : '1-hour'} aggregates of closed buckets';
      comment on column ${table}.bucket is 'the bucket''s start, ms since the epoch';
      comment on column ${table}.count is 'samples in the bucket (NaN ones are counted in no statistic)';
      comment on column ${table}.sum is 'sum of the samples';
      comment on column ${table}.min is 'least sample';
      comment on column ${table}.max is 'greatest sample';
      comment on column ${table}.last is 'the latest sample''s value';
      comment on column ${table}.last_t is 'the latest sample''s time (ms)';
      comment on column ${table}.sketch is 'log-bucketed quantile sketch (tsdb/sketch.ts): {p, n, z} counts';`);
  }

  await knex.raw(`
    create table metric_rollup_state (
      resolution text primary key,
      done_until bigint not null
    )`);
  await knex.raw(`insert into metric_rollup_state values ('1m', 0), ('1h', 0)`);
  await knex.raw(`
    comment on table metric_rollup_state is 'the rollup pass''s watermark per resolution';
    comment on column metric_rollup_state.done_until is 'every bucket before this time (ms) is rolled up; points that
      arrive later for such a bucket are queued in metric_rollup_dirty';`);

  await knex.raw(`
    create table metric_rollup_dirty (
      series_id bigint not null,
      bucket bigint not null,
      primary key (series_id, bucket)
    )`);
  await knex.raw(`
    comment on table metric_rollup_dirty is 'late points: 1-minute buckets behind the watermark to roll up again';
    comment on column metric_rollup_dirty.bucket is 'the 1-minute bucket''s start (ms); its hour is re-rolled too';`);

  await knex.raw(`
    create table metric_metadata (
      owner text not null,
      name text not null,
      type text not null,
      help text not null default '',
      unit text not null default '',
      primary key (owner, name)
    )`);
  await knex.raw(`
    comment on table metric_metadata is 'Prometheus metadata per owner and metric family (remote-write, custom points)';
    comment on column metric_metadata.type is 'counter | gauge | histogram | gaugehistogram | summary | info | stateset | unknown';`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [...PARTITIONED, 'metric_rollup_dirty', 'metric_rollup_state', 'metric_series', 'metric_metadata'])
    await knex.raw(`drop table if exists ${t} cascade`);
}
