// Routing: internet gateways, route tables (a main one per VPC) with their routes, subnet associations, and whether
// a subnet is public. A table's `routes` column is its routes as the API shows them (the local one first),
// rewritten in the same transaction as every route change. VPCs made before this get their main table here.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createResourceTable } from './lib/resource-table.js';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';

const id = (prefix: string) =>
  `${prefix}-${[...randomBytes(16)].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b & 31]).join('')}`;

/** The columns of a resource without a name (a route, an association). */
function namelessColumns(t: Knex.CreateTableBuilder, knex: Knex) {
  t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
  t.text('id').primary().comment('public id with a kind prefix');
  t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
  t.index(['owner', 'seq']);
  t.index(['seq']);
}

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'internet_gateways', ['internet_gateway', '', 'owner'], (t) => {
    t.text('vpc_id').references('id').inTable('vpcs').comment('the VPC it is attached to; null when detached');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(
    'create unique index internet_gateways_one_per_vpc on internet_gateways (vpc_id) where vpc_id is not null',
  );
  await createResourceTable(knex, 'route_tables', ['route_table', '', 'owner'], (t) => {
    t.text('vpc_id').notNullable().references('id').inTable('vpcs').comment('PROTECT: deleted before its VPC');
    t.boolean('is_main').notNullable().defaultTo(false).comment("the VPC's main table, deleted with it only");
    t.jsonb('routes').notNullable().defaultTo('[]').comment('the routes as the API shows them, local first');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['vpc_id']);
  });
  await knex.raw('create unique index route_tables_one_main on route_tables (vpc_id) where is_main');
  await knex.schema.createTable('routes', (t) => {
    namelessColumns(t, knex);
    t.text('route_table_id').notNullable().references('id').inTable('route_tables').onDelete('CASCADE');
    t.text('destination_cidr_block').notNullable().comment('canonical network address, outside the VPC CIDR');
    t.text('gateway_id').references('id').inTable('internet_gateways').comment('PROTECT: exactly one target is set');
    t.text('instance_id').references('id').inTable('instances').comment('PROTECT: exactly one target is set');
    t.unique(['route_table_id', 'destination_cidr_block'], { indexName: 'routes_one_per_destination' });
    t.index(['gateway_id']);
    t.index(['instance_id']);
  });
  await knex.raw(`comment on table routes is 'resource kind route'`);
  await addChangeEvents(knex, 'routes', ['route', '', 'owner']);
  await knex.schema.createTable('route_table_associations', (t) => {
    namelessColumns(t, knex);
    t.text('subnet_id')
      .notNullable()
      .unique({ indexName: 'route_table_associations_one_per_subnet' })
      .references('id')
      .inTable('subnets')
      .onDelete('CASCADE')
      .comment('one association per subnet; it goes with its subnet');
    t.text('route_table_id').notNullable().references('id').inTable('route_tables').comment('PROTECT');
    t.index(['route_table_id']);
  });
  await knex.raw(`comment on table route_table_associations is 'resource kind route_table_association'`);
  await addChangeEvents(knex, 'route_table_associations', ['route_table_association', '', 'owner']);
  await knex.schema.alterTable('subnets', (t) => {
    t.boolean('is_public').notNullable().defaultTo(false).comment('its table routes 0.0.0.0/0 to an internet gateway');
  });

  for (const vpc of await knex('vpcs').select('id', 'owner', 'cidr_block')) {
    const routes = [
      { destination_cidr_block: vpc.cidr_block, target: 'local', gateway_id: null, instance_id: null, route_id: null },
    ];
    await knex('route_tables').insert({
      id: id('rtb'),
      name: 'main',
      owner: vpc.owner,
      vpc_id: vpc.id,
      is_main: true,
      routes: JSON.stringify(routes),
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subnets', (t) => t.dropColumn('is_public'));
  for (const table of ['route_table_associations', 'routes', 'route_tables', 'internet_gateways']) {
    await dropChangeEvents(knex, table);
    await knex.schema.dropTable(table);
  }
}
