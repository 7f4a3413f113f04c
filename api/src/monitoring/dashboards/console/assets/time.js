// Time on the page: the picker's ranges, a dashboard's `time_range` ends (now-6h or RFC 3339) and the query step.
export const RANGES = [
  { value: 'now-15m', label: 'Last 15 minutes' },
  { value: 'now-1h', label: 'Last hour' },
  { value: 'now-6h', label: 'Last 6 hours' },
  { value: 'now-24h', label: 'Last 24 hours' },
  { value: 'now-7d', label: 'Last 7 days' },
];

export const REFRESHES = [
  { value: 'off', label: 'Off', ms: 0 },
  { value: '10s', label: 'Every 10 s', ms: 10_000 },
  { value: '30s', label: 'Every 30 s', ms: 30_000 },
  { value: '1m', label: 'Every minute', ms: 60_000 },
  { value: '5m', label: 'Every 5 minutes', ms: 300_000 },
];

const UNIT_MS = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/** One end of a range in milliseconds (the server checked its form when the dashboard was saved). */
export function resolveTime(text, nowMs) {
  const rel = /^now(?:-(\d+)([smhdw]))?$/.exec(text);
  if (rel) return rel[1] ? nowMs - Number(rel[1]) * UNIT_MS[rel[2]] : nowMs;
  return Date.parse(text);
}

/** About 240 points across the range, never under 15 s, on whole seconds; start and end aligned to the step. */
export function queryWindow(range, nowMs) {
  const rawStart = resolveTime(range.from, nowMs);
  const rawEnd = resolveTime(range.to, nowMs);
  const stepS = Math.max(15, Math.ceil((rawEnd - rawStart) / 1000 / 240));
  const stepMs = stepS * 1000;
  const end = Math.floor(rawEnd / stepMs) * stepMs;
  const start = Math.max(Math.floor(rawStart / stepMs) * stepMs, end - stepMs * 11000);
  return { start, end, stepS };
}

export const clockTime = (ms) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
