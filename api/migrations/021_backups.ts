// Backups (issue 18 item 5): vaults, plans with their rules, selections and runs, recovery points, and the backup and
// restore jobs that make and use them. A plan run's unique (plan_id, rule_name, due_at) makes each due run of a rule
// happen once however many processes sweep at the same tick. Recovery points keep a volume's snapshot id, or the
// manifest of a bucket copy whose bytes live under the data dir's backups/ (outside the object store's orphan sweep).
import type { Knex } from 'knex';
import { dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

const TABLES = ['restore_jobs', 'backup_jobs', 'recovery_points', 'backup_selections', 'backup_plans', 'backup_vaults'];

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'backup_vaults', ['backup_vault', '', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.text('kms_key_id').comment("the owner's KMS key id (an alias is resolved on create)");
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await createResourceTable(knex, 'backup_plans', ['backup_plan', '', 'owner'], (t) => {
    t.jsonb('rules')
      .notNullable()
      .comment('[{name, schedule, timezone, target_vault_id, retention_*, start_window_*}]');
    t.jsonb('next_runs').notNullable().defaultTo('{}').comment('rule name -> its next due time (ms), null when none');
    t.timestamp('next_run_at', { useTz: true }).comment('the earliest of next_runs: what the sweep claims on');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw('create index backup_plans_due on backup_plans (next_run_at) where next_run_at is not null');
  await knex.schema.createTable('backup_plan_runs', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('plan_id').notNullable().references('id').inTable('backup_plans').onDelete('CASCADE');
    t.text('rule_name').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.text('status').notNullable().comment('started (its jobs run) | missed (outside the start window)');
    t.jsonb('job_ids').notNullable().defaultTo('[]').comment('one backup job per selected resource');
    t.jsonb('errors').notNullable().defaultTo('[]').comment('[{resource_id, detail}]: jobs the run could not start');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('claimed_at', { useTz: true }).comment('when a sweep last took it to start its jobs');
    t.timestamp('dispatched_at', { useTz: true }).comment('when all its jobs were started (null: not yet, or died)');
    t.unique(['plan_id', 'rule_name', 'due_at'], { indexName: 'backup_plan_runs_once' });
  });
  await knex.raw(`comment on table backup_plan_runs is 'one row per due run of a backup plan rule (exactly once)'`);
  await knex.raw(
    `create index backup_plan_runs_undispatched on backup_plan_runs (claimed_at) where status = 'started' and dispatched_at is null`,
  );
  await createResourceTable(knex, 'backup_selections', ['backup_selection', '', 'owner'], (t) => {
    t.text('plan_id').notNullable().references('id').inTable('backup_plans').onDelete('CASCADE');
    t.jsonb('resource_ids').notNullable().defaultTo('[]').comment('volume and bucket ids');
    t.jsonb('tags').notNullable().defaultTo('{}').comment("key=value pairs a bucket's metadata must all hold");
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['plan_id']);
  });
  await createResourceTable(knex, 'recovery_points', ['recovery_point', 'status', 'owner'], (t) => {
    t.text('vault_id').notNullable().references('id').inTable('backup_vaults').comment('a vault is deleted empty');
    t.text('resource_type').notNullable().comment('volume | bucket');
    t.text('resource_id').notNullable().comment('no foreign key: a recovery point outlives its resource');
    t.text('status').notNullable().comment('pending -> completed | failed');
    t.text('status_reason');
    t.text('snapshot_id').comment("a volume's snapshot, deleted with the recovery point");
    t.bigInteger('size_bytes').notNullable().defaultTo(0);
    t.integer('object_count').notNullable().defaultTo(0);
    t.jsonb('manifest').comment("a bucket copy's objects: [{key, file, size, content_type, metadata}]");
    t.text('plan_id').comment('the plan whose rule made it (null: on demand)');
    t.text('rule_name');
    t.text('job_id').notNullable();
    t.timestamp('expires_at', { useTz: true }).comment('retention by days: deleted by the worker after this');
    t.integer('retention_count').comment("retention by count: only the rule's newest N per resource are kept");
    t.timestamp('completed_at', { useTz: true });
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['vault_id']);
    t.index(['plan_id', 'rule_name', 'resource_id']);
  });
  await knex.raw('create index recovery_points_expiry on recovery_points (expires_at) where expires_at is not null');
  await createResourceTable(knex, 'backup_jobs', ['backup_job', 'status', 'owner'], (t) => {
    t.text('resource_id').notNullable();
    t.text('vault_id').notNullable();
    t.integer('retention_days');
    t.integer('retention_count');
    t.text('status').notNullable().comment('running -> completed | failed');
    t.text('status_reason');
    t.text('recovery_point_id');
    t.text('plan_id');
    t.text('rule_name');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await createResourceTable(knex, 'restore_jobs', ['restore_job', 'status', 'owner'], (t) => {
    t.text('recovery_point_id').notNullable();
    t.text('availability_zone');
    t.text('resource_type').notNullable().comment('volume | bucket');
    t.text('status').notNullable().comment('running -> completed | failed');
    t.text('status_reason');
    t.text('created_resource_id');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('backup_plan_runs');
  for (const table of TABLES) {
    await dropChangeEvents(knex, table);
    await knex.schema.dropTable(table);
  }
}
