// Predictive scaling: a running instance whose hourly CPU forecast (the forecasting library, model auto) reaches
// 90 % within 7 days while its p95 so far stays at or under 90 % (over it, rightsizing already says so) gets the next
// bigger flavor before it needs it.
import { forecastOffLoop, InsufficientHistory, type ForecastResult } from '../forecast/index.js';
import type { Catalogue } from '../prices/catalogue.js';
import { HOURS_PER_MONTH, savingsOf } from '../prices/catalogue.js';
import { DAY, iso, round, type Proposal } from './proposal.js';
import type { FlavorRow } from './reads.js';
import { neighbour, HIGH } from './rightsizing.js';
import { CPU, type SeriesReader } from './series.js';

export const HISTORY_DAYS = 14;
export const HORIZON_HOURS = 7 * 24;
export const CAPACITY = HIGH;
const HOUR = 3_600_000;
/** CPU time for one instance's model selection (the LSTM candidate trains within it) */
const BUDGET_MS = 250;

export interface Crossing {
  /** steps ahead (1 = the next hour) of the first forecast mean at or over the capacity */
  step: number;
  point: ForecastResult['points'][number];
  result: ForecastResult;
}

/**
 * The first step whose forecast mean reaches `capacity`, or null (also when the history is too short). Computed on
 * the forecasting thread: a refresh asked over HTTP must not hold the event loop for its fits.
 */
export async function firstCrossing(
  values: number[],
  stepSeconds: number,
  horizon: number,
  capacity: number,
): Promise<Crossing | null> {
  let result: ForecastResult;
  try {
    result = await forecastOffLoop({ values, stepSeconds, horizon, model: 'auto', budgetMs: BUDGET_MS });
  } catch (e) {
    if (e instanceof InsufficientHistory) return null;
    throw e;
  }
  const i = result.points.findIndex((p) => p.mean >= capacity);
  return i < 0 ? null : { step: i + 1, point: result.points[i]!, result };
}

export async function predictiveScaling(
  reader: SeriesReader,
  now: number,
  instances: { id: string; name: string; status: string; flavor_id: string }[],
  flavors: FlavorRow[],
  prices: Catalogue,
): Promise<Proposal[]> {
  const running = instances.filter((i) => i.status === 'running');
  if (!running.length) return [];
  const end = Math.floor(now / HOUR) * HOUR;
  const start = end - HISTORY_DAYS * DAY + HOUR;
  const expr = `avg_over_time(${CPU}[1h])`;
  const [hourly, p95s] = await Promise.all([
    reader.range(expr, start, end, HOUR),
    reader.instant(`quantile_over_time(0.95, ${CPU}[${HISTORY_DAYS}d])`, now),
  ]);
  const out: Proposal[] = [];
  for (const i of running) {
    const p95 = p95s.get(i.id);
    if (p95 === undefined || p95 > CAPACITY) continue;
    const byTime = new Map((hourly.get(i.id) ?? []).map((s) => [s.t, s.v]));
    const values = Array.from({ length: HISTORY_DAYS * 24 }, (_, k) => byTime.get(start + k * HOUR) ?? NaN);
    const crossing = await firstCrossing(values, 3600, HORIZON_HOURS, CAPACITY);
    const current = flavors.find((f) => f.id === i.flavor_id);
    const target = current && neighbour(flavors, current, 1);
    if (!crossing || !current || !target) continue;
    const at = end + crossing.step * HOUR;
    const { point, result } = crossing;
    out.push({
      type: 'predictive_scaling',
      resource_kind: 'instance',
      resource_id: i.id,
      summary:
        `Instance ${i.name}'s CPU is forecast to reach ${CAPACITY} % at ${iso(at)} (in ${crossing.step} hours; ` +
        `model ${result.model}): resize it from ${current.name} to ${target.name} before then.`,
      evidence: {
        metric: CPU,
        history: {
          from: iso(start - HOUR),
          to: iso(end),
          step_seconds: 3600,
          values: values.filter(Number.isFinite).length,
        },
        p95_percent: round(p95),
        capacity_percent: CAPACITY,
        horizon_hours: HORIZON_HOURS,
        crossing_at: iso(at),
        crossing_step: crossing.step,
        forecast_at_crossing: Object.fromEntries(Object.entries(point).map(([k, v]) => [k, round(v)])),
        model: result.model,
        selection: result.selection,
        to_flavor: { id: target.id, name: target.name },
      },
      method:
        `PromQL ${expr} every hour of the last ${HISTORY_DAYS} days, forecast ${HORIZON_HOURS} hours ahead by the ` +
        `forecasting library (model auto: ${result.method}); the first hour whose mean reaches ${CAPACITY} %, for ` +
        `instances whose 14-day p95 is still at or under ${CAPACITY} %.`,
      action: {
        description: `Resize ${i.id} to ${target.name} (${target.id}).`,
        steps: [{ operation_id: 'resizeInstance', params: { id: i.id }, body: { flavor_id: target.id } }],
        precondition: `the instance must be stopped first (POST /api/compute/instances/${i.id}/stop); apply on a running instance answers 409`,
      },
      ...savingsOf(
        [
          { what: `flavor ${current.name}`, price: prices.find('flavor', current.name) },
          { what: `flavor ${target.name}`, price: prices.find('flavor', target.name) },
        ],
        `(${current.name} hourly price - ${target.name} hourly price) x ${HOURS_PER_MONTH} hours`,
        ([a, b]) => (a!.price - b!.price) * HOURS_PER_MONTH,
      ),
      confidence: round(
        point.lower95 >= CAPACITY
          ? 0.95
          : point.lower80 >= CAPACITY
            ? 0.9
            : 0.5 + 0.4 * (1 - crossing.step / HORIZON_HOURS),
        3,
      ),
      confidence_method:
        'from the forecast interval at the crossing: 0.95 when even its lower 95 % bound reaches capacity, 0.9 its ' +
        'lower 80 % bound, otherwise 0.5 to 0.9 by how soon the mean crosses (sooner is surer)',
    });
  }
  return out;
}
