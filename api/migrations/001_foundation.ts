// The foundation: identity, audit, idempotency, compute (flavors, images, instances, capacity) and networking (VPCs, subnets).
import type { Knex } from 'knex';
import { resourceColumns } from './lib/resource-table.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('id').primary();
    t.text('name').notNullable().unique();
    t.text('email');
    t.boolean('is_admin').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1);
  });
  await knex.schema.createTable('tokens', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique().comment('sha256 of the secret; the secret itself is never stored');
    t.text('prefix').notNullable().comment('first characters of the secret, shown in lists');
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'seq']);
  });
  await knex.schema.createTable('audit_logs', (t) => {
    t.bigIncrements('seq', { primaryKey: false });
    t.text('id').primary();
    t.text('user_id').comment(
      'acting user; kept as text so records outlive the user (seed: SET_NULL semantics by value)',
    );
    t.text('action').notNullable().comment('the x-permission of the operation, e.g. compute:CreateInstance');
    t.text('resource_type');
    t.text('resource_id');
    t.text('status').notNullable().comment('success | failure');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('timestamp', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('source_ip');
    t.text('request_id');
    t.index(['seq']);
    t.index(['user_id', 'seq']);
    t.index(['resource_id']);
  });
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.text('owner').notNullable().comment('user that sent the key; keys are per user');
    t.text('key').notNullable();
    t.text('request_hash')
      .notNullable()
      .comment('sha256 of method, path and body; a different request with the same key is refused');
    t.integer('response_status').notNullable();
    t.jsonb('response_body');
    t.jsonb('response_headers').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['owner', 'key']);
  });

  await knex.schema.createTable('flavors', (t) => {
    resourceColumns(t, knex, false);
    t.integer('vcpus').notNullable();
    t.integer('ram_mb').notNullable();
    t.integer('disk_gb').notNullable();
    t.integer('gpu_count').notNullable().defaultTo(0);
    t.unique(['name']);
  });
  await knex.schema.createTable('images', (t) => {
    resourceColumns(t, knex, false);
    t.text('os').notNullable();
    t.text('version').notNullable().comment("the image's own version string (row revisions live in rev)");
    t.text('status').notNullable().defaultTo('active');
    t.unique(['name']);
  });
  await knex.schema.createTable('region_capacity', (t) => {
    t.text('region').primary();
    t.integer('total_vcpus').notNullable();
    t.bigInteger('total_ram_mb').notNullable();
    t.integer('total_gpus').notNullable();
    t.integer('used_vcpus').notNullable().defaultTo(0);
    t.bigInteger('used_ram_mb').notNullable().defaultTo(0);
    t.integer('used_gpus').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('vpcs', (t) => {
    resourceColumns(t, knex);
    t.text('cidr_block').notNullable();
    t.text('region').notNullable();
    t.text('state').notNullable().defaultTo('pending');
    t.index(['owner', 'seq']);
  });
  await knex.schema.createTable('subnets', (t) => {
    resourceColumns(t, knex);
    t.text('vpc_id').notNullable().references('id').inTable('vpcs');
    t.specificType('cidr_block', 'cidr').notNullable();
    t.text('availability_zone').notNullable();
    t.integer('available_ip_count').notNullable().comment('kept true as instances take and release addresses');
    t.index(['owner', 'seq']);
    t.index(['vpc_id']);
  });
  await knex.schema.createTable('instances', (t) => {
    resourceColumns(t, knex);
    t.text('status').notNullable().defaultTo('building');
    t.text('status_reason');
    t.text('power_state').notNullable().defaultTo('running').comment('desired power state');
    t.text('flavor_id')
      .notNullable()
      .references('id')
      .inTable('flavors')
      .comment('PROTECT: a used flavor cannot be deleted');
    t.text('image_id').notNullable().references('id').inTable('images').comment('PROTECT');
    t.text('subnet_id').references('id').inTable('subnets');
    t.specificType('private_ip', 'inet');
    t.text('region').notNullable();
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.boolean('allocated')
      .notNullable()
      .defaultTo(false)
      .comment('holds region capacity (set at placement, released at delete)');
    t.index(['owner', 'status'], 'instances_owner_status');
    t.index(['owner', 'seq']);
    t.unique(['subnet_id', 'private_ip']);
  });
  // Keyset pagination for admins (all owners) walks seq alone.
  for (const table of ['users', 'flavors', 'images', 'vpcs', 'subnets', 'instances', 'tokens']) {
    await knex.schema.alterTable(table, (t) => t.index(['seq']));
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const t of [
    'instances',
    'subnets',
    'vpcs',
    'region_capacity',
    'images',
    'flavors',
    'idempotency_keys',
    'audit_logs',
    'tokens',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(t);
  }
}
