// Series mode: each series the selector matches is scored alone against its own seasonal baseline (robust residual
// scores: median and MAD). A series without a baseline takes what it has as history until a fit succeeds; a
// baseline is refitted daily from the history before the points it scores.
import type { Knex } from 'knex';
import type { SampleSource, Scope, SeriesData } from '../../monitoring/types.js';
import {
  InsufficientHistory,
  fitBaseline,
  minimumBaselinePoints,
  scorePoint,
  type Baseline,
  type TimedValue,
} from './detectors.js';
import type { EpisodeTracker, Scored } from './episodes.js';
import { SERIES, type EpisodeRow, type SeriesState, type SubscriptionRow } from './repos.js';
import { selectorMatchers, timings } from './rules.js';

const DAY = 86_400_000;
/** A baseline older than this (platform time) is fitted again before it scores. */
export const REFIT_MS = DAY;
/** Points up to this late (behind the newest scored of their series) are still scored. */
export const LATENESS_MS = 5 * 60_000;

/** How much history a fit reads: twice what the detector needs, at least a week, at most four. */
export const historyWindowMs = (stepMs: number) =>
  Math.min(28 * DAY, Math.max(7 * DAY, 2 * minimumBaselinePoints(stepMs / 1000) * stepMs));

export const keyOf = (labels: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))));

/** Where a subscription's learning stands, for its status. */
export interface Progress {
  active: number;
  learning: { have: number; needed: number }[];
}

const finite = (s: { v: number }) => Number.isFinite(s.v);

export async function scoreSeries(
  trx: Knex.Transaction,
  source: SampleSource,
  sub: SubscriptionRow,
  now: number,
  tracker: EpisodeTracker,
  open: Map<string, EpisodeRow>,
): Promise<Progress> {
  const scope: Scope = { owner: sub.owner };
  const { stepMs } = timings(sub);
  const stepSeconds = stepMs / 1000;
  const states = new Map<string, SeriesState>(
    ((await trx(SERIES).where({ subscription_id: sub.id })) as SeriesState[]).map((s) => [s.series_key, s]),
  );
  const window = historyWindowMs(stepMs);
  const known = [...states.values()].map((s) => Number(s.last_t ?? 0));
  // Known series are read from a little before their newest scored point; none yet: the whole history window.
  const from = known.length ? Math.max(now - window, Math.min(...known) - LATENESS_MS) : now - window;
  const matchers = selectorMatchers(sub.selector);
  const found: SeriesData[] = await source.select(scope, matchers, from, now);
  const progress: Progress = { active: 0, learning: [] };
  const seen = new Set<string>();
  // the series' new states, written in one statement at the end (a round trip per series would cost more than
  // the scoring: see bench/anomalies.ts)
  const changed: SeriesState[] = [];
  for (const s of found) {
    const key = keyOf(s.labels);
    seen.add(key);
    const state: SeriesState = states.get(key) ?? {
      subscription_id: sub.id,
      series_key: key,
      labels: s.labels,
      last_t: null,
      model: null,
      fitted_at: null,
      history_points: 0,
      needed_points: 0,
    };
    const lastT = state.last_t === null ? -Infinity : Number(state.last_t);
    const fresh = s.samples.filter((p) => p.t > lastT && finite(p));
    // nothing new: nothing to score, nor to learn from
    if (!fresh.length) {
      if (state.model) progress.active++;
      else progress.learning.push({ have: state.history_points, needed: state.needed_points });
      continue;
    }
    const stale = !state.fitted_at || now - new Date(state.fitted_at).getTime() >= REFIT_MS;
    let model = state.model as Baseline | null;
    let toScore: TimedValue[] = model ? fresh : [];
    if (!model || stale) {
      // A first fit takes every point so far as history; a refit the history before the points it scores.
      const cutoff = model ? lastT : now;
      const history = await historyOf(source, scope, s.labels, now - window, cutoff, from <= now - window ? s : null);
      try {
        model = fitBaseline(history, stepSeconds);
        Object.assign(state, { model, fitted_at: new Date(now), history_points: history.length, needed_points: 0 });
      } catch (e) {
        if (!(e instanceof InsufficientHistory)) throw e;
        if (!state.model) {
          model = null;
          toScore = [];
          Object.assign(state, { history_points: e.have, needed_points: e.needed });
        }
      }
    }
    if (model) {
      const scores: Scored[] = toScore.map((p) => {
        const r = scorePoint(model!, { t: p.t, v: p.v }, sub.threshold);
        return {
          t: p.t,
          value: p.v,
          expected: r.expected,
          low: r.low,
          high: r.high,
          score: r.score,
          anomalous: r.anomalous,
          drivers: [{ labels: s.labels, value: p.v, expected: r.expected, score: r.score }],
        };
      });
      tracker.series(key, s.labels, open.get(key), scores);
      progress.active++;
    } else progress.learning.push({ have: state.history_points, needed: state.needed_points });
    const newest = s.samples[s.samples.length - 1]!.t;
    state.last_t = Math.max(lastT, newest);
    changed.push(state);
  }
  await save(trx, changed);
  tracker.closeStale(open, seen);
  // series that matched before but had no points in the window still count for the status
  for (const [key, st] of states)
    if (!seen.has(key)) {
      if (st.model) progress.active++;
      else progress.learning.push({ have: st.history_points, needed: st.needed_points });
    }
  return progress;
}

/** The series' finite points in [start, end], from `read` when it was read from `start` already. */
async function historyOf(
  source: SampleSource,
  scope: Scope,
  labels: Record<string, string>,
  start: number,
  end: number,
  read: SeriesData | null,
): Promise<TimedValue[]> {
  const samples = read
    ? read.samples
    : ((
        await source.select(
          scope,
          Object.entries(labels).map(([name, value]) => ({ name, op: '=' as const, value })),
          start,
          end,
        )
      ).find((x) => keyOf(x.labels) === keyOf(labels))?.samples ?? []);
  return samples.filter((p) => p.t <= end && finite(p)).map((p) => ({ t: p.t, v: p.v }));
}

async function save(trx: Knex.Transaction, states: SeriesState[]) {
  const rows = states.map((s) => ({
    ...s,
    labels: JSON.stringify(s.labels),
    model: s.model === null ? null : JSON.stringify(s.model),
  }));
  for (let i = 0; i < rows.length; i += 500)
    await trx(SERIES)
      .insert(rows.slice(i, i + 500))
      .onConflict(['subscription_id', 'series_key'])
      .merge();
}
