// Where each of the platform's cluster-wide collections (the modelled workloads, the gauges read from the database)
// has got to: one process at a time holds a collection's row while it writes the points since `collected_until`, so
// each point is written once however many processes run, and a process that dies mid-way leaves the row to the next.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('metric_collections', (t) => {
    t.text('name').primary().comment('the collection: modelled, resources');
    t.timestamp('collected_until', { useTz: true }).notNullable().comment('points up to here are written');
  });
  await knex.raw(`comment on table metric_collections is 'progress of the cluster-wide metric collections'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('metric_collections');
}
