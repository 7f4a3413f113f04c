// Schedule expressions of scheduled tasks: cron (5 or 6 fields) in an IANA zone, rate(N unit) and at(local time),
// parsed once, and the instants they fall due. Cron and DST are croner's: a local time a DST change skips runs once at
// the next valid time, a local time it repeats runs once.
import { Cron } from 'croner';
import type { FieldError } from '../platform/problems.js';

export type Schedule = { kind: 'cron'; cron: Cron } | { kind: 'rate'; ms: number } | { kind: 'at'; at: number | null };

/** A schedule's bounds: rates count from `anchor`; nothing is due before `startAt` or after `endAt` (ms). */
export interface Window {
  anchor: number;
  startAt?: number | null;
  endAt?: number | null;
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const RATE = /^rate\(\s*(\d{1,6})\s+(minute|minutes|hour|hours|day|days)\s*\)$/;
const AT = /^at\(\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\s*\)$/;

/** At most this many missed runs are made up (`catch_up: all`). */
export const MAX_CATCH_UP = 100;

export class ScheduleError extends Error {
  constructor(readonly error: FieldError) {
    super(`${error.pointer}: ${error.detail}`);
  }
}

const bad = (field: string, detail: string, code = 'InvalidSchedule') =>
  new ScheduleError({ pointer: `/${field}`, detail, code });

/** Zones found valid: a formatter per check cost more than the rest of a sweep's claim of a task. */
const knownZones = new Set<string>();

/** The zone if IANA knows it; a ScheduleError naming `timezone` otherwise. */
export function checkTimezone(tz: string): string {
  if (knownZones.has(tz)) return tz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    if (knownZones.size < 1000) knownZones.add(tz);
    return tz;
  } catch {
    throw bad('timezone', `${tz} is not an IANA time zone (such as Europe/Berlin or UTC)`, 'InvalidTimezone');
  }
}

/** Parses `expr` read in `tz`; a ScheduleError naming `schedule` (or `timezone`) when either is not valid. */
export function parseSchedule(expr: string, tz: string): Schedule {
  checkTimezone(tz);
  const text = expr.trim();
  const rate = RATE.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (n < 1) throw bad('schedule', 'a rate must be at least 1');
    if (n !== 1 && !rate[2]!.endsWith('s')) throw bad('schedule', `must be rate(${n} ${unit}s)`);
    if (n === 1 && rate[2]!.endsWith('s')) throw bad('schedule', `must be rate(1 ${unit})`);
    return { kind: 'rate', ms: n * UNITS[unit]! };
  }
  if (text.startsWith('rate(')) throw bad('schedule', 'must be rate(N minutes|hours|days), such as rate(5 minutes)');
  const at = AT.exec(text);
  if (at) {
    let cron: Cron;
    try {
      cron = new Cron(at[1]!, { timezone: tz, paused: true });
    } catch (e) {
      throw bad('schedule', `${at[1]} is not a date and time: ${(e as Error).message}`);
    }
    return { kind: 'at', at: cron.nextRun(new Date(0))?.getTime() ?? null };
  }
  if (text.startsWith('at(')) throw bad('schedule', 'must be at(YYYY-MM-DDTHH:MM:SS), a local time in timezone');
  const fields = text.split(/\s+/);
  if (!text.startsWith('@') && fields.length !== 5 && fields.length !== 6)
    throw bad(
      'schedule',
      `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); this has ${fields.length}`,
    );
  try {
    const cron = new Cron(text, { timezone: tz, paused: true });
    cron.nextRun(); // a zone croner cannot convert to fails here
    return { kind: 'cron', cron };
  } catch (e) {
    throw bad('schedule', `is not a valid cron expression: ${(e as Error).message}`);
  }
}

/** The first instant (ms) strictly after `after` that the schedule is due in its window; null when none is. */
export function nextAfter(s: Schedule, w: Window, after: number): number | null {
  const from = w.startAt != null ? Math.max(after, w.startAt - 1) : after;
  let next: number | null;
  if (s.kind === 'at') next = s.at !== null && s.at > from ? s.at : null;
  else if (s.kind === 'rate') {
    next = from < w.anchor ? w.anchor : w.anchor + (Math.floor((from - w.anchor) / s.ms) + 1) * s.ms;
  } else next = s.cron.nextRun(new Date(from))?.getTime() ?? null;
  return next !== null && w.endAt != null && next > w.endAt ? null : next;
}

/**
 * The due instants in [first, now], oldest first: at most `MAX_CATCH_UP` (the newest of them) and `first` when it is
 * due (the caller's stored next run).
 */
export function dueBetween(s: Schedule, w: Window, first: number, now: number): number[] {
  if (first > now) return [];
  const limit = w.endAt != null ? Math.min(now, w.endAt) : now;
  let due: number[];
  if (s.kind === 'cron')
    due = s.cron
      .previousRuns(MAX_CATCH_UP, new Date(limit + 1000))
      .map((d) => d.getTime())
      .filter((t) => t <= limit && t > first)
      .reverse();
  else if (s.kind === 'rate') {
    due = [];
    const last = w.anchor + Math.floor((limit - w.anchor) / s.ms) * s.ms;
    for (let t = last; t > first && due.length < MAX_CATCH_UP; t -= s.ms) due.unshift(t);
  } else due = [];
  if (w.startAt != null) due = due.filter((t) => t >= w.startAt!);
  return [first, ...due].slice(-MAX_CATCH_UP);
}
