// Placement against the region's finite capacity: one conditional UPDATE claims vCPUs, RAM and GPUs atomically.
import type { Knex } from 'knex';

export interface Need { vcpus: number; ram_mb: number; gpus: number }

/** Claims capacity, or returns why it cannot (the numbers a user needs to understand the refusal). */
export async function claimCapacity(trx: Knex.Transaction, region: string, need: Need): Promise<string | null> {
  const claimed = await trx('region_capacity').where({ region })
    .whereRaw('used_vcpus + ? <= total_vcpus and used_ram_mb + ? <= total_ram_mb and used_gpus + ? <= total_gpus', [need.vcpus, need.ram_mb, need.gpus])
    .update({
      used_vcpus: trx.raw('used_vcpus + ?', [need.vcpus]),
      used_ram_mb: trx.raw('used_ram_mb + ?', [need.ram_mb]),
      used_gpus: trx.raw('used_gpus + ?', [need.gpus]),
    });
  if (claimed) return null;
  const c = await trx('region_capacity').where({ region }).first();
  if (!c) return `InsufficientCapacity: region ${region} has no capacity configured`;
  return `InsufficientCapacity: needs ${need.vcpus} vCPU, ${need.ram_mb} MB RAM, ${need.gpus} GPU; region ${region} has ` +
    `${c.total_vcpus - c.used_vcpus} vCPU, ${c.total_ram_mb - c.used_ram_mb} MB RAM, ${c.total_gpus - c.used_gpus} GPU free`;
}

export async function releaseCapacity(trx: Knex.Transaction, region: string, need: Need): Promise<void> {
  await trx('region_capacity').where({ region }).update({
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
