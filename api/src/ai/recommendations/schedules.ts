// Schedules: per running instance, the hourly CPU means of the last 14 whole UTC days as daily profiles, clustered
// by k-means (k by the rule in kmeans.ts, seeded by the instance id). A cluster whose every hour is idle marks idle
// weekdays (a weekend); otherwise the main cluster's idle hours mark a night. Either becomes a stop/start pair of
// scheduled tasks. Idle: under 30 % of the busiest hour of any cluster centroid.
import { hash } from '../../monitoring/collectors/workload-model.js';
import type { Catalogue } from '../prices/catalogue.js';
import { savingsOf, HOURS_PER_MONTH } from '../prices/catalogue.js';
import { chooseK } from './kmeans.js';
import { DAY, HOUR, dailyProfiles, longestRun } from './profiles.js';
import { iso, round, type Proposal } from './proposal.js';
import type { FlavorRow } from './reads.js';
import { CPU, type SeriesReader } from './series.js';

export const PROFILE_DAYS = 14;
export const IDLE_SHARE = 0.3;
/** a busiest hour under this (percent) is an idle instance, rightsizing's or idleness's concern, not a schedule's */
const MIN_PEAK = 5;
const MIN_NIGHT_HOURS = 3;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Pattern {
  kind: 'weekend' | 'night';
  stop: string;
  start: string;
  idleHoursPerWeek: number;
  /** the days (of those profiled) that follow the pattern */
  agreeing: number;
  describe: string;
  window: Record<string, unknown>;
}

function findPattern(profiles: ReturnType<typeof dailyProfiles>, seed: number) {
  const clustering = chooseK(
    profiles.map((p) => p.hours),
    seed,
  );
  const peak = Math.max(...clustering.centroids.flat());
  if (!(peak >= MIN_PEAK)) return null;
  const idle = IDLE_SHARE * peak;
  const idleCluster = clustering.centroids.map((c) => c.every((h) => h < idle));
  const dayIdle = profiles.map((_, i) => idleCluster[clustering.assignment[i]!]!);
  const base = { clustering, peak, threshold: idle };
  // Weekdays all of whose profiled days fall in an idle cluster.
  const weekdayIdle = WEEKDAYS.map((_, w) => {
    const days = profiles.map((p, i) => ({ p, i })).filter(({ p }) => p.weekday === w);
    return days.length > 0 && days.every(({ i }) => dayIdle[i]);
  });
  const run = longestRun(weekdayIdle);
  if (run) {
    const [first, length] = run;
    const days = Array.from({ length }, (_, k) => (first + k) % 7);
    const agreeing = profiles.filter((p, i) => dayIdle[i] === days.includes(p.weekday)).length;
    const pattern: Pattern = {
      kind: 'weekend',
      stop: `0 0 * * ${first}`,
      start: `0 0 * * ${(first + length) % 7}`,
      idleHoursPerWeek: 24 * length,
      agreeing,
      describe: `idle all day from ${WEEKDAYS[first]} to ${WEEKDAYS[(first + length - 1) % 7]}`,
      window: { idle_weekdays: days.map((d) => WEEKDAYS[d]) },
    };
    return { ...base, pattern };
  }
  // The night: the idle hours of the largest cluster's centroid.
  const sizes = clustering.centroids.map((_, c) => clustering.assignment.filter((a) => a === c).length);
  const main = clustering.centroids[sizes.indexOf(Math.max(...sizes))]!;
  const night = longestRun(main.map((h) => h < idle));
  if (!night || night[1] < MIN_NIGHT_HOURS) return null;
  const [from, hours] = night;
  const to = (from + hours) % 24;
  const inNight = (h: number) => (h - from + 24) % 24 < hours;
  const agreeing = profiles.filter((p) => p.hours.every((v, h) => !inNight(h) || v < idle)).length;
  const pattern: Pattern = {
    kind: 'night',
    stop: `0 ${from} * * *`,
    start: `0 ${to} * * *`,
    idleHoursPerWeek: 7 * hours,
    agreeing,
    describe: `idle every night from ${from}:00 to ${to}:00 UTC`,
    window: { idle_hours_utc: { from: `${from}:00`, to: `${to}:00`, hours } },
  };
  return { ...base, pattern };
}

