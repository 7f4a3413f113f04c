// Per-load-balancer figures on the platform's /metrics: requests by status class, latency, TCP connections and
// healthy hosts (the monitoring service will read them from here).
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '../../platform/process-metrics.js';

export interface LbMetrics {
  requests: Counter<'load_balancer' | 'listener' | 'code'>;
  latency: Histogram<'load_balancer'>;
  connections: Counter<'load_balancer' | 'listener'>;
  healthy: Gauge<'load_balancer' | 'target_group'>;
}

export function lbMetrics({ registry }: Metrics): LbMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'atonix_lb_requests_total',
      help: "HTTP requests a load balancer's listeners answered, by status class (2xx, 3xx, 4xx, 5xx)",
      labelNames: ['load_balancer', 'listener', 'code'],
      registers,
    }),
    latency: new Histogram({
      name: 'atonix_lb_request_duration_seconds',
      help: 'Time from a request reaching the load balancer to its response headers',
      labelNames: ['load_balancer'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    connections: new Counter({
      name: 'atonix_lb_tcp_connections_total',
      help: "TCP connections a load balancer's listeners spliced to a target",
      labelNames: ['load_balancer', 'listener'],
      registers,
    }),
    healthy: new Gauge({
      name: 'atonix_lb_healthy_hosts',
      help: 'Targets of a target group that pass their health checks',
      labelNames: ['load_balancer', 'target_group'],
      registers,
    }),
  };
}
