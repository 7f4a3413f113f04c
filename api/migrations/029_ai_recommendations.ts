// AI recommendations and the price catalogue (issue 21, item 3): the admin-managed prices recommendations are
// costed from (with a default catalogue for the seeded flavors, volume types and storage classes), the
// recommendations themselves, and the record of the daily refresh that one process at a time performs.
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

/**
 * The default catalogue, in USD: figures comparable to a public cloud's on-demand list prices for machines of the
 * same size (us-east-1, 2024: t3.small, t3.medium, m5.xlarge, m5.2xlarge, c5.4xlarge, g4dn.4xlarge, g4dn.12xlarge;
 * gp3, st1 and io2 volumes; S3 Standard, Standard-IA and Glacier Flexible Retrieval), as a starting point an admin
 * replaces with the installation's own. The README lists them.
 */
export const DEFAULT_PRICES: [resourceType: string, name: string, unit: string, price: number][] = [
  ['flavor', 't1.small', 'hour', 0.0208],
  ['flavor', 't1.medium', 'hour', 0.0416],
  ['flavor', 'm1.large', 'hour', 0.192],
  ['flavor', 'm1.xlarge', 'hour', 0.384],
  ['flavor', 'c1.4xlarge', 'hour', 0.68],
  ['flavor', 'g1.gpu1', 'hour', 1.204],
  ['flavor', 'g1.gpu4', 'hour', 3.912],
  ['volume_type', 'ssd', 'GB-month', 0.08],
  ['volume_type', 'hdd', 'GB-month', 0.045],
  ['volume_type', 'nvme', 'GB-month', 0.125],
  ['storage_class', 'STANDARD', 'GB-month', 0.023],
  ['storage_class', 'INFREQUENT', 'GB-month', 0.0125],
  ['storage_class', 'ARCHIVE', 'GB-month', 0.0036],
];

/** A fixed id per default entry, so every installation names its defaults alike. */
const defaultId = (type: string, name: string) =>
  `prc-${createHash('sha256').update(`${type}:${name}`).digest('hex').slice(0, 16)}`;

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'prices', ['price', '', ''], (t) => {
    t.text('resource_type').notNullable().comment('flavor | volume_type | storage_class');
    t.text('unit').notNullable().comment('hour (a flavor) | GB-month (a volume type, a storage class)');
    t.double('price').notNullable().comment('the price of one unit');
    t.text('currency').notNullable().defaultTo('USD').comment('ISO 4217');
    t.text('description').notNullable().defaultTo('');
    t.unique(['resource_type', 'name'], { indexName: 'prices_priced' }); // name: what the entry prices
    t.index(['seq']);
  });
  await knex('prices').insert(
    DEFAULT_PRICES.map(([resource_type, name, unit, price]) => ({
      id: defaultId(resource_type, name),
      resource_type,
      name,
      unit,
      price,
      currency: 'USD',
      description: 'default catalogue (migration 029): comparable public on-demand list price, 2024',
    })),
  );

  await knex.schema.createTable('recommendations', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('name').notNullable().comment('a short title: type and resource');
    t.text('owner')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .comment('owning user; tenancy boundary (recommendations go with the user)');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.text('identity').notNullable().unique().comment('sha256 of (owner, type, resource, action): one row per action');
    t.text('type')
      .notNullable()
      .comment('rightsizing | idle_resource | storage_lifecycle | schedule | predictive_scaling');
    t.text('resource_kind').notNullable();
    t.text('resource_id').notNullable();
    t.text('summary').notNullable();
    t.jsonb('evidence').notNullable().comment('the numbers and their period');
    t.text('method').notNullable().comment('how the evidence was computed');
    t.jsonb('action').notNullable().comment('{description, steps[{operation_id, params, body}], precondition}');
    t.double('monthly_savings').comment('per 730-hour month; null when a price is missing');
    t.text('currency');
    t.jsonb('savings').notNullable().comment('{formula, prices[], reason}');
    t.double('confidence').notNullable().comment('0..1');
    t.text('confidence_method').notNullable();
    t.text('state').notNullable().defaultTo('open').comment('open | applied | dismissed | superseded');
    t.text('state_reason');
    t.jsonb('result').comment('what apply made: {steps[{operation_id, status, id}]}');
    t.timestamp('last_seen_at', { useTz: true }).notNullable().comment('platform time of the last refresh finding it');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['owner', 'type', 'resource_id']);
  });
  await knex.raw(`comment on table recommendations is 'resource kind recommendation'`);
  await addChangeEvents(knex, 'recommendations', ['recommendation', 'state', 'owner']);

  await knex.schema.createTable('recommendation_runs', (t) => {
    t.text('name').primary().comment("the refresh ('daily'): one row, locked by the process that runs it");
    t.timestamp('refreshed_until', { useTz: true }).notNullable().comment('platform time of the last daily run');
  });
  await knex.raw(
    `comment on table recommendation_runs is 'the daily refresh of recommendations, claimed across processes'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('recommendation_runs');
  await dropChangeEvents(knex, 'recommendations');
  await knex.schema.dropTable('recommendations');
  await dropChangeEvents(knex, 'prices');
  await knex.schema.dropTable('prices');
}
