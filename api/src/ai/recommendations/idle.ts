// Idle resources: instances stopped for more than 7 days, unattached volumes, empty buckets, load balancers with no
// healthy target, access keys unused for 90 days. Each gets the change that ends it (a delete, or deactivating a key).
import type { Catalogue } from '../prices/catalogue.js';
import { savingsOf, unpriced } from '../prices/catalogue.js';
import { DAY, iso, round, type Proposal } from './proposal.js';
import type { accessKeysOf, bucketsOf, instancesOf, loadBalancerHealth, unattachedVolumes } from './reads.js';
import { CPU, type SeriesReader } from './series.js';

export const STOPPED_DAYS = 7;
export const QUIET_DAYS = 7;
export const KEY_UNUSED_DAYS = 90;

type Rows<F extends (...a: never[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>;

export interface IdleInputs {
  instances: Rows<typeof instancesOf>;
  volumes: Rows<typeof unattachedVolumes>;
  buckets: Rows<typeof bucketsOf>;
  objectCounts: Map<string, number>;
  loadBalancers: Rows<typeof loadBalancerHealth>;
  accessKeys: Rows<typeof accessKeysOf>;
}

const ago = (now: number, t: number) => round((now - t) / DAY, 1);

export async function idleResources(
  reader: SeriesReader,
  now: number,
  input: IdleInputs,
  prices: Catalogue,
): Promise<Proposal[]> {
  const out: Proposal[] = [];
  const base = { type: 'idle_resource' as const };

  for (const i of input.instances.filter((x) => x.status === 'stopped')) {
    const lastSample = await reader.lastSampleAt(CPU, i.id, now - 90 * DAY, now);
    const since = lastSample ?? new Date(i.updated_at).getTime();
    if (now - since < STOPPED_DAYS * DAY) continue;
    out.push({
      ...base,
      resource_kind: 'instance',
      resource_id: i.id,
      summary: `Instance ${i.name} has been stopped for ${ago(now, since)} days: delete it if it is no longer needed.`,
      evidence: {
        status: 'stopped',
        stopped_since: iso(since),
        stopped_days: ago(now, since),
        threshold_days: STOPPED_DAYS,
      },
      method:
        `stopped_since is the instance's last CPU sample (${CPU}; a stopped instance writes none), or its last update ` +
        `when it never wrote one; idle when stopped for more than ${STOPPED_DAYS} days.`,
      action: {
        description: `Delete instance ${i.id} (it still holds its flavor's share of the region's capacity).`,
        steps: [{ operation_id: 'deleteInstance', params: { id: i.id } }],
        precondition: null,
      },
      ...unpriced('none', 'the catalogue prices flavors per running hour; a stopped instance accrues none'),
      confidence: lastSample === null ? 0.5 : 1,
      confidence_method: '1 when the stop time comes from its series, 0.5 when only from its last update',
    });
  }

  const busyVolumes = await reader.instant(`count_over_time(atonix_volume_read_ops_total[${QUIET_DAYS}d])`, now);
  for (const v of input.volumes) {
    if (now - new Date(v.created_at).getTime() < QUIET_DAYS * DAY || busyVolumes.has(v.id)) continue;
    const price = prices.find('volume_type', v.type);
    out.push({
      ...base,
      resource_kind: 'volume',
      resource_id: v.id,
      summary: `Volume ${v.name} (${v.size_gb} GB ${v.type}) is attached to no instance and did no I/O in ${QUIET_DAYS} days: delete it (snapshot it first to keep its data).`,
      evidence: {
        status: 'available',
        size_gb: v.size_gb,
        type: v.type,
        io_samples_in_window: 0,
        window_days: QUIET_DAYS,
        period: { from: iso(now - QUIET_DAYS * DAY), to: iso(now) },
      },
      method: `status available (unattached) and no atonix_volume_read_ops_total sample in the last ${QUIET_DAYS} days (PromQL count_over_time).`,
      action: {
        description: `Delete volume ${v.id}.`,
        steps: [{ operation_id: 'deleteVolume', params: { id: v.id } }],
        precondition: null,
      },
      ...savingsOf(
        [{ what: `volume type ${v.type}`, price }],
        `${v.size_gb} GB x ${v.type} GB-month price`,
        ([p]) => v.size_gb * p!.price,
      ),
      confidence: 1,
      confidence_method: 'the status and the absence of I/O are facts, not estimates',
    });
  }

  const objectsSeen = await reader.instant(`max_over_time(atonix_bucket_objects[${QUIET_DAYS}d])`, now);
  for (const b of input.buckets) {
    if ((input.objectCounts.get(b.id) ?? 0) > 0 || (objectsSeen.get(b.id) ?? 0) > 0) continue;
    out.push({
      ...base,
      resource_kind: 'bucket',
      resource_id: b.id,
      summary: `Bucket ${b.name} holds no objects and held none in ${QUIET_DAYS} days: delete it if it is no longer needed.`,
      evidence: { objects: 0, max_objects_in_window: objectsSeen.get(b.id) ?? null, window_days: QUIET_DAYS },
      method: `no current object version now, and max_over_time(atonix_bucket_objects[${QUIET_DAYS}d]) is 0 (or the series is absent).`,
      action: {
        description: `Delete bucket ${b.id}.`,
        steps: [{ operation_id: 'deleteBucket', params: { id: b.id } }],
        precondition: null,
      },
      ...savingsOf(
        [{ what: 'storage class STANDARD', price: prices.find('storage_class', 'STANDARD') }],
        '0 GB stored x STANDARD GB-month price',
        () => 0,
      ),
      confidence: objectsSeen.has(b.id) ? 1 : 0.7,
      confidence_method: '1 when its object-count series confirms the window, 0.7 when only the current state is known',
    });
  }

  for (const lb of input.loadBalancers) {
    if ((lb.health.healthy ?? 0) > 0) continue;
    const total = Object.values(lb.health).reduce((a, b) => a + b, 0);
    out.push({
      ...base,
      resource_kind: 'load_balancer',
      resource_id: lb.id,
      summary: `Load balancer ${lb.name} has no healthy target (${total} registered): it serves nothing; delete it or fix its targets.`,
      evidence: { targets_by_health: lb.health, targets: total, healthy: 0 },
      method: "the health the load balancer's checks keep for each registered target (lb_targets), counted by state.",
      action: {
        description: `Delete load balancer ${lb.id}.`,
        steps: [{ operation_id: 'deleteLoadBalancer', params: { id: lb.id } }],
        precondition: null,
      },
      ...unpriced('none', 'the catalogue prices no load balancers'),
      confidence: total === 0 ? 1 : 0.8,
      confidence_method: '1 with no target at all; 0.8 when targets exist but none passes its check (they may recover)',
    });
  }

  for (const k of input.accessKeys) {
    const last = k.last_used_at ? new Date(k.last_used_at).getTime() : null;
    const since = last ?? new Date(k.created_at).getTime();
    if (now - since < KEY_UNUSED_DAYS * DAY) continue;
    out.push({
      ...base,
      resource_kind: 'access_key',
      resource_id: k.id,
      summary: `Access key ${k.id} has not been used for ${ago(now, since)} days: deactivate it.`,
      evidence: {
        last_used_at: last === null ? null : iso(last),
        created_at: iso(new Date(k.created_at).getTime()),
        unused_days: ago(now, since),
        threshold_days: KEY_UNUSED_DAYS,
      },
      method: `the key's last_used_at (recorded on use), or its creation when never used; idle after ${KEY_UNUSED_DAYS} days.`,
      action: {
        description: `Deactivate access key ${k.id}.`,
        steps: [{ operation_id: 'updateAccessKey', params: { id: k.id }, body: { status: 'Inactive' } }],
        precondition: null,
      },
      ...unpriced('none', 'keys are not priced: the reason is security, not cost'),
      confidence: 1,
      confidence_method: 'last use is recorded on every use (at most once a minute), so the figure is exact',
    });
  }
  return out;
}
