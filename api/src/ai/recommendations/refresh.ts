// One owner's refresh: every recommender over the owner's resources and series, then the reconciliation with what
// the owner already has (repo.ts). The daily worker runs it for every owner; `refresh` for the caller.
import type { Deps } from '../../platform/deps.js';
import { Catalogue } from '../prices/catalogue.js';
import { idleResources } from './idle.js';
import type { Proposal } from './proposal.js';
import {
  accessKeysOf,
  allFlavors,
  bucketsOf,
  instancesOf,
  loadBalancerHealth,
  objectUsage,
  unattachedVolumes,
} from './reads.js';
import { reconcile, type RefreshOutcome } from './repo.js';
import { predictiveScaling } from './predictive.js';
import { rightsizing } from './rightsizing.js';
import { schedules } from './schedules.js';
import { seriesReader } from './series.js';
import { storageLifecycle } from './storage.js';

export async function propose(deps: Deps, owner: string, now: number): Promise<Proposal[]> {
  const { db } = deps;
  const reader = seriesReader(deps, owner);
  const [prices, flavors, instances, volumes, buckets, loadBalancers, accessKeys] = await Promise.all([
    Catalogue.load(db),
    allFlavors(db),
    instancesOf(db, owner),
    unattachedVolumes(db, owner),
    bucketsOf(db, owner),
    loadBalancerHealth(db, owner),
    accessKeysOf(db, owner),
  ]);
  const usageRows = await objectUsage(
    db,
    buckets.map((b) => b.id),
  );
  const objectCounts = new Map<string, number>();
  const standard = new Map<string, { bytes: number; objects: number }>();
  for (const u of usageRows) {
    objectCounts.set(u.bucket_id, (objectCounts.get(u.bucket_id) ?? 0) + Number(u.objects));
    if (u.storage_class === 'STANDARD')
      standard.set(u.bucket_id, { bytes: Number(u.bytes), objects: Number(u.objects) });
  }
  const step = deps.config.collect.seconds || 60;
  const found = await Promise.all([
    rightsizing(reader, now, step, instances, flavors, prices),
    schedules(reader, now, instances, flavors, prices),
    idleResources(reader, now, { instances, volumes, buckets, objectCounts, loadBalancers, accessKeys }, prices),
    storageLifecycle(reader, now, buckets, standard, prices),
    predictiveScaling(reader, now, instances, flavors, prices),
  ]);
  return found.flat();
}

export async function refreshOwner(deps: Deps, owner: string): Promise<RefreshOutcome> {
  const now = deps.clock.now();
  return reconcile(deps.db, owner, await propose(deps, owner, now), now);
}
