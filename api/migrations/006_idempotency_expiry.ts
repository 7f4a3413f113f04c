// Idempotency keys expire (ATONIX_IDEMPOTENCY_TTL_SECONDS): each stored key carries when it stops replaying, and
// workers delete keys past it. Null never expires: keys stored before this migration, and keys the stack engine
// resumes a run by, which must last as long as the run.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table idempotency_keys add column expires_at timestamptz');
  await knex.raw(
    'create index idempotency_keys_expires_at on idempotency_keys (expires_at) where expires_at is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index idempotency_keys_expires_at');
  await knex.raw('alter table idempotency_keys drop column expires_at');
}
