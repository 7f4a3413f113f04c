// IAM: policies (managed ones seeded, owner null), groups, memberships, and the attachments of policies to users
// and groups. Every existing user gets OwnerFullAccess, which is what they could do before this migration.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';
import { resourceColumns } from './lib/resource-table.js';
import { createHash } from 'node:crypto';

/**
 * A managed policy's id follows from its name (as AWS's managed policy ARNs do), so every database agrees on it.
 * The security service seeds the managed policies at start and keeps them current; this migration writes only the
 * one existing users need, as it was when they got it.
 */
const managedId = (name: string) =>
  `pol-${[...createHash('sha256').update(`managed:${name}`).digest()]
    .slice(0, 16)
    .map((b) => 'abcdefghijklmnopqrstuvwxyz234567'[b & 31])
    .join('')}`;
const OWNER_FULL_ACCESS = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'OwnResources', Effect: 'Allow', Action: '*', Resource: 'atx:*:*:${atx:PrincipalId}:*' },
    { Sid: 'SharedCatalogue', Effect: 'Allow', Action: ['*:Get*', '*:List*'], Resource: 'atx:*:*::*' },
  ],
};

/** seq, id, created_at, updated_at, rev: the columns of a resource with no name and no owner. */
function linkColumns(t: Knex.CreateTableBuilder, knex: Knex) {
  t.bigIncrements('seq', { primaryKey: false });
  t.text('id').primary();
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.integer('rev').notNullable().defaultTo(1);
  t.index(['seq']);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('policies', (t) => {
    resourceColumns(t, knex, false);
    t.text('owner').references('id').inTable('users').comment('the admin who wrote it; null for managed policies');
    t.text('description').notNullable().defaultTo('');
    t.text('type').notNullable().comment('managed (seeded, read-only) | customer');
    t.jsonb('document').notNullable();
    t.unique(['name']);
    t.index(['seq']);
  });
  await addChangeEvents(knex, 'policies', ['policy', '', 'owner']);
  await knex.schema.createTable('groups', (t) => {
    resourceColumns(t, knex, false);
    t.text('description').notNullable().defaultTo('');
    t.unique(['name']);
    t.index(['seq']);
  });
  await addChangeEvents(knex, 'groups', ['group', '', '']);
  await knex.schema.createTable('group_memberships', (t) => {
    linkColumns(t, knex);
    t.text('group_id').notNullable().references('id').inTable('groups');
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.unique(['group_id', 'user_id']);
    t.index(['user_id']);
  });
  await addChangeEvents(knex, 'group_memberships', ['group_membership', '', '']);
  for (const [table, kind, col, target] of [
    ['user_policy_attachments', 'user_policy_attachment', 'user_id', 'users'],
    ['group_policy_attachments', 'group_policy_attachment', 'group_id', 'groups'],
  ] as const) {
    await knex.schema.createTable(table, (t) => {
      linkColumns(t, knex);
      // A user's deletion takes their attachments with it; a group must be emptied first (409), as AWS does.
      const ref = t.text(col).notNullable().references('id').inTable(target);
      if (target === 'users') ref.onDelete('CASCADE');
      t.text('policy_id').notNullable().references('id').inTable('policies');
      t.unique([col, 'policy_id']);
      t.index(['policy_id']);
    });
    await addChangeEvents(knex, table, [kind, '', '']);
  }
  const id = managedId('OwnerFullAccess');
  await knex('policies').insert({
    id,
    name: 'OwnerFullAccess',
    description: "Everything on one's own resources, and reading the shared catalogue (flavors, images, policies).",
    type: 'managed',
    document: JSON.stringify(OWNER_FULL_ACCESS),
  });
  // Admins are unrestricted and need no policy; everyone else keeps what they had.
  await knex.raw(
    `insert into user_policy_attachments (id, user_id, policy_id)
     select 'upa-' || substr(md5(random()::text || id), 1, 16), id, ? from users where not is_admin`,
    [id],
  );
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'group_policy_attachments',
    'user_policy_attachments',
    'group_memberships',
    'groups',
    'policies',
  ]) {
    await dropChangeEvents(knex, table);
    await knex.schema.dropTable(table);
  }
}
