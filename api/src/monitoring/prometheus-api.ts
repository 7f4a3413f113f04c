// The 'monitoring/prometheus' family (/api/monitoring/prometheus/api/v1/...): one manifest for the Prometheus HTTP
// API's query endpoints (the PromQL engine's, promql-api/) and remote-write (the time-series store's, tsdb/remote-write.ts).
import { defineOperations } from '../platform/manifest.js';
import { prometheusHandlers } from './promql-api/handlers.js';
import { remoteWriteHandlers } from './tsdb/remote-write.js';

export const prometheusOperations = defineOperations('monitoring/prometheus', {
  handlers: (deps) => ({
    ...remoteWriteHandlers(deps),
    ...prometheusHandlers(deps),
  }),
});
