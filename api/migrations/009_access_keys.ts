// Access keys (AWS IAM access keys, for the S3 door's Signature V4): one row per key, its secret sealed by the
// master key. Written out rather than with createResourceTable: an access key has no name, and its owner is its
// user, whom it goes with (ON DELETE CASCADE, as tokens do) instead of blocking the user's deletion.
import type { Knex } from 'knex';
import { addChangeEvents, dropChangeEvents } from './lib/change-events.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('access_keys', (t) => {
    t.bigIncrements('seq', { primaryKey: false }).comment('monotonic order for keyset pagination, newest first');
    t.text('id').primary().comment('the access key id (AKAX and 16 of A-Z2-7): the resource id and the S3 credential');
    t.text('owner')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .comment('the user the key belongs to (user_id in the API); tenancy boundary; the key goes with its user');
    t.text('status').notNullable().defaultTo('Active').comment('Active | Inactive; the S3 door refuses Inactive keys');
    t.text('description').notNullable().defaultTo('');
    t.text('secret_wrapped')
      .notNullable()
      .comment(
        'the secret access key sealed by the master key (AES-256-GCM, bound to the key id): SigV4 verification needs the plaintext, so it is not a hash; never stored unsealed',
      );
    t.timestamp('last_used_at', { useTz: true }).comment('advisory: written at most once a minute per key and process');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('rev').notNullable().defaultTo(1).comment('bumped on every write; the ETag');
    t.index(['owner', 'seq']);
    t.index(['seq']);
  });
  await knex.raw(`comment on table access_keys is 'resource kind access_key'`);
  await addChangeEvents(knex, 'access_keys', ['access_key', 'status', 'owner']);
}

export async function down(knex: Knex): Promise<void> {
  await dropChangeEvents(knex, 'access_keys');
  await knex.schema.dropTable('access_keys');
}
