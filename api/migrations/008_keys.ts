// Encryption keys (KMS semantics) and their aliases. A key's material is held per version in `versions`, each
// wrapped by the master key; due deletions and rotations are found by their partial indexes.
import type { Knex } from 'knex';
import { createResourceTable } from './lib/resource-table.js';
import { dropChangeEvents } from './lib/change-events.js';

export async function up(knex: Knex): Promise<void> {
  await createResourceTable(knex, 'keys', ['key', 'key_state', 'owner'], (t) => {
    t.text('description').notNullable().defaultTo('');
    t.text('key_spec').notNullable().comment('SYMMETRIC_DEFAULT, RSA_2048/3072/4096, ECC_NIST_P256 or HMAC_256');
    t.text('key_usage').notNullable().comment('ENCRYPT_DECRYPT, SIGN_VERIFY or GENERATE_VERIFY_MAC');
    t.text('key_state').notNullable().comment('enabled | disabled | pending_deletion');
    t.boolean('is_enabled').notNullable().defaultTo(true);
    t.boolean('enable_key_rotation').notNullable().defaultTo(false);
    t.integer('rotation_period_in_days').comment('null for keys that do not rotate (all but SYMMETRIC_DEFAULT)');
    t.timestamp('rotation_base', { useTz: true }).comment(
      'when the running rotation period began: rotation enabled, or the last automatic rotation',
    );
    t.timestamp('next_rotation_date', { useTz: true }).comment(
      'rotation_base + period while rotation is on; a sweep rotates enabled keys past it',
    );
    t.timestamp('last_rotation_date', { useTz: true });
    t.integer('deletion_window_in_days').notNullable().defaultTo(30);
    t.timestamp('deletion_date', { useTz: true }).comment(
      'pending_deletion keys are destroyed (the row deleted) at this time',
    );
    t.jsonb('versions')
      .notNullable()
      .comment(
        '[{version, created_at, origin, material}], oldest first; material is base64 of the version key material wrapped by the master key (AES-256-GCM, bound to key id and version)',
      );
    t.jsonb('metadata').notNullable().defaultTo('{}');
    t.text('region').notNullable();
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`create index keys_deletion_due on keys (deletion_date) where key_state = 'pending_deletion'`);
  await knex.raw(`create index keys_rotation_due on keys (next_rotation_date) where enable_key_rotation`);
  await createResourceTable(knex, 'key_aliases', ['key_alias', '', 'owner'], (t) => {
    t.text('target_key_id')
      .notNullable()
      .references('id')
      .inTable('keys')
      .onDelete('CASCADE')
      .comment('the key the alias names; a destroyed key takes its aliases with it');
    t.unique(['name', 'owner'], { indexName: 'key_aliases_name_owner' }); // name first: a duplicate's problem points at /name
    t.index(['owner', 'seq']);
    t.index(['seq']);
    t.index(['target_key_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropChangeEvents(knex, 'key_aliases');
  await knex.schema.dropTable('key_aliases');
  await dropChangeEvents(knex, 'keys');
  await knex.schema.dropTable('keys');
}
