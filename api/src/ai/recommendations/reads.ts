// The data-access side of the recommenders: the owner's resources as their kinds' tables hold them (read only).
import type { Knex } from 'knex';
import { registry } from '../../generated/registry.js';

export interface FlavorRow {
  id: string;
  name: string;
  vcpus: number;
  ram_mb: number;
  gpu_count: number;
}

export const allFlavors = (db: Knex): Promise<FlavorRow[]> =>
  db(registry.flavor.table).select('id', 'name', 'vcpus', 'ram_mb', 'gpu_count').orderBy(['vcpus', 'ram_mb']);

export const instancesOf = (
  db: Knex,
  owner: string,
): Promise<{ id: string; name: string; status: string; flavor_id: string; updated_at: Date }[]> =>
  db(registry.instance.table).where({ owner }).select('id', 'name', 'status', 'flavor_id', 'updated_at');

export const unattachedVolumes = (
  db: Knex,
  owner: string,
): Promise<{ id: string; name: string; size_gb: number; type: string; created_at: Date }[]> =>
  db(registry.volume.table).where({ owner, status: 'available' }).select('id', 'name', 'size_gb', 'type', 'created_at');

export const bucketsOf = (
  db: Knex,
  owner: string,
): Promise<{ id: string; name: string; intelligent_tiering: boolean; created_at: Date; lifecycle: string | null }[]> =>
  db(`${registry.bucket.table} as b`)
    .leftJoin(`${registry.bucket_lifecycle_configuration.table} as l`, 'l.bucket_id', 'b.id')
    .where('b.owner', owner)
    .select('b.id', 'b.name', 'b.intelligent_tiering', 'b.created_at', 'l.id as lifecycle');

/** The owner's current objects per bucket and storage class (bytes and count). */
export const objectUsage = (
  db: Knex,
  bucketIds: string[],
): Promise<{ bucket_id: string; storage_class: string; bytes: string; objects: string }[]> =>
  bucketIds.length
    ? db('objects')
        .whereIn('bucket_id', bucketIds)
        .andWhere({ is_latest: true, delete_marker: false })
        .groupBy('bucket_id', 'storage_class')
        .select('bucket_id', 'storage_class', db.raw('sum(size) as bytes'), db.raw('count(*) as objects'))
    : Promise.resolve([]);

/** Each active load balancer's targets by health (none: no target at all). */
export const loadBalancerHealth = async (
  db: Knex,
  owner: string,
): Promise<{ id: string; name: string; health: Record<string, number> }[]> => {
  const lbs: { id: string; name: string }[] = await db(registry.load_balancer.table)
    .where({ owner, state: 'active' })
    .select('id', 'name');
  if (!lbs.length) return [];
  const rows: { lb: string; health: string; n: string }[] = await db(`${registry.lb_target.table} as t`)
    .join(`${registry.lb_target_group.table} as g`, 'g.id', 't.target_group_id')
    .whereIn(
      'g.load_balancer_id',
      lbs.map((l) => l.id),
    )
    .groupBy('g.load_balancer_id', 't.health')
    .select('g.load_balancer_id as lb', 't.health', db.raw('count(*) as n'));
  return lbs.map((l) => ({
    ...l,
    health: Object.fromEntries(rows.filter((r) => r.lb === l.id).map((r) => [r.health, Number(r.n)])),
  }));
};

export const accessKeysOf = (
  db: Knex,
  owner: string,
): Promise<{ id: string; status: string; last_used_at: Date | null; created_at: Date }[]> =>
  db(registry.access_key.table).where({ owner, status: 'Active' }).select('id', 'status', 'last_used_at', 'created_at');

/** Who has anything a recommender looks at (the daily refresh's owners). */
export const ownersWithResources = async (db: Knex): Promise<string[]> => {
  const tables = [registry.instance, registry.volume, registry.bucket, registry.load_balancer, registry.access_key];
  const rows: { owner: string }[] = await db
    .raw(tables.map((t) => `select owner from ${t.table}`).join(' union '))
    .then((r: { rows: { owner: string }[] }) => r.rows);
  return rows.map((r) => r.owner);
};
