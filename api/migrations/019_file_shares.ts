// File shares (issue 18): NFS/SMB shares in a VPC and their mount targets, each holding a private IP of a subnet.
// Nothing cascades: a share with mount targets, a subnet with a mount target and a VPC with a share are refused by
// the services (409 naming the blockers), and the foreign keys back those refusals up.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'file_shares', ['file_share', 'status', 'owner'], (t) => {
    t.text('protocol').notNullable().comment('NFS (v4.1) | SMB (3.0); immutable');
    t.text('protocol_version').notNullable().comment('4.1 | 3.0, from the protocol');
    t.integer('size_gb').notNullable().comment('1-65536; grows, never shrinks');
    t.text('vpc_id')
      .notNullable()
      .references('id')
      .inTable('vpcs')
      .comment('deleting the VPC is refused while it has any');
    t.jsonb('export_rules')
      .notNullable()
      .defaultTo('[]')
      .comment('[{priority, client_cidr, access, root_squash}] by priority');
    t.text('status').notNullable().comment('creating -> available | error (a job)');
    t.text('status_reason');
    t.text('dns_name')
      .notNullable()
      .comment('<id>.fs.<region>.atonix.internal; published nowhere (emulated data path)');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['vpc_id']);
  });
  await knex.schema.createTable('file_share_mount_targets', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.text('file_share_id')
      .notNullable()
      .references('id')
      .inTable('file_shares')
      .comment('the share; it cannot go first');
    t.text('subnet_id').notNullable().references('id').inTable('subnets').comment('the subnet it takes its IP from');
    t.text('vpc_id').notNullable().comment("the share's VPC, which is the subnet's");
    t.text('availability_zone').notNullable().comment("the subnet's zone: one mount target per zone per share");
    t.specificType('ip_address', 'inet').notNullable().comment('a private IP of the subnet, free across instances too');
    t.jsonb('security_group_ids').notNullable().defaultTo('[]').comment('groups of the VPC');
    t.text('status').notNullable().comment('creating -> available | error (a job)');
    t.text('status_reason');
    t.text('mount_command')
      .notNullable()
      .comment('what a client runs; names the share by its id, so it never goes stale');
    t.unique(['file_share_id', 'availability_zone']);
    t.unique(['subnet_id', 'ip_address']);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`comment on table file_share_mount_targets is 'resource kind file_share_mount_target'`);
  await addChangeEvents(knex, 'file_share_mount_targets', ['file_share_mount_target', 'status', 'owner']);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['file_share_mount_targets', 'file_shares']) {
    await dropChangeEvents(knex, table);
    await knex.schema.dropTable(table);
  }
}
