// The series only this process has seen: the API calls it answered (per operation and owner, with latency
// histograms), the requests it served for buckets, and its load balancers' figures (prom-client, on the thread
// running the data plane). Each process writes its own, labelled `instance`, as Prometheus scrapes each target: a
// sum over `instance` is the platform's total and `rate()` copes with the counters restarting with a process.
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Knex } from 'knex';
import type { Metrics } from '../../platform/process-metrics.js';
import { LATENCY_BUCKETS } from '../../platform/usage.js';
import { registry } from '../../generated/registry.js';
import type { Labels, Point } from '../types.js';
import { bucketsByName, ownersOf } from './reads.js';

export const INSTANCE = `${hostname()}:${process.pid}${threadId ? `:${threadId}` : ''}`;

type Add = (owner: string, p: Point) => void;

/** This process's points at `t`, by owner. */
export async function processPoints(db: Knex, metrics: Metrics, t: number): Promise<Map<string, Point[]>> {
  const byOwner = new Map<string, Point[]>();
  const add: Add = (owner, p) => {
    p.labels.instance = INSTANCE;
    const list = byOwner.get(owner);
    if (list) list.push(p);
    else byOwner.set(owner, [p]);
  };
  const usage = metrics.usage.snapshot();
  for (const o of usage.operations)
    add(o.owner, {
      name: 'atonix_api_requests_total',
      labels: { operation: o.operation, code: o.code },
      value: o.count,
      timestamp: t,
    });
  for (const l of usage.latency) {
    const labels = { operation: l.operation };
    const name = 'atonix_api_request_duration_seconds';
    histogram(add, l.owner, name, labels, LATENCY_BUCKETS, l.buckets, l.sum, t);
  }
  await bucketRequests(db, usage.buckets, add, t);
  await loadBalancerSeries(db, metrics, add, t);
  return byOwner;
}

function histogram(
  add: Add,
  owner: string,
  name: string,
  labels: Labels,
  bounds: number[],
  cumulative: number[],
  sum: number,
  t: number,
) {
  bounds.forEach((le, i) =>
    add(owner, { name: `${name}_bucket`, labels: { ...labels, le: String(le) }, value: cumulative[i], timestamp: t }),
  );
  const count = cumulative[bounds.length];
  add(owner, { name: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count, timestamp: t });
  add(owner, { name: `${name}_sum`, labels: { ...labels }, value: sum, timestamp: t });
  add(owner, { name: `${name}_count`, labels: { ...labels }, value: count, timestamp: t });
}

async function bucketRequests(
  db: Knex,
  buckets: ReturnType<Metrics['usage']['snapshot']>['buckets'],
  add: Add,
  t: number,
) {
  const ids = buckets.flatMap((b) => ('id' in b.bucket ? [b.bucket.id] : []));
  const names = buckets.flatMap((b) => ('name' in b.bucket ? [b.bucket.name] : []));
  const [owners, byName] = await Promise.all([ownersOf(db, registry.bucket.table, ids), bucketsByName(db, names)]);
  // REST and S3 requests for one bucket and method are one series.
  const totals = new Map<string, { id: string; owner: string; method: string; count: number }>();
  for (const b of buckets) {
    const found = 'id' in b.bucket ? { id: b.bucket.id, owner: owners.get(b.bucket.id) } : byName.get(b.bucket.name);
    if (!found?.owner) continue; // a bucket since deleted, or a name that never was one
    const key = `${found.id}\u0000${b.method}`;
    const s = totals.get(key);
    if (s) s.count += b.count;
    else totals.set(key, { id: found.id, owner: found.owner, method: b.method, count: b.count });
  }
  for (const s of totals.values())
    add(s.owner, {
      name: 'atonix_bucket_requests_total',
      labels: { resource_id: s.id, kind: 'bucket', method: s.method },
      value: s.count,
      timestamp: t,
    });
}

/** The load balancers' prom-client figures of this thread, relabelled as the resource series. */
async function loadBalancerSeries(db: Knex, metrics: Metrics, add: Add, t: number) {
  const all = await metrics.registry.getMetricsAsJSON();
  const lb = all.filter((m) => m.name.startsWith('atonix_lb_'));
  if (!lb.length) return;
  const values = lb.flatMap((m) => m.values.map((v) => ({ metric: m.name, ...v })));
  const lbIds = [...new Set(values.map((v) => String(v.labels.load_balancer ?? '')).filter(Boolean))];
  const tgIds = [...new Set(values.map((v) => String(v.labels.target_group ?? '')).filter(Boolean))];
  const [lbOwners, tgOwners] = await Promise.all([
    ownersOf(db, registry.load_balancer.table, lbIds),
    ownersOf(db, registry.lb_target_group.table, tgIds),
  ]);
  const errors = new Map<string, number>();
  for (const v of values) {
    const lbId = String(v.labels.load_balancer ?? '');
    const owner = lbOwners.get(lbId);
    if (!owner) continue;
    const name = (v as { metricName?: string }).metricName ?? v.metric;
    const { load_balancer: _lb, target_group, ...rest } = v.labels as Record<string, string | number>;
    const labels: Labels = Object.fromEntries(Object.entries(rest).map(([k, x]) => [k, String(x)]));
    if (v.metric === 'atonix_lb_healthy_hosts') {
      const tg = String(target_group ?? '');
      if (!tgOwners.get(tg)) continue;
      add(owner, {
        name,
        labels: { ...labels, resource_id: tg, kind: 'target_group', load_balancer: lbId },
        value: v.value,
        timestamp: t,
      });
      continue;
    }
    add(owner, { name, labels: { ...labels, resource_id: lbId, kind: 'load_balancer' }, value: v.value, timestamp: t });
    // Errors are the 5xx answers; a balancer that answered none has an errors series at 0, not none.
    if (v.metric === 'atonix_lb_requests_total')
      errors.set(lbId, (errors.get(lbId) ?? 0) + (labels.code === '5xx' ? v.value : 0));
  }
  for (const [lbId, n] of errors)
    add(lbOwners.get(lbId)!, {
      name: 'atonix_lb_errors_total',
      labels: { resource_id: lbId, kind: 'load_balancer' },
      value: n,
      timestamp: t,
    });
}
