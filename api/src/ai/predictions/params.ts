// The parameters of GET /api/ai/predictions read into one question: the series selector (metric + Prometheus
// matchers), the step, the horizon and history in steps, the model, and the PromQL range query that reads the history.
import { problems, type FieldError } from '../../platform/problems.js';
import { parseSelector, PromQLError } from '../../monitoring/promql/index.js';
import { parseDuration } from '../../monitoring/promql/literals.js';
import type { Matcher } from '../../monitoring/types.js';
import type { ModelName } from '../forecast/index.js';

/** At most this many forecast steps (two weeks of 10-minute steps). */
export const MAX_HORIZON_STEPS = 2016;
/** At most this many history steps (a week of 1-minute steps), and at most this far back. */
export const MAX_HISTORY_STEPS = 10_080;
export const MAX_HISTORY_MS = 400 * 86_400_000;

export type Transform = 'avg_over_time' | 'rate';

export interface PredictionQuery {
  metric: string;
  labels?: string;
  horizon: string;
  step: string;
  history: string;
  model: ModelName | 'auto';
  transform: Transform;
}

export interface Question {
  metric: string;
  /** the matcher set as given ('' for none) */
  labels: string;
  matchers: Matcher[];
  stepMs: number;
  horizonSteps: number;
  historySteps: number;
  model: ModelName | 'auto';
  transform: Transform;
  /** the range query read at `stepMs`: `<transform>({__name__="m",...}[<step>])` */
  expr: string;
}

function duration(q: PredictionQuery, name: 'horizon' | 'step' | 'history', errors: FieldError[]): number {
  const raw = q[name];
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0) {
    errors.push({
      pointer: name,
      detail: `"${raw}" is not a positive Prometheus duration (5m, 1h, 14d)`,
      code: 'Format',
    });
    return NaN;
  }
  return ms;
}

/** `90000000` ms as `1d1h`, the way Prometheus prints durations. */
export function durationText(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  let rest = ms;
  let out = '';
  for (const [u, size] of units) {
    const n = Math.floor(rest / size);
    if (n) out += `${n}${u}`;
    rest -= n * size;
  }
  return out || '0s';
}

/** PromQL's string literal (Go escapes are a superset of JSON's). */
const quote = (s: string) => JSON.stringify(s);

/** The matchers back as PromQL text, in a canonical order, so the query shown is exactly what was run. */
export function selectorText(matchers: Matcher[]): string {
  const sorted = [...matchers].sort((a, b) =>
    a.name === b.name ? a.op.localeCompare(b.op) : a.name < b.name ? -1 : 1,
  );
  return `{${sorted.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(',')}}`;
}

export function readQuestion(q: PredictionQuery): Question {
  const errors: FieldError[] = [];
  let matchers: Matcher[] = [];
  const labels = (q.labels ?? '').trim();
  if (labels !== '' && !/^\{[\s\S]*\}$/.test(labels)) {
    errors.push({ pointer: 'labels', detail: 'must be a matcher set in braces: {instance_id="i-1"}', code: 'Format' });
  } else {
    try {
      matchers = parseSelector(`${q.metric}${labels}`);
    } catch (e) {
      if (!(e instanceof PromQLError)) throw e;
      errors.push({ pointer: 'labels', detail: `is not a Prometheus matcher set (${e.message})`, code: 'Format' });
    }
    if (matchers.some((m) => m.name === '__name__' && !(m.op === '=' && m.value === q.metric)))
      errors.push({ pointer: 'labels', detail: 'may not match __name__; name the metric in `metric`', code: 'Format' });
  }
  const step = duration(q, 'step', errors);
  const horizon = duration(q, 'horizon', errors);
  const history = duration(q, 'history', errors);
  if (step > 0 && step < 1000) errors.push({ pointer: 'step', detail: 'must be at least 1s', code: 'Range' });
  if (step >= 1000 && horizon > 0) {
    if (horizon % step !== 0)
      errors.push({ pointer: 'horizon', detail: `must be a whole number of steps of ${q.step}`, code: 'Range' });
    else if (horizon / step > MAX_HORIZON_STEPS)
      errors.push({
        pointer: 'horizon',
        detail: `is ${horizon / step} steps of ${q.step}; at most ${MAX_HORIZON_STEPS}`,
        code: 'Range',
      });
  }
  if (step >= 1000 && history > 0) {
    if (history < step)
      errors.push({ pointer: 'history', detail: `must be at least one step (${q.step})`, code: 'Range' });
    else if (history / step > MAX_HISTORY_STEPS)
      errors.push({
        pointer: 'history',
        detail: `is ${Math.floor(history / step)} steps of ${q.step}; at most ${MAX_HISTORY_STEPS} (take a longer step)`,
        code: 'Range',
      });
    else if (history > MAX_HISTORY_MS)
      errors.push({ pointer: 'history', detail: 'may be at most 400d', code: 'Range' });
  }
  if (errors.length) throw problems.invalidParameter(errors);
  return {
    metric: q.metric,
    labels,
    matchers,
    stepMs: step,
    horizonSteps: horizon / step,
    historySteps: Math.floor(history / step),
    model: q.model,
    transform: q.transform,
    expr: `${q.transform}(${selectorText(matchers)}[${durationText(step)}])`,
  };
}
