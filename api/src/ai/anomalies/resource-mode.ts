// Resource mode: each resource the selector's series name (their resource_id) is scored as a whole by an isolation
// forest over its joint features (instance CPU and memory, network receive/transmit rates, the read/write rates of
// its volumes, joined on resource_id), fitted from the resource's history and refitted daily. The series that drove
// an anomalous row are its features furthest from their own median (robust z-scores).
import type { Knex } from 'knex';
import type { SampleSource, Scope, SeriesData } from '../../monitoring/types.js';
import { IsolationForest, jointFeatures, minimumBaselinePoints, type TimedValue } from './detectors.js';
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

/** A fitted forest with each feature's median and MAD (for the drivers). */
interface ResourceModel {
  forest: unknown;
  names: string[];
  medians: number[];
  mads: number[];
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length ? (s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) : 0;
};

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
    out[name] = [...sum].sort(([a], [b]) => a - b).map(([t, v]) => ({ t, v }));
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
    const stale = !state.fitted_at || now - new Date(state.fitted_at).getTime() >= REFIT_MS;
    const from = model && !stale ? lastT - LATENESS_MS - stepMs : now - window;
    const rows = jointFeatures(await seriesOf(source, scope, id, from, now), stepMs / 1000);
    const fresh = rows.filter((r) => r.t > lastT);
    if (!fresh.length) {
      if (model) progress.active++;
      else progress.learning.push({ have: state.history_points, needed });
      continue;
    }
    let toScore = model ? fresh : [];
    if (!model || stale) {
      const history = rows.filter((r) => r.t <= (model ? lastT : now));
      if (history.length >= needed) {
        model = fitted(history);
        Object.assign(state, { model, fitted_at: new Date(now), history_points: history.length, needed_points: 0 });
      } else if (!model) {
        toScore = [];
        Object.assign(state, { history_points: history.length, needed_points: needed });
      }
    }
    if (model) {
      const forest = IsolationForest.fromJSON(model.forest as never);
      const scores: Scored[] = toScore.map((r) => {
        const score = forest.score(r.row);
        const drivers: Driver[] = model!.names
          .map((name, i) => ({
            labels: { __name__: name, resource_id: id },
            value: r.row[i]!,
            expected: model!.medians[i]!,
            score: Math.abs(r.row[i]! - model!.medians[i]!) / (1.4826 * model!.mads[i]! || 1),
          }))
          .sort((a, b) => b.score - a.score);
        const top = drivers[0]!;
        return {
          t: r.t,
          value: top.value,
          expected: null,
          low: null,
          high: null,
          score,
          anomalous: score > sub.threshold,
          drivers,
        };
      });
      tracker.series(key, labels, open.get(key), scores);
      progress.active++;
    } else progress.learning.push({ have: state.history_points, needed });
    state.last_t = Math.max(lastT, rows[rows.length - 1]!.t);
    await trx(SERIES)
      .insert({ ...state, labels: JSON.stringify(state.labels), model: state.model && JSON.stringify(state.model) })
      .onConflict(['subscription_id', 'series_key'])
      .merge();
  }
  tracker.closeStale(open, seen);
  return progress;
}

function fitted(history: { t: number; row: number[] }[]): ResourceModel {
  const forest = new IsolationForest();
  forest.fit(history.map((r) => r.row));
  const names = RESOURCE_SERIES.map((s) => s.name);
  const medians = names.map((_, i) => median(history.map((r) => r.row[i]!)));
  const mads = names.map((_, i) => median(history.map((r) => Math.abs(r.row[i]! - medians[i]!))));
  return { forest: forest.toJSON(), names, medians, mads };
}
