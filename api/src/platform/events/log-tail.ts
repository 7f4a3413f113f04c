// Log lines on the event stream (migration 023 NOTIFYs new lines on a channel of their own): a stream hears them
// only when it asks (`?logs=1`, or any `log_*` filter), filtered by resource, least level and a case-insensitive
// substring of the message, then by owner like every other event.
import type { ChangeEvent } from './bus.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
/** The action a tail needs: GET /api/monitoring/logs's x-permission. */
export const LOG_READ = 'monitoring:GetLogEvents';

/** A `log` event: the line (a long message or large fields cut, with `truncated`), `resource_kind` its kind. */
export interface LogEvent extends ChangeEvent {
  type: 'log';
  time: string;
  level: string;
  source: string;
  resource_id: string | null;
  resource_kind: string | null;
  message: string;
  fields: Record<string, unknown>;
  truncated: boolean;
}

/** The stream's filter of log lines, or undefined when it did not ask for them. */
export function logTail(params: URLSearchParams): ((ev: LogEvent) => boolean) | undefined {
  const resource = params.get('log_resource_id');
  const level = params.get('log_level');
  const q = params.get('log_q')?.toLowerCase();
  const asked = ['1', 'true'].includes(params.get('logs') ?? '') || resource !== null || level !== null || !!q;
  if (!asked) return undefined;
  const least = level === null ? 0 : Math.max(0, LEVELS.indexOf(level));
  return (ev) =>
    (resource === null || ev.resource_id === resource) &&
    LEVELS.indexOf(ev.level) >= least &&
    (!q || ev.message.toLowerCase().includes(q));
}
