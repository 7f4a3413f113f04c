// An instance's private IP is unique within its subnet; an instance outside any subnet has none. The unique index
// on (subnet_id, private_ip) held a row for every instance anyway, written on every insert and on every update
// that is not HOT (placement changes `status`, which another index covers). Partial, it holds only placed IPs.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table instances drop constraint instances_subnet_id_private_ip_unique');
  await knex.raw(
    'create unique index instances_subnet_ip on instances (subnet_id, private_ip) where subnet_id is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index instances_subnet_ip');
  await knex.raw(
    'alter table instances add constraint instances_subnet_id_private_ip_unique unique (subnet_id, private_ip)',
  );
}
