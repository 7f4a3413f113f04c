// Block volumes (issue 18): volumes, their attachments to instances, their snapshots, and each region's finite
// capacity per volume type. An instance's deletion detaches its volumes (the seed's SET_NULL, done by the service,
// which also sets them `available`; the foreign key's SET NULL is the safety net) or deletes those marked
// delete_on_termination. Snapshots outlive their volume (as EBS's do), so they hold its id without a foreign key.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('volume_capacity', (t) => {
    t.comment('the finite block capacity of a region per volume type (ATONIX_CAPACITY_<TYPE>_GB), claimed by volumes');
    t.text('region').notNullable();
    t.text('type').notNullable().comment('ssd | hdd | nvme');
    t.bigInteger('total_gb').notNullable().comment('from the configuration at every start');
    t.bigInteger('used_gb').notNullable().defaultTo(0).comment('claimed by volumes that were placed');
    t.primary(['region', 'type']);
  });
  await createResourceTable(knex, 'volumes', ['volume', 'status', 'owner'], (t) => {
    t.integer('size_gb').notNullable().comment('GiB; grows, never shrinks');
    t.text('type').notNullable().comment('ssd | hdd | nvme');
    t.text('status').notNullable().comment('creating -> available <-> in-use; modifying; error');
    t.text('status_reason');
    t.integer('iops').comment('provisioned IOPS; null for hdd');
    t.integer('throughput').comment('MiB/s, ssd only');
    t.text('availability_zone').notNullable().comment("one of the region's zones; attachments stay inside it");
    t.boolean('encrypted').notNullable().defaultTo(false);
    t.text('kms_key_id').comment("the owner's KMS key id (an alias is resolved on create)");
    t.text('snapshot_id').comment('created from this snapshot (no foreign key: the snapshot may go later)');
    t.boolean('delete_on_termination').notNullable().defaultTo(false);
    t.text('attached_to')
      .references('id')
      .inTable('instances')
      .onDelete('SET NULL')
      .comment('the instance it is attached to (kept equal to its attachment row by the service)');
    t.text('device').comment('the device name of its attachment');
    t.text('region').notNullable();
    t.boolean('allocated').notNullable().defaultTo(false).comment('its size is claimed from volume_capacity');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['attached_to']);
    t.index(['snapshot_id']);
  });
  await knex.schema.createTable('volume_attachments', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.text('volume_id')
      .notNullable()
      .unique()
      .references('id')
      .inTable('volumes')
      .onDelete('CASCADE')
      .comment('one attachment per volume: one instance at a time');
    t.text('instance_id').notNullable().references('id').inTable('instances').onDelete('CASCADE');
    t.text('device').notNullable().comment('unique per instance');
    t.unique(['instance_id', 'device']);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`comment on table volume_attachments is 'resource kind volume_attachment'`);
  await addChangeEvents(knex, 'volume_attachments', ['volume_attachment', '', 'owner']);
  await createResourceTable(knex, 'snapshots', ['snapshot', 'status', 'owner'], (t) => {
    t.text('volume_id').notNullable().comment('the volume it was taken of (it may be deleted since)');
    t.text('description').notNullable().defaultTo('');
    t.text('status').notNullable().comment('pending -> completed (at completed_at, platform time)');
    t.integer('progress').notNullable().defaultTo(0).comment('stored at 100 once completed; computed while pending');
    t.integer('size_gb').notNullable().comment("the volume's size when taken");
    t.boolean('encrypted').notNullable();
    t.text('kms_key_id');
    t.timestamp('completed_at', { useTz: true }).comment('while pending: when it will complete');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['volume_id']);
    t.index(['status', 'completed_at']);
  });
  await knex.schema.alterTable('instances', (t) => {
    t.jsonb('volume_ids').notNullable().defaultTo('[]').comment('the volumes attached to it, in attachment order');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('instances', (t) => t.dropColumn('volume_ids'));
  for (const table of ['snapshots', 'volume_attachments', 'volumes']) {
    await dropChangeEvents(knex, table);
    await knex.schema.dropTable(table);
  }
  await knex.schema.dropTable('volume_capacity');
}
