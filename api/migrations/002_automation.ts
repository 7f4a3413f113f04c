// Automation: stacks (with their resources and events) and stored templates with numbered versions.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stacks', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('owner').notNullable().references('id').inTable('users');
    t.jsonb('template').notNullable().comment('the template as parsed (native or Terraform JSON)');
    t.text('template_body')
      .notNullable()
      .comment('the template text as sent (or the object serialised), so reads never drift');
    t.text('template_id');
    t.integer('template_version');
    t.jsonb('parameters').notNullable().defaultTo('{}');
    t.text('on_failure').notNullable().defaultTo('rollback');
    t.text('status').notNullable();
    t.text('status_reason');
    t.jsonb('outputs').notNullable().defaultTo('{}');
    t.text('operation').notNullable().comment('create | update | delete: what the current or last run does');
    t.integer('run').notNullable().defaultTo(1).comment("bumped per run; part of every step's idempotency key");
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.schema.createTable('stack_resources', (t) => {
    t.text('stack_id').notNullable().references('id').inTable('stacks').onDelete('CASCADE');
    t.text('logical_id').notNullable();
    t.text('type').notNullable().comment('the template type: Atonix::Compute::Instance or atonix_instance');
    t.text('kind').notNullable();
    t.text('physical_id');
    t.text('status').notNullable();
    t.text('reason');
    t.jsonb('properties').comment('the resolved properties last applied (the base of the next diff)');
    t.jsonb('attributes').comment('the resource as the API last returned it (for GetAtt and outputs)');
    t.jsonb('depends_on').notNullable().defaultTo('[]').comment('logical ids it depends on, for reverse-order deletes');
    t.jsonb('retired')
      .notNullable()
      .defaultTo('[]')
      .comment('ids replaced by this resource, deleted once the update is through');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['stack_id', 'logical_id']);
  });
  await knex.schema.createTable('stack_events', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('id').primary();
    t.text('stack_id').notNullable().references('id').inTable('stacks').onDelete('CASCADE');
    t.text('logical_id').notNullable();
    t.text('type');
    t.text('physical_id');
    t.text('status').notNullable();
    t.text('reason');
    t.timestamp('timestamp', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['stack_id', 'seq']);
  });
  await knex.schema.createTable('templates', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('description');
    t.text('owner').notNullable().references('id').inTable('users');
    t.integer('latest_version').notNullable().defaultTo(1);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.schema.createTable('template_versions', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('template_id').notNullable().references('id').inTable('templates').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.jsonb('template').notNullable();
    t.text('template_body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['template_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['template_versions', 'templates', 'stack_events', 'stack_resources', 'stacks'])
    await knex.schema.dropTableIfExists(t);
}
