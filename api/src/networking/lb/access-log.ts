// A load balancer's access log (when its access_logs_enabled is set): one line per HTTP request it answered (method,
// path, status, latency, the target that served it), written to the owner's logs through the platform's batching
// log writer, never on the request's own path (the proxy answers first; lines are stored together shortly after).
import type { Deps } from '../../platform/deps.js';
import { platformLog } from '../../monitoring/logs/writer.js';
import type { ServedLb } from './model.js';

export interface AccessEntry {
  listener_id: string;
  method: string;
  path: string;
  status: number;
  latency_ms: number;
  /** `address:port` of the target that answered; null when the load balancer answered itself */
  target: string | null;
  client: string;
}

export type AccessLog = (lb: ServedLb, entry: AccessEntry) => void;

export function accessLog(deps: Deps): AccessLog {
  const writer = platformLog(deps);
  return (lb, e) =>
    writer.write({
      owner: lb.row.owner,
      level: e.status >= 500 ? 'error' : e.status >= 400 ? 'warn' : 'info',
      source: 'access',
      resource_id: lb.id,
      kind: 'load_balancer',
      message: `${e.method} ${e.path} ${e.status} ${e.latency_ms}ms${e.target ? ` ${e.target}` : ''}`,
      fields: {
        http: { method: e.method, path: e.path, status: e.status },
        latency_ms: e.latency_ms,
        target: e.target,
        client: e.client,
        listener_id: e.listener_id,
      },
    });
}
