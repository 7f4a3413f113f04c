// The region's finite block capacity per volume type: seeded from the configuration at every start, claimed by a
// volume's creation job (under a lock on the type's row) and by growing it, released when it goes; reported with
// compute's capacity (GET /api/compute/capacity).
import type { Knex } from 'knex';
import type { Config } from '../platform/config.js';
import { problems } from '../platform/problems.js';
import type { VolumeType } from './volume-limits.js';

type Db = Knex | Knex.Transaction;
const TYPES: VolumeType[] = ['ssd', 'hdd', 'nvme'];

/** Idempotent: the totals follow the configuration; what is in use stays. */
export async function seedVolumeCapacity(db: Knex, config: Config): Promise<void> {
  await db('volume_capacity')
    .insert(TYPES.map((type) => ({ region: config.region, type, total_gb: config.volumeCapacityGb[type] })))
    .onConflict(['region', 'type'])
    .merge(['total_gb']);
}

export const insufficient = (region: string, type: VolumeType, need: number, free: number) =>
  `InsufficientCapacity: needs ${need} GiB of ${type}; region ${region} has ${Math.max(0, free)} GiB of ${type} free`;

/** Claims `gb` of `type` under the row's lock; the reason it does not fit when it does not (nothing claimed). */
export async function claim(
  trx: Knex.Transaction,
  region: string,
  type: VolumeType,
  gb: number,
): Promise<string | null> {
  const row = await trx('volume_capacity').where({ region, type }).forUpdate().first();
  const free = row ? Number(row.total_gb) - Number(row.used_gb) : 0;
  if (gb > free) return insufficient(region, type, gb, free);
  if (gb > 0) await trx('volume_capacity').where({ region, type }).increment('used_gb', gb);
  return null;
}

/** The same claim for a request that changes a volume: a 409 when it does not fit, the volume left as it was. */
export async function claimOrRefuse(trx: Knex.Transaction, region: string, type: VolumeType, gb: number) {
  const reason = await claim(trx, region, type, gb);
  if (reason)
    throw problems.conflict(`${reason}; the volume is unchanged.`, [
      { pointer: '/size_gb', detail: reason, code: 'InsufficientCapacity' },
    ]);
}

export async function release(db: Db, region: string, type: VolumeType, gb: number): Promise<void> {
  await db('volume_capacity')
    .where({ region, type })
    .update({ used_gb: db.raw('greatest(used_gb - ?, 0)', [gb]) });
}

export async function volumeCapacityOf(db: Db, region: string) {
  const rows = await db('volume_capacity').where({ region });
  const of = (type: VolumeType) => {
    const r = rows.find((x: { type: string }) => x.type === type);
    return { total_gb: Number(r?.total_gb ?? 0), allocated_gb: Number(r?.used_gb ?? 0) };
  };
  return { ssd: of('ssd'), hdd: of('hdd'), nvme: of('nvme') };
}
