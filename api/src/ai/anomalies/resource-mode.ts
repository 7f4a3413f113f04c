// Resource mode: each resource the selector's series name (their resource_id) is scored as a whole by an isolation
// forest over its joint features (instance CPU and memory, network receive/transmit rates, the read/write rates of
// its volumes, joined on resource_id; counters as per-second rates), fitted from the resource's history and refitted daily. The series that drove
// an anomalous row are its features furthest from their own median (robust z-scores).
import type { Knex } from 'knex';
import type { SampleSource, Scope, SeriesData } from '../../monitoring/types.js';
import {
  IsolationForest,
  jointFeatures,
  minimumBaselinePoints,
  type FeatureScaling,
  type TimedValue,
} from './detectors.js';
import type { EpisodeTracker, Scored } from './episodes.js';
import { SERIES, type Driver, type EpisodeRow, type SeriesState, type SubscriptionRow } from './repos.js';
import { selectorMatchers, timings } from './rules.js';
import { LATENESS_MS, REFIT_MS, historyWindowMs, type Progress } from './series-mode.js';

/** The instance series of a resource, and which label joins them to it. */
export const RESOURCE_SERIES: { name: string; join: 'resource_id' | 'instance_id' }[] = [
  { name: 'atonix_instance_cpu_utilization_percent', join: 'resource_id' },
  { name: 'atonix_instance_memory_utilization_percent', join: 'resource_id' },
  { name: 'atonix_instance_network_receive_bytes_total', join: 'resource_id' },
  { name: 'atonix_instance_network_transmit_bytes_total', join: 'resource_id' },
  { name: 'atonix_volume_read_ops_total', join: 'instance_id' },
  { name: 'atonix_volume_write_ops_total', join: 'instance_id' },
];

/** A fitted forest with the scaling of its features (their training medians and MADs, in column order). */
interface ResourceModel {
  forest: unknown;
  scaling: FeatureScaling;
}

/** A resource's rows: grid times and robustly standardised features (empty when a feature has no points). */
function featuresOf(series: Record<string, TimedValue[]>, stepSeconds: number, scaling?: FeatureScaling) {
  const present = Object.fromEntries(Object.entries(series).filter(([, v]) => v.length > 0));
  if (scaling && scaling.names.some((n) => !present[n])) return { t: [], rows: [] };
  if (!Object.keys(present).length) return { t: [], rows: [] };
  const f = jointFeatures(present, stepSeconds, scaling);
  return { t: f.t, rows: f.rows, scaling: f.scaling };
}

/** The resource's series by name: a volume metric summed over the resource's volumes at each time. */
async function seriesOf(source: SampleSource, scope: Scope, id: string, start: number, end: number) {
  const out: Record<string, TimedValue[]> = {};
  for (const { name, join } of RESOURCE_SERIES) {
    const found: SeriesData[] = await source.select(
      scope,
      [
        { name: '__name__', op: '=', value: name },
        { name: join, op: '=', value: id },
      ],
      start,
      end,
    );
    const sum = new Map<number, number>();
    for (const s of found) for (const p of s.samples) sum.set(p.t, (sum.get(p.t) ?? 0) + p.v);
    const points = [...sum].sort(([a], [b]) => a - b).map(([t, v]) => ({ t, v }));
    out[name] = name.endsWith('_total') ? rates(points) : points;
  }
  return out;
}

/** A counter as its per-second rate between consecutive points (a reset counts from zero, as Prometheus's rate). */
function rates(points: TimedValue[]): TimedValue[] {
  const out: TimedValue[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) out.push({ t: b.t, v: (b.v >= a.v ? b.v - a.v : b.v) / dt });
  }
  return out;
}

export async function scoreResources(
  trx: Knex.Transaction,
  source: SampleSource,
  sub: SubscriptionRow,
  now: number,
  tracker: EpisodeTracker,
  open: Map<string, EpisodeRow>,
): Promise<Progress> {
  const scope: Scope = { owner: sub.owner };
  const { stepMs } = timings(sub);
  const window = historyWindowMs(stepMs);
  const needed = minimumBaselinePoints(stepMs / 1000);
  const states = new Map<string, SeriesState>(
    ((await trx(SERIES).where({ subscription_id: sub.id })) as SeriesState[]).map((s) => [s.series_key, s]),
  );
  const ids = new Set<string>();
  for (const s of await source.select(scope, selectorMatchers(sub.selector), now - window, now))
    if (s.labels.resource_id) ids.add(s.labels.resource_id);
  const progress: Progress = { active: 0, learning: [] };
  const seen = new Set<string>();
  for (const id of ids) {
    const key = `resource:${id}`;
    seen.add(key);
    const labels = { resource_id: id };
    const state: SeriesState = states.get(key) ?? {
      subscription_id: sub.id,
      series_key: key,
      labels,
      last_t: null,
      model: null,
      fitted_at: null,
      history_points: 0,
      needed_points: needed,
    };
    const lastT = state.last_t === null ? -Infinity : Number(state.last_t);
    let model = state.model as ResourceModel | null;
    // a first fit takes every row so far as history: it scores none of them
    const hadModel = model !== null;
    const stale = !state.fitted_at || now - new Date(state.fitted_at).getTime() >= REFIT_MS;
    const from = model && !stale ? lastT - LATENESS_MS - stepMs : now - window;
    const series = await seriesOf(source, scope, id, from, now);
    const all = featuresOf(series, stepMs / 1000, model && !stale ? model.scaling : undefined);
    const newest = all.t.length ? all.t[all.t.length - 1]! : null;
    if (newest === null || newest <= lastT) {
      if (model) progress.active++;
      else progress.learning.push({ have: state.history_points, needed });
      continue;
    }
    if (!model || stale) {
      // a refit learns from the rows before those it scores
      const cutoff = model ? lastT : now;
      const n = all.t.filter((t) => t <= cutoff).length;
      if (n >= needed) {
        const history = all.rows.slice(0, n);
        model = { forest: new IsolationForest().fit(history).toJSON(), scaling: all.scaling! };
        Object.assign(state, { model, fitted_at: new Date(now), history_points: n, needed_points: 0 });
      } else if (!model) Object.assign(state, { history_points: n, needed_points: needed });
    }
    if (model) {
      // rows in the model's own scaling (a refit's scaling is the new one)
      const rows = featuresOf(series, stepMs / 1000, model.scaling);
      const forest = IsolationForest.fromJSON(model.forest);
      const { names, centre, scale } = model.scaling;
      const scores: Scored[] = [];
      rows.t.forEach((t, k) => {
        if (t <= lastT || !hadModel) return;
        const row = rows.rows[k]!;
        const score = forest.score(row);
        const drivers: Driver[] = names
          .map((name, i) => ({
            labels: { __name__: name, resource_id: id },
            value: row[i]! * scale[i]! + centre[i]!,
            expected: centre[i]!,
            score: Math.abs(row[i]!),
          }))
          .sort((a, b) => b.score - a.score);
        const top = drivers[0]!;
        scores.push({
          t,
          value: top.value,
          expected: null,
          low: null,
          high: null,
          score,
          anomalous: score > sub.threshold,
          drivers,
        });
      });
      tracker.series(key, labels, open.get(key), scores);
      progress.active++;
    } else progress.learning.push({ have: state.history_points, needed });
    state.last_t = Math.max(lastT, newest);
    await trx(SERIES)
      .insert({ ...state, labels: JSON.stringify(state.labels), model: state.model && JSON.stringify(state.model) })
      .onConflict(['subscription_id', 'series_key'])
      .merge();
  }
  tracker.closeStale(open, seen);
  return progress;
}
