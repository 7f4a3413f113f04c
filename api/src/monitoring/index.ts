// The monitoring service: metrics (a time-series store in PostgreSQL, custom points and Prometheus remote-write in,
// JSON series and a Prometheus-compatible query API out), logs, alerts with their notification channels and silences,
// and dashboards with their console page; and the platform's own series (collectors/).
import { defineService } from '../platform/manifest.js';
import { alertRuleKind, notificationChannelKind, silenceKind } from './alerts/index.js';
import { collectors } from './collectors/index.js';
import { dashboardKind } from './dashboards/index.js';
import { logOperations } from './logs/index.js';
import { metricOperations } from './metrics.js';
import { prometheusOperations } from './prometheus-api.js';

export const monitoring = defineService('monitoring', [
  metricOperations,
  prometheusOperations,
  collectors,
  alertRuleKind,
  notificationChannelKind,
  silenceKind,
  dashboardKind,
  logOperations,
]);
