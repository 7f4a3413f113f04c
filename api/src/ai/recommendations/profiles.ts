// Usage profiles from hourly CPU means: one 24-hour vector per UTC day, and the runs of idle hours or idle
// weekdays found in them (both circular: 23:00 to 05:00 is one night, Saturday to Sunday one weekend).

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The days of [firstDay, firstDay + days) as 24 hourly means each (a day missing any hour is left out). */
export function dailyProfiles(
  samples: { t: number; v: number }[],
  firstDay: number,
  days: number,
): { day: number; weekday: number; hours: number[] }[] {
  const byTime = new Map(samples.map((s) => [s.t, s.v]));
  const out: { day: number; weekday: number; hours: number[] }[] = [];
  for (let d = 0; d < days; d++) {
    const start = firstDay + d * DAY;
    // avg_over_time(x[1h]) at t is the mean of the hour that ends at t.
    const hours = Array.from({ length: 24 }, (_, h) => byTime.get(start + (h + 1) * HOUR));
    if (hours.every((v) => v !== undefined && Number.isFinite(v)))
      out.push({ day: start, weekday: new Date(start).getUTCDay(), hours: hours as number[] });
  }
  return out;
}

/** The longest circular run of true values in `flags` as [start, length], or null when none (or all) are true. */
export function longestRun(flags: boolean[]): [number, number] | null {
  const n = flags.length;
  if (!flags.some(Boolean) || flags.every(Boolean)) return null;
  let best: [number, number] | null = null;
  // Start only where a run begins (the previous flag, circularly, is false).
  for (let i = 0; i < n; i++) {
    if (!flags[i] || flags[(i - 1 + n) % n]) continue;
    let len = 0;
    while (len < n && flags[(i + len) % n]) len++;
    if (!best || len > best[1]) best = [i, len];
  }
  return best;
}
