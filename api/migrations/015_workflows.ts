// Workflows (issue 17): definitions with numbered versions, executions, and the two tables that make an execution
// durable: its steps (each state visit and each task attempt, memoised so a resumed execution replays what it had
// done instead of doing it again) and its event history.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'workflows', ['workflow', '', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.jsonb('definition').notNullable().comment('the latest version, as an object');
    t.integer('latest_version').notNullable().defaultTo(1);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.schema.createTable('workflow_versions', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('workflow_id').notNullable().references('id').inTable('workflows').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.jsonb('definition').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['workflow_id', 'version']);
  });
  await knex.raw(`comment on table workflow_versions is 'immutable numbered versions of a workflow definition'`);
  await knex.schema.createTable('workflow_executions', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('keyset order');
    t.text('id').primary();
    t.text('workflow_id').notNullable().references('id').inTable('workflows').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('owner').notNullable().references('id').inTable('users');
    t.text('status').notNullable().comment('running | succeeded | failed | timed_out | aborted');
    t.jsonb('input');
    t.jsonb('output');
    t.text('error');
    t.text('cause');
    t.integer('redrive_count').notNullable().defaultTo(0);
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('redriven_at', { useTz: true }).comment('the last redrive: TimeoutSeconds counts from here');
    t.timestamp('ended_at', { useTz: true });
    t.timestamp('wake_at', { useTz: true }).comment('platform time the runner next advances it; null when ended');
    t.index(['workflow_id', 'seq']);
  });
  await addChangeEvents(knex, 'workflow_executions', ['workflow_execution', 'status', 'owner']);
  await knex.raw(`create index workflow_executions_due on workflow_executions (wake_at) where status = 'running'`);
  await knex.schema.createTable('workflow_steps', (t) => {
    t.text('execution_id').notNullable().references('id').inTable('workflow_executions').onDelete('CASCADE');
    t.text('key').notNullable().comment('where in the machine: Map.1/3/StopOne.1, Stop.1/r0/attempt.2');
    t.text('status').notNullable().comment('entered | waiting | done | failed');
    t.jsonb('output').comment('a done step: its output; a done state: {next, output}');
    t.text('error');
    t.text('cause');
    t.timestamp('wake_at', { useTz: true }).comment('a wait: when it ends (fixed at its first visit)');
    t.primary(['execution_id', 'key']);
  });
  await knex.raw(`comment on table workflow_steps is 'memoised steps of an execution, replayed when it resumes'`);
  await knex.schema.createTable('workflow_events', (t) => {
    t.bigIncrements('seq').comment('history order');
    t.text('execution_id').notNullable().references('id').inTable('workflow_executions').onDelete('CASCADE');
    t.text('type').notNullable();
    t.text('state');
    t.text('path');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('at', { useTz: true }).notNullable().comment('platform time');
    t.index(['execution_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('workflow_events');
  await knex.schema.dropTable('workflow_steps');
  await dropChangeEvents(knex, 'workflow_executions');
  await knex.schema.dropTable('workflow_executions');
  await knex.schema.dropTable('workflow_versions');
  await dropChangeEvents(knex, 'workflows');
  await knex.schema.dropTable('workflows');
}
