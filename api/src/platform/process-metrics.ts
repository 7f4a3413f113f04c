// Prometheus metrics of the platform itself: requests and latency by operation, jobs by state, commit group sizes.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { UsageMeter } from './usage.js';

export interface Metrics {
  registry: Registry;
  requests: Counter<'operation' | 'method' | 'status'>;
  latency: Histogram<'operation'>;
  jobs: Counter<'queue' | 'state'>;
  commitGroups: Histogram;
  /** the same calls per owner, for the monitoring service's series */
  usage: UsageMeter;
  /** more exposition text for /metrics, from another thread of this process (the worker thread's data plane) */
  extra?: () => Promise<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    usage: new UsageMeter(),
    requests: new Counter({
      name: 'atonix_http_requests_total',
      help: 'HTTP requests by operation and status',
      labelNames: ['operation', 'method', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'atonix_http_request_duration_seconds',
      help: 'HTTP request latency by operation',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'atonix_jobs_total',
      help: 'Background jobs by queue and final state',
      labelNames: ['queue', 'state'],
      registers: [registry],
    }),
    commitGroups: new Histogram({
      name: 'atonix_commit_group_size',
      help: 'Creates committed together in one transaction (group commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 250],
      registers: [registry],
    }),
  };
}
