// The modelled workload of a resource whose guest does not exist (an instance's CPU, memory and network; a volume's
// disk operations): a deterministic function of the resource's id and time, shaped by the `atonix:workload` metadata
// key, so forecasts, anomaly detection and recommendations read honest, reproducible inputs. Nothing here is
// observed: the README says which series are modelled and how.

/** `steady`, `diurnal` (busy by day, quiet at night, UTC), `weekly` (diurnal on weekdays, quiet at weekends), `spiky`. */
export type Shape = 'steady' | 'diurnal' | 'weekly' | 'spiky';
export const SHAPES: readonly Shape[] = ['steady', 'diurnal', 'weekly', 'spiky'];

export interface Workload {
  shape: Shape;
  /** mean CPU utilisation, percent (the spikes of `spiky` reach 95 whatever the level) */
  level: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** the daily cycle peaks at 14:00 UTC and bottoms out at 02:00 */
const PEAK_HOUR = 14;
const DAILY_SWING = 0.7;
/** weekends run at this share of the weekday mean */
const WEEKEND = 0.25;

/** The workload that `metadata["atonix:workload"]` asks for (`diurnal`, `spiky:70`); a missing or unknown value is steady. */
export function workloadOf(id: string, metadata: Record<string, unknown> | null | undefined): Workload {
  const raw = typeof metadata?.['atonix:workload'] === 'string' ? (metadata['atonix:workload'] as string) : '';
  const [name, levelText] = raw.trim().toLowerCase().split(':');
  const shape = (SHAPES as readonly string[]).includes(name) ? (name as Shape) : 'steady';
  const given = Number(levelText);
  // Without a level, one from the id: 10-60 %, so a fleet of unlabelled instances is not one flat line.
  const level = levelText && Number.isFinite(given) ? clamp(given, 0, 100) : 10 + Math.floor(unit(hash(id), 1) * 51);
  return { shape, level };
}

/** 32-bit FNV-1a: the seed of everything a resource's model draws. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A uniform draw in [0, 1) fixed by (seed, n): the same minute of the same resource always draws the same. */
export function unit(seed: number, n: number): number {
  let x = (seed ^ Math.imul(n | 0, 0x9e3779b1) ^ Math.floor(n / 2 ** 32)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const isWeekend = (t: number) => [0, 6].includes(new Date(t).getUTCDay());

/** The smooth daily factor (mean 1 over a day). */
function daily(t: number): number {
  const hours = (t % DAY) / HOUR;
  return 1 + DAILY_SWING * Math.sin((2 * Math.PI * (hours - PEAK_HOUR + 6)) / 24);
}

/** The shape's smooth factor at `t` (mean about 1 on a busy day); spikes and noise come on top. */
export function factor(shape: Shape, t: number): number {
  if (shape === 'diurnal') return daily(t);
  if (shape === 'weekly') return isWeekend(t) ? WEEKEND : daily(t);
  return 1;
}

/** ∫ factor over [from, to] in milliseconds, in closed form (day by day for `weekly`), for the counters. */
export function factorIntegral(shape: Shape, from: number, to: number): number {
  if (to <= from) return 0;
  if (shape === 'steady' || shape === 'spiky') return to - from;
  const dailyIntegral = (a: number, b: number) => {
    // ∫ 1 + A sin(2π(h - P + 6)/24) dh with h in hours: the cosine's antiderivative, in milliseconds.
    const w = (2 * Math.PI) / DAY;
    const shift = ((PEAK_HOUR - 6) * HOUR * 2 * Math.PI) / DAY;
    return b - a - (DAILY_SWING / w) * (Math.cos(w * b - shift) - Math.cos(w * a - shift));
  };
  if (shape === 'diurnal') return dailyIntegral(from, to);
  let total = 0;
  for (let a = from; a < to;) {
    const b = Math.min(to, (Math.floor(a / DAY) + 1) * DAY);
    total += isWeekend(a) ? WEEKEND * (b - a) : dailyIntegral(a, b);
    a = b;
  }
  return total;
}

/** Whether minute `t` of a `spiky` resource is inside a spike: some hours (15 %) hold one burst of 5-20 minutes. */
function inSpike(seed: number, t: number): boolean {
  const hour = Math.floor(t / HOUR);
  if (unit(seed ^ 0x5bd1e995, hour) >= 0.15) return false;
  const start = Math.floor(unit(seed ^ 0x27d4eb2f, hour) * 40);
  const length = 5 + Math.floor(unit(seed ^ 0x165667b1, hour) * 16);
  const minute = Math.floor((t % HOUR) / MINUTE);
  return minute >= start && minute < start + length;
}

/** CPU utilisation, percent, in the minute holding `t`. */
export function cpuPercent(id: string, w: Workload, t: number): number {
  const seed = hash(id);
  const minute = Math.floor(t / MINUTE);
  const noise = (unit(seed, minute) - 0.5) * 2;
  if (w.shape === 'spiky')
    return inSpike(seed, t) ? clamp(95 + 2 * noise, 0, 100) : clamp(w.level * (1 + 0.1 * noise), 0, 100);
  return clamp(w.level * factor(w.shape, t) * (1 + 0.08 * noise), 0, 100);
}

/** Memory utilisation, percent: a base that grows with the CPU level, a slow six-hour wave and a little noise. */
export function memoryPercent(id: string, w: Workload, t: number): number {
  const seed = hash(id);
  const phase = unit(seed, 2) * 2 * Math.PI;
  const wave = 3 * Math.sin((2 * Math.PI * t) / (6 * HOUR) + phase);
  const noise = (unit(seed ^ 0x3c6ef372, Math.floor(t / MINUTE)) - 0.5) * 4;
  return clamp(20 + 0.4 * w.level + wave + noise, 0, 100);
}

/** Per-resource rates of the counters (bytes or operations per second at factor 1), drawn from the id. */
export function rates(id: string, w: Workload) {
  const seed = hash(id);
  const scale = Math.max(w.level, 1) / 50;
  return {
    receiveBytes: (1e5 + unit(seed, 3) * 9.9e6) * scale,
    transmitBytes: (5e4 + unit(seed, 4) * 5e6) * scale,
    readOps: (20 + unit(seed, 5) * 480) * scale,
    writeOps: (10 + unit(seed, 6) * 240) * scale,
  };
}

/** A counter that has run at `perSecond` (times the shape's factor) since `since`, read at `t`. */
export function counter(perSecond: number, shape: Shape, since: number, t: number): number {
  return Math.floor((perSecond * factorIntegral(shape, since, t)) / 1000);
}
