// Storage tiering and lifecycle (issue 18, item 4): a bucket's lifecycle configuration (a resource kind), its
// intelligent mode, what each object version needs to be tiered and restored, and the write-ahead log of tier moves
// that makes a move of bytes between class directories crash-safe.
import type { Knex } from 'knex';
import { dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('buckets', (t) => {
    t.boolean('intelligent_tiering')
      .notNullable()
      .defaultTo(false)
      .comment('objects not read for 30 days go INFREQUENT, 90 days ARCHIVE; a read brings them back to STANDARD');
  });
  await createResourceTable(knex, 'lifecycle_configurations', ['bucket_lifecycle_configuration', '', 'owner'], (t) => {
    t.text('bucket_id').notNullable().references('id').inTable('buckets').onDelete('CASCADE');
    t.jsonb('rules').notNullable().comment('the rules, normalised (every member present, null when unset)');
    t.unique(['bucket_id'], { indexName: 'lifecycle_configurations_bucket' }); // one per bucket, as S3 has it
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.schema.alterTable('objects', (t) => {
    t.timestamp('last_accessed', { useTz: true }).comment('the last GET (intelligent buckets only); null: never read');
    t.timestamp('tiered_at', { useTz: true }).comment('when the version last changed storage class');
    t.timestamp('noncurrent_since', { useTz: true }).comment('when a newer version replaced it (null: current)');
    t.timestamp('restore_ready_at', { useTz: true }).comment('an ARCHIVE restore in progress finishes then');
    t.timestamp('restore_expires_at', { useTz: true }).comment("the restored copy's end");
    t.jsonb('restore_segments').comment("the restored copy's files (same shape as segments); null: none yet");
  });
  await knex.raw(`create index objects_class on objects (bucket_id, storage_class) include (size)`);
  await knex.raw(`create index objects_restores on objects (restore_ready_at) where restore_ready_at is not null`);
  // The sweep asks whether a restored copy names a file: few rows have one, so the index holds only those.
  await knex.raw(
    `create index objects_restored_files on objects using gin (restore_segments jsonb_path_ops) where restore_segments is not null`,
  );
  await knex.schema.createTable('tier_moves', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('object_seq').notNullable().comment('objects.seq of the version being moved');
    t.text('bucket_id').notNullable();
    t.text('to_class').notNullable();
    t.jsonb('from_segments').notNullable().comment('the segments the row named when the move began');
    t.jsonb('to_segments').notNullable().comment('the same segments in the target class directory');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).comment('real time');
    t.index(['object_seq']);
  });
  await knex.raw(
    `comment on table tier_moves is 'write-ahead log of tier moves: written before the files are linked, deleted in the commit that repoints the object'`,
  );
  await knex.schema.createTable('lifecycle_runs', (t) => {
    t.text('bucket_id').primary().references('id').inTable('buckets').onDelete('CASCADE');
    t.date('day').notNullable().comment('the last platform day (UTC) whose rules were claimed by a worker');
  });
  await knex.raw(
    `comment on table lifecycle_runs is 'one lifecycle pass per bucket per platform day, across processes'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('lifecycle_runs');
  await knex.schema.dropTable('tier_moves');
  await knex.raw('drop index if exists objects_class');
  await knex.raw('drop index if exists objects_restores');
  await knex.raw('drop index if exists objects_restored_files');
  await knex.schema.alterTable('objects', (t) => {
    for (const c of [
      'last_accessed',
      'tiered_at',
      'noncurrent_since',
      'restore_ready_at',
      'restore_expires_at',
      'restore_segments',
    ])
      t.dropColumn(c);
  });
  await dropChangeEvents(knex, 'lifecycle_configurations');
  await knex.schema.dropTable('lifecycle_configurations');
  await knex.schema.alterTable('buckets', (t) => t.dropColumn('intelligent_tiering'));
}
