// The region's finite capacity: what placement claims (under a lock on the region's row), releases and reports.
import type { Knex } from 'knex';

export interface Need {
  vcpus: number;
  ram_mb: number;
  gpus: number;
}

/** Why an instance cannot be placed, with the numbers a user needs to understand the refusal. */
export function refusal(region: string, need: Need, free: Need): string {
  return (
    `InsufficientCapacity: needs ${need.vcpus} vCPU, ${need.ram_mb} MB RAM, ${need.gpus} GPU; region ${region} has ` +
    `${free.vcpus} vCPU, ${free.ram_mb} MB RAM, ${free.gpus} GPU free`
  );
}

/** Idempotent: the region's capacity follows the configuration at every start; what is in use stays. */
export async function seedCapacity(
  db: Knex,
  region: string,
  capacity: { vcpus: number; ram_mb: number; gpus: number },
) {
  await db('region_capacity')
    .insert({ region, total_vcpus: capacity.vcpus, total_ram_mb: capacity.ram_mb, total_gpus: capacity.gpus })
    .onConflict('region')
    .merge(['total_vcpus', 'total_ram_mb', 'total_gpus']);
}

export async function releaseCapacity(trx: Knex.Transaction, region: string, need: Need): Promise<void> {
  await trx('region_capacity')
    .where({ region })
    .update({
      used_vcpus: trx.raw('greatest(used_vcpus - ?, 0)', [need.vcpus]),
      used_ram_mb: trx.raw('greatest(used_ram_mb - ?, 0)', [need.ram_mb]),
      used_gpus: trx.raw('greatest(used_gpus - ?, 0)', [need.gpus]),
    });
}

export async function capacityOf(db: Knex, region: string) {
  const c = await db('region_capacity').where({ region }).first();
  return {
    region,
    total: { vcpus: c?.total_vcpus ?? 0, ram_mb: c?.total_ram_mb ?? 0, gpus: c?.total_gpus ?? 0 },
    allocated: { vcpus: c?.used_vcpus ?? 0, ram_mb: c?.used_ram_mb ?? 0, gpus: c?.used_gpus ?? 0 },
  };
}
