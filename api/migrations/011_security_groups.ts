// Security groups (per VPC, a default one each) and their rules, and the groups an instance is in. A group's
// `ingress`/`egress` columns are its rules as the API shows them, rewritten in the same transaction as every rule
// change (the rules table is the truth; the columns keep reads one row). VPCs made before this get their default
// group here, and their instances join it.
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { createResourceTable } from './lib/resource-table.js';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';

/** An id as the platform makes them (a prefix and 16 base-32 characters); written here so no migration imports api/src. */
const id = (prefix: string) =>
  `${prefix}-${[...randomBytes(16)].map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b & 31]).join('')}`;

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'security_groups', ['security_group', '', 'owner'], (t) => {
    t.text('vpc_id').notNullable().references('id').inTable('vpcs').comment('PROTECT: deleted before its VPC');
    t.text('description').notNullable().defaultTo('');
    t.boolean('is_default').notNullable().defaultTo(false).comment("the VPC's default group, deleted with it only");
    t.jsonb('ingress').notNullable().defaultTo('[]').comment('the inbound rules as the API shows them');
    t.jsonb('egress').notNullable().defaultTo('[]').comment('the outbound rules as the API shows them');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['vpc_id']);
  });
  await knex.raw('create unique index security_groups_one_default on security_groups (vpc_id) where is_default');
  // Written out rather than with createResourceTable: a rule has no name.
  await knex.schema.createTable('security_group_rules', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('public id with a kind prefix');
    t.text('owner').notNullable().references('id').inTable('users').comment('owning user; tenancy boundary');
    t.text('security_group_id')
      .notNullable()
      .references('id')
      .inTable('security_groups')
      .onDelete('CASCADE')
      .comment('the group the rule belongs to; rules go with their group');
    t.text('direction').notNullable().comment('ingress | egress');
    t.text('protocol').notNullable().comment('tcp | udp | icmp | all');
    t.integer('from_port').comment('first port, or the ICMP type; null for all (and any ICMP type)');
    t.integer('to_port').comment('last port, or the ICMP code; null for all (and any ICMP code)');
    t.text('cidr_block').comment('the peer range (canonical network address); null when the peer is a group');
    t.text('source_security_group_id')
      .references('id')
      .inTable('security_groups')
      .comment('the peer group (for egress, the destination); a group referenced by another is not deleted');
    t.text('description');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['security_group_id', 'direction']);
    t.index(['source_security_group_id']);
  });
  await knex.raw(`comment on table security_group_rules is 'resource kind security_group_rule'`);
  await addChangeEvents(knex, 'security_group_rules', ['security_group_rule', '', 'owner']);
  await knex.schema.alterTable('instances', (t) => {
    t.jsonb('security_group_ids').notNullable().defaultTo('[]').comment("the instance's groups, of its subnet's VPC");
  });
  await knex.raw('create index instances_security_groups on instances using gin (security_group_ids jsonb_path_ops)');

  for (const vpc of await knex('vpcs').select('id', 'owner')) {
    const sg = id('sg');
    const ingress = [
      {
        protocol: 'all',
        from_port: null,
        to_port: null,
        cidr_block: null,
        source_security_group_id: sg,
        description: null,
      },
    ];
    const egress = [
      {
        protocol: 'all',
        from_port: null,
        to_port: null,
        cidr_block: '0.0.0.0/0',
        source_security_group_id: null,
        description: null,
      },
    ];
    await knex('security_groups').insert({
      id: sg,
      name: 'default',
      owner: vpc.owner,
      vpc_id: vpc.id,
      description: 'default VPC security group',
      is_default: true,
      ingress: JSON.stringify(ingress),
      egress: JSON.stringify(egress),
    });
    await knex('security_group_rules').insert([
      { id: id('sgr'), owner: vpc.owner, security_group_id: sg, direction: 'ingress', ...ingress[0] },
      { id: id('sgr'), owner: vpc.owner, security_group_id: sg, direction: 'egress', ...egress[0] },
    ]);
    await knex.raw(
      `update instances set security_group_ids = jsonb_build_array(?::text) where subnet_id in (select id from subnets where vpc_id = ?)`,
      [sg, vpc.id],
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('instances', (t) => t.dropColumn('security_group_ids'));
  await dropChangeEvents(knex, 'security_group_rules');
  await knex.schema.dropTable('security_group_rules');
  await dropChangeEvents(knex, 'security_groups');
  await knex.schema.dropTable('security_groups');
}
