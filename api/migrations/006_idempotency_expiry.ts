// Idempotency keys expire (ATONIX_IDEMPOTENCY_TTL_SECONDS): workers delete the old ones by age.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index idempotency_keys_created_at on idempotency_keys (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index idempotency_keys_created_at');
}