export async function schedules(
  reader: SeriesReader,
  now: number,
  instances: { id: string; name: string; status: string; flavor_id: string }[],
  flavors: FlavorRow[],
  prices: Catalogue,
): Promise<Proposal[]> {
  const running = instances.filter((i) => i.status === 'running');
  if (!running.length) return [];
  const firstDay = Math.floor(now / DAY) * DAY - PROFILE_DAYS * DAY;
  const expr = `avg_over_time(${CPU}[1h])`;
  const hourly = await reader.range(expr, firstDay + HOUR, firstDay + PROFILE_DAYS * DAY, HOUR);
  const out: Proposal[] = [];
  for (const i of running) {
    const profiles = dailyProfiles(hourly.get(i.id) ?? [], firstDay, PROFILE_DAYS);
    if (profiles.length < PROFILE_DAYS - 2) continue; // too little history to see a week
    const found = findPattern(profiles, hash(i.id));
    if (!found) continue;
    const { pattern: p, clustering } = found;
    const flavor = flavors.find((f) => f.id === i.flavor_id);
    const task = (what: 'stop' | 'start', schedule: string) => ({
      name: `${what} ${i.name} (recommended schedule)`,
      description: `${what === 'stop' ? 'Stops' : 'Starts'} ${i.id}: it is ${p.describe}.`,
      schedule,
      timezone: 'UTC',
      target: { operation_id: what === 'stop' ? 'stopInstance' : 'startInstance', params: { id: i.id } },
    });
    out.push({
      type: 'schedule',
      resource_kind: 'instance',
      resource_id: i.id,
      summary: `Instance ${i.name} is ${p.describe}: stop it then (${p.idleHoursPerWeek} hours a week).`,
      evidence: {
        metric: CPU,
        period: { from: iso(firstDay), to: iso(firstDay + PROFILE_DAYS * DAY) },
        days_profiled: profiles.length,
        clusters: clustering.k,
        cluster_sizes: clustering.centroids.map((_, c) => clustering.assignment.filter((a) => a === c).length),
        centroids_percent: clustering.centroids.map((c) => c.map((v) => round(v, 1))),
        peak_hour_percent: round(found.peak),
        idle_threshold_percent: round(found.threshold),
        ...p.window,
        idle_hours_per_week: p.idleHoursPerWeek,
        days_agreeing: p.agreeing,
      },
      method:
        `PromQL ${expr} every hour of the last ${PROFILE_DAYS} whole UTC days, as one 24-hour profile per day; ` +
        `k-means (k-means++ seeded by the instance id; k = 2 only when it cuts the within-cluster squared distance ` +
        `by 60 %) over the profiles. Idle is under ${IDLE_SHARE * 100} % of the busiest centroid hour: a cluster ` +
        "idle all day marks weekdays to stop; otherwise the largest cluster's idle hours mark a night.",
      action: {
        description: `Create two scheduled tasks: stop ${i.id} at "${p.stop}" and start it at "${p.start}" (UTC).`,
        steps: [
          { operation_id: 'createScheduledTask', body: task('stop', p.stop) },
          { operation_id: 'createScheduledTask', body: task('start', p.start) },
        ],
        precondition: null,
      },
      ...savingsOf(
        [{ what: `flavor ${flavor?.name ?? i.flavor_id}`, price: flavor && prices.find('flavor', flavor.name) }],
        `${p.idleHoursPerWeek} idle hours a week x ${HOURS_PER_MONTH}/168 weeks a month x the flavor's hourly price`,
        ([f]) => ((p.idleHoursPerWeek * HOURS_PER_MONTH) / 168) * f!.price,
      ),
      confidence: round(p.agreeing / profiles.length, 3),
      confidence_method: 'the share of the profiled days that follow the pattern (idle where it says idle)',
    });
  }
  return out;
}
