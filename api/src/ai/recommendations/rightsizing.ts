// Rightsizing: a running instance whose 95th-percentile CPU over 14 days stayed under 20 % gets the next smaller
// flavor; over 90 %, the next bigger one. Savings are the flavors' hourly prices times 730 hours.
import type { Catalogue } from '../prices/catalogue.js';
import { HOURS_PER_MONTH, savingsOf } from '../prices/catalogue.js';
import { DAY, iso, round, type Proposal } from './proposal.js';
import type { FlavorRow } from './reads.js';
import { CPU, type SeriesReader } from './series.js';

export const WINDOW_DAYS = 14;
export const LOW = 20;
export const HIGH = 90;
/** the share of the window's minutes that must hold a sample before a verdict is given */
const MIN_COVERAGE = 0.9;

/** Flavors of the same GPU count, in (vcpus, ram) order: the neighbour below or above `current`. */
export function neighbour(flavors: FlavorRow[], current: FlavorRow, direction: -1 | 1): FlavorRow | undefined {
  const ladder = flavors
    .filter((f) => f.gpu_count === current.gpu_count)
    .sort((a, b) => a.vcpus - b.vcpus || a.ram_mb - b.ram_mb);
  const size = (f: FlavorRow) => [f.vcpus, f.ram_mb];
  const [v, r] = size(current);
  return direction < 0
    ? ladder.filter((f) => f.vcpus < v! || (f.vcpus === v && f.ram_mb < r!)).pop()
    : ladder.find((f) => f.vcpus > v! || (f.vcpus === v && f.ram_mb > r!));
}

export async function rightsizing(
  reader: SeriesReader,
  now: number,
  stepSeconds: number,
  instances: { id: string; name: string; status: string; flavor_id: string }[],
  flavors: FlavorRow[],
  prices: Catalogue,
): Promise<Proposal[]> {
  const running = instances.filter((i) => i.status === 'running');
  if (!running.length) return [];
  const range = `${CPU}[${WINDOW_DAYS}d]`;
  const p95Expr = `quantile_over_time(0.95, ${range})`;
  const [p95s, counts, daily] = await Promise.all([
    reader.instant(p95Expr, now),
    reader.instant(`count_over_time(${range})`, now),
    reader.range(`quantile_over_time(0.95, ${CPU}[1d])`, now - (WINDOW_DAYS - 1) * DAY, now, DAY),
  ]);
  const expected = (WINDOW_DAYS * DAY) / (Math.max(stepSeconds, 1) * 1000);
  const out: Proposal[] = [];
  for (const i of running) {
    const p95 = p95s.get(i.id);
    const coverage = Math.min(1, (counts.get(i.id) ?? 0) / expected);
    if (p95 === undefined || coverage < MIN_COVERAGE) continue;
    const direction = p95 < LOW ? -1 : p95 > HIGH ? 1 : 0;
    if (!direction) continue;
    const current = flavors.find((f) => f.id === i.flavor_id);
    const target = current && neighbour(flavors, current, direction);
    if (!current || !target) continue;
    const days = (daily.get(i.id) ?? []).map((s) => round(s.v));
    const agreeing = days.filter((d) => (direction < 0 ? d < LOW : d > HIGH)).length;
    const consistency = days.length ? agreeing / days.length : 0;
    const was = prices.find('flavor', current.name);
    const will = prices.find('flavor', target.name);
    const savings = savingsOf(
      [
        { what: `flavor ${current.name}`, price: was },
        { what: `flavor ${target.name}`, price: will },
      ],
      `(${current.name} hourly price - ${target.name} hourly price) x ${HOURS_PER_MONTH} hours`,
      ([a, b]) => (a!.price - b!.price) * HOURS_PER_MONTH,
    );
    const verb = direction < 0 ? 'under' : 'over';
    out.push({
      type: 'rightsizing',
      resource_kind: 'instance',
      resource_id: i.id,
      summary:
        `Instance ${i.name} ran at a 95th-percentile CPU of ${round(p95)} % over ${WINDOW_DAYS} days (${verb} ` +
        `${direction < 0 ? LOW : HIGH} %): resize it from ${current.name} to ${target.name}.`,
      evidence: {
        metric: CPU,
        p95_percent: round(p95),
        threshold_percent: direction < 0 ? LOW : HIGH,
        window_days: WINDOW_DAYS,
        period: { from: iso(now - WINDOW_DAYS * DAY), to: iso(now) },
        samples: counts.get(i.id),
        coverage: round(coverage, 3),
        daily_p95_percent: days,
        days_agreeing: agreeing,
        from_flavor: { id: current.id, name: current.name, vcpus: current.vcpus, ram_mb: current.ram_mb },
        to_flavor: { id: target.id, name: target.name, vcpus: target.vcpus, ram_mb: target.ram_mb },
      },
      method:
        `PromQL ${p95Expr} at the refresh time; under ${LOW} % the next smaller flavor with the same GPU count ` +
        `(ordered by vCPUs then RAM), over ${HIGH} % the next bigger; only with samples for at least ` +
        `${MIN_COVERAGE * 100} % of the window's minutes.`,
      action: {
        description: `Resize ${i.id} to ${target.name} (${target.id}).`,
        steps: [{ operation_id: 'resizeInstance', params: { id: i.id }, body: { flavor_id: target.id } }],
        precondition: `the instance must be stopped first (POST /api/compute/instances/${i.id}/stop); apply on a running instance answers 409`,
      },
      ...savings,
      confidence: round(coverage * consistency, 3),
      confidence_method:
        'coverage (samples / expected minutes in the window) x the share of the 14 daily p95 values on the same side of the threshold',
    });
  }
  return out;
}
