// Load balancers (issue 16): the load balancer, its target groups and their registered targets, its listeners and
// their rules. Children go with their parent (ON DELETE CASCADE): deleting a load balancer deletes its listeners,
// rules, target groups and registrations in one statement; a VPC with load balancers is refused by the service.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents, type EventColumns } from './lib/change-events.js';
import { createResourceTable } from './lib/resource-table.js';

/** A resource table whose kind has no name (targets, listeners, rules): the common columns but `name`. */
async function namelessTable(
  knex: Knex,
  table: string,
  events: EventColumns,
  columns: (t: Knex.CreateTableBuilder) => void,
) {
  await knex.schema.createTable(table, (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    columns(t);
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`comment on table ${table} is 'resource kind ${events[0]}'`);
  await addChangeEvents(knex, table, events);
}

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'load_balancers', ['load_balancer', 'state', 'owner'], (t) => {
    t.text('type').notNullable().comment('application | network | classic');
    t.text('vpc_id')
      .notNullable()
      .references('id')
      .inTable('vpcs')
      .comment('deleting the VPC is refused while it has any');
    t.text('scheme').notNullable().comment('internal | internet-facing');
    t.jsonb('subnets').notNullable().defaultTo('[]').comment('subnet ids of its VPC, one per zone');
    t.jsonb('security_group_ids').notNullable().defaultTo('[]').comment('security group ids, format-checked');
    t.text('state').notNullable().comment('provisioning -> active | failed (a job)');
    t.text('status_reason');
    t.text('dns_name').notNullable().comment('the host its listeners bind (ATONIX_LB_BIND)');
    t.jsonb('endpoints').notNullable().defaultTo('{}').comment('{listener port: host:port}, kept by listener writes');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['vpc_id']);
  });
  await createResourceTable(knex, 'lb_target_groups', ['lb_target_group', '', 'owner'], (t) => {
    t.text('load_balancer_id').notNullable().references('id').inTable('load_balancers').onDelete('CASCADE');
    t.text('protocol').notNullable().comment('HTTP | TCP');
    t.integer('port').notNullable();
    t.text('target_type').notNullable().comment('ip | instance');
    t.text('load_balancing_algorithm').notNullable();
    t.text('health_check_protocol').notNullable();
    t.text('health_check_path').notNullable();
    t.integer('health_check_port').comment('null: the traffic port');
    t.integer('health_check_interval_seconds').notNullable();
    t.integer('health_check_timeout_seconds').notNullable();
    t.integer('healthy_threshold').notNullable();
    t.integer('unhealthy_threshold').notNullable();
    t.text('matcher').notNullable().comment('HTTP statuses that pass: 200, 200,302, 200-399');
    t.integer('deregistration_delay').notNullable().comment('seconds a deregistered target drains');
    t.boolean('stickiness_enabled').notNullable();
    t.integer('stickiness_duration_seconds').notNullable();
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['load_balancer_id']);
  });
  await namelessTable(knex, 'lb_targets', ['lb_target', 'health', 'owner'], (t) => {
    t.text('target_group_id').notNullable().references('id').inTable('lb_target_groups').onDelete('CASCADE');
    t.text('target_id').notNullable().comment('an instance id or an IPv4 address');
    t.integer('port').notNullable();
    t.text('health').notNullable().comment('initial | healthy | unhealthy | draining | unused, as the checks see it');
    t.text('health_reason');
    t.timestamp('deregistered_at', { useTz: true }).comment('set while draining; the row goes once the delay passed');
    t.index(['target_group_id']);
  });
  // One live registration per target and port; a draining one may be registered again meanwhile.
  await knex.raw(
    'create unique index lb_targets_live on lb_targets (target_group_id, target_id, port) where deregistered_at is null',
  );
  await namelessTable(knex, 'lb_listeners', ['lb_listener', '', 'owner'], (t) => {
    t.text('load_balancer_id').notNullable().references('id').inTable('load_balancers').onDelete('CASCADE');
    t.integer('port').notNullable().comment('the port as clients name it');
    t.text('protocol').notNullable().comment('HTTP | TCP');
    t.jsonb('default_action').notNullable();
    t.integer('host_port').notNullable().unique().comment('where it really listens, from ATONIX_LB_PORT_RANGE');
    t.text('endpoint').notNullable().comment('bind:host_port');
    t.unique(['load_balancer_id', 'port']);
  });
  await namelessTable(knex, 'lb_listener_rules', ['lb_listener_rule', '', 'owner'], (t) => {
    t.text('listener_id').notNullable().references('id').inTable('lb_listeners').onDelete('CASCADE');
    t.integer('priority').notNullable();
    t.jsonb('conditions').notNullable();
    t.jsonb('action').notNullable();
    t.unique(['listener_id', 'priority']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['lb_listener_rules', 'lb_listeners', 'lb_targets', 'lb_target_groups', 'load_balancers']) {
    await dropChangeEvents(knex, table);
    await knex.schema.dropTable(table);
  }
}
