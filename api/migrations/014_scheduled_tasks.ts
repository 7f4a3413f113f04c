// Scheduled tasks (issue 17): a task names one API operation and a schedule; each due run is a row whose unique
// (task_id, due_at) makes it happen once however many processes claim tasks at the same tick.
import type { Knex } from 'knex';
import { dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'scheduled_tasks', ['scheduled_task', 'state', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.text('schedule').notNullable().comment('cron (5 or 6 fields), rate(N unit) or at(local date-time)');
    t.text('timezone').notNullable().defaultTo('UTC').comment('IANA zone the cron and at() times are read in');
    t.timestamp('start_at', { useTz: true });
    t.timestamp('end_at', { useTz: true });
    t.jsonb('target').notNullable().comment('{operation_id, params, body}, checked against the contract at create');
    t.text('overlap').notNullable().comment('skip | allow');
    t.text('catch_up').notNullable().comment('none | latest | all');
    t.integer('retries').notNullable();
    t.integer('retry_backoff_seconds').notNullable();
    t.integer('timeout_seconds').notNullable();
    t.text('state').notNullable().comment('enabled | paused');
    t.timestamp('next_run_at', { useTz: true }).comment('null: nothing is due (paused, ended, a one-time task done)');
    t.timestamp('last_run_at', { useTz: true }).comment('due time of the last run');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw('create index scheduled_tasks_due on scheduled_tasks (next_run_at) where next_run_at is not null');
  await knex.schema.createTable('scheduled_task_runs', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('task_id').notNullable().references('id').inTable('scheduled_tasks').onDelete('CASCADE');
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.integer('attempt').notNullable().defaultTo(1);
    t.text('status').notNullable().comment('running | retrying | succeeded | failed | skipped | timed_out');
    t.timestamp('started_at', { useTz: true });
    t.timestamp('ended_at', { useTz: true });
    t.timestamp('retry_at', { useTz: true }).comment('when a retrying run is attempted again');
    t.integer('response_status');
    t.jsonb('response_body');
    t.jsonb('problem');
    t.unique(['task_id', 'due_at'], { indexName: 'scheduled_task_runs_once' });
    t.index(['task_id', 'due_at']);
  });
  await knex.raw(`comment on table scheduled_task_runs is 'one row per due run of a scheduled task (exactly once)'`);
  await knex.raw(`create index scheduled_task_runs_retry on scheduled_task_runs (retry_at) where status = 'retrying'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('scheduled_task_runs');
  await dropChangeEvents(knex, 'scheduled_tasks');
  await knex.schema.dropTable('scheduled_tasks');
}
