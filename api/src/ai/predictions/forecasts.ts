// One question answered: the history read, then (unless kept from an earlier call over the same samples) each
// series forecast in turn on the forecasting thread (a fit is CPU work the event loop must not wait on), with a
// small time budget.
import type { SampleSource, Scope } from '../../monitoring/types.js';
import { problems } from '../../platform/problems.js';
import { forecastOffLoop, InsufficientHistory, minimumHistory, type ForecastResult } from '../forecast/index.js';
import { cacheKey, type Lru } from './cache.js';
import { iso, readHistory, type History, type SeriesHistory } from './history.js';
import { durationText, type Question } from './params.js';

/** Each series' fit and backtest gets this long (the models stop refining when it runs out). */
export const BUDGET_MS = 300;

/** An answer as kept: everything but `cached`. */
export type Answer = Record<string, unknown>;

const labelText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

function tooShort(q: Question, labels: Record<string, string>, needed: number, have: number, why: string) {
  const step = durationText(q.stepMs);
  return problems.insufficientHistory(
    `${labelText(labels)}: ${why}. A forecast of ${q.horizonSteps} steps by ${q.model} needs at least ${needed} points of history (${durationText(needed * q.stepMs)} at step ${step}); it has ${have}.`,
    {
      needed_points: needed,
      have_points: have,
      needed_seconds: (needed * q.stepMs) / 1000,
      step_seconds: q.stepMs / 1000,
    },
  );
}

async function run(q: Question, s: SeriesHistory): Promise<ForecastResult> {
  try {
    return await forecastOffLoop({
      values: s.values,
      stepSeconds: q.stepMs / 1000,
      horizon: q.horizonSteps,
      model: q.model,
      budgetMs: BUDGET_MS,
    });
  } catch (e) {
    if (e instanceof InsufficientHistory) throw tooShort(q, s.labels, e.needed, e.have, e.why);
    throw e;
  }
}

const score = (x: number) => (Number.isFinite(x) ? x : null);

function seriesAnswer(q: Question, s: SeriesHistory, endMs: number, r: ForecastResult) {
  const points = s.values.filter((v) => !Number.isNaN(v)).length;
  return {
    labels: s.labels,
    model: r.model,
    method: r.method,
    seasonality: r.seasonality,
    selection: r.selection,
    candidates: r.candidates.map((c) => ({ ...c, mase: score(c.mase), smape: score(c.smape) })),
    history: { from: iso(s.firstMs), to: iso(endMs), points, missing: s.values.length - points },
    points: r.points.map((p, i) => ({ timestamp: iso(endMs + (i + 1) * q.stepMs), ...p })),
  };
}

export async function answer(
  source: SampleSource,
  scope: Scope,
  q: Question,
  nowMs: number,
  cache: Lru<Answer>,
): Promise<Answer> {
  const needed = minimumHistory(q.model, q.stepMs / 1000, q.horizonSteps);
  if (q.historySteps < needed) {
    throw problems.invalidParameter([
      {
        pointer: 'history',
        detail: `is ${q.historySteps} steps; a forecast of ${q.horizonSteps} steps by ${q.model} needs at least ${needed} (history=${durationText(needed * q.stepMs)} at step ${durationText(q.stepMs)})`,
        code: 'Range',
      },
    ]);
  }
  const h = await readHistory(source, scope, q, nowMs);
  const key = cacheKey(scope, q, h.endMs, h.fingerprint);
  const kept = cache.get(key);
  if (kept) return { ...kept, cached: true };
  // The same question asked again while it is being computed (many plans at once) waits for that computation.
  const running = inflightOf(cache);
  const pending = running.get(key);
  if (pending) return { ...(await pending), cached: true };
  const computing = compute(q, h, nowMs);
  running.set(key, computing);
  try {
    const body = await computing;
    cache.set(key, body, h.series.length * q.horizonSteps);
    return { ...body, cached: false };
  } finally {
    running.delete(key);
  }
}

const inflight = new WeakMap<object, Map<string, Promise<Answer>>>();
function inflightOf(cache: object): Map<string, Promise<Answer>> {
  let m = inflight.get(cache);
  if (!m) inflight.set(cache, (m = new Map()));
  return m;
}

async function compute(q: Question, h: History, nowMs: number): Promise<Answer> {
  const series = [];
  for (const s of h.series) series.push(seriesAnswer(q, s, h.endMs, await run(q, s)));
  return {
    metric: q.metric,
    labels: q.labels,
    query: q.expr,
    step_seconds: q.stepMs / 1000,
    horizon_steps: q.horizonSteps,
    model_requested: q.model,
    computed_at: iso(nowMs),
    series,
  };
}
