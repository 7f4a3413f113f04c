// Prometheus duration strings (`1h30m`, `90s`, `500ms`): units largest first, each at most once, as Prometheus's own
// parser (model.ParseDuration) accepts them, so a rule's `for`, `interval` and `window` mean what they mean there.
const UNITS: [string, number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or null when `text` is not a Prometheus duration (empty, units out of order or repeated). */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  const m = DURATION.exec(text);
  if (!m || text === '') return null;
  let ms = 0;
  UNITS.forEach(([, unit], i) => (ms += Number(m[i + 1] ?? 0) * unit));
  return Number.isSafeInteger(ms) ? ms : null;
}
