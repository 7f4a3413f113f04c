// Dashboards (issue 19): panels of PromQL queries drawn by the console page, and the record of each user's
// Overview. A user's dashboards go with the user (a cascade): they are views of the user's own series, not
// resources anything else depends on, so they never block deleting the user.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('dashboards', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('name').notNullable();
    t.text('owner')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .comment('owning user; tenancy boundary (the dashboard goes with the user)');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.text('description').notNullable().defaultTo('');
    t.jsonb('panels').notNullable().comment('[{type, title, queries[{expr, legend}], unit, reduction, grid_pos}]');
    t.jsonb('time_range').notNullable().comment('{from, to}: relative (now-6h) or RFC 3339');
    t.text('refresh').notNullable().comment('off | 10s | 30s | 1m | 5m');
    t.jsonb('tags').notNullable().comment('array of strings');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`comment on table dashboards is 'resource kind dashboard'`);
  await addChangeEvents(knex, 'dashboards', ['dashboard', '', 'owner']);
  await knex.schema.createTable('default_dashboards', (t) => {
    t.text('owner')
      .primary()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .comment('the user given an Overview: one row each, so it is made once (a deleted one is not made again)');
    t.text('dashboard_id').notNullable().comment('the Overview made for the user (it may since have been deleted)');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`comment on table default_dashboards is 'users already given their Overview dashboard'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('default_dashboards');
  await dropChangeEvents(knex, 'dashboards');
  await knex.schema.dropTable('dashboards');
}
