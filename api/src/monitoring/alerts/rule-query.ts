// The PromQL an alert rule evaluates: its `expr` as written, or the one a metric rule stands for (a statistic over
// the window compared with the threshold), so one evaluator serves both kinds of rule. Field checks answer 422s with
// pointers; the expression itself is checked by the PromQL engine (checkQuery in engine.ts).
import { problems, type FieldError } from '../../platform/problems.js';
import { parseDuration } from './durations.js';

export interface RuleFields {
  expr: string | null;
  metric: string | null;
  metric_labels: Record<string, string>;
  statistic: string;
  comparison: string;
  threshold: number;
  window: string;
  for: string;
  interval: string;
}

/** `*_over_time` of each statistic (quantiles as `quantile_over_time(q, ...)`). */
const OVER_TIME: Record<string, (range: string) => string> = {
  avg: (r) => `avg_over_time(${r})`,
  min: (r) => `min_over_time(${r})`,
  max: (r) => `max_over_time(${r})`,
  sum: (r) => `sum_over_time(${r})`,
  count: (r) => `count_over_time(${r})`,
  p50: (r) => `quantile_over_time(0.5, ${r})`,
  p95: (r) => `quantile_over_time(0.95, ${r})`,
  p99: (r) => `quantile_over_time(0.99, ${r})`,
};

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** PromQL's double-quoted string: backslash and quote escaped, control characters as escapes. */
const quote = (s: string) => JSON.stringify(s);

/** The PromQL of a rule whose fields are valid (checkFields). */
export function queryOf(r: RuleFields): string {
  if (r.expr) return r.expr;
  const matchers = Object.entries(r.metric_labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${quote(v)}`);
  const selector = `${r.metric}${matchers.length ? `{${matchers.join(',')}}` : ''}`;
  const threshold = Number.isFinite(r.threshold) ? String(r.threshold) : r.threshold > 0 ? '+Inf' : '-Inf';
  return `${OVER_TIME[r.statistic]!(`${selector}[${r.window}]`)} ${r.comparison} ${threshold}`;
}

/** Milliseconds of `for` and `interval`, and the window's, once the fields are known good. */
export const timings = (r: Pick<RuleFields, 'for' | 'interval'>) => ({
  forMs: parseDuration(r.for)!,
  intervalMs: parseDuration(r.interval)!,
});

/** 422 naming every field that makes the rule meaningless: both or neither of expr and metric, bad durations. */
export function checkFields(r: RuleFields): void {
  const errors: FieldError[] = [];
  const has = (v: string | null) => v !== null && v !== undefined && v.trim() !== '';
  if (has(r.expr) && has(r.metric))
    errors.push({ pointer: '/metric', detail: 'give either expr or metric, not both', code: 'InvalidValue' });
  if (!has(r.expr) && !has(r.metric))
    errors.push({
      pointer: '/expr',
      detail: 'give either expr (PromQL) or metric (with a threshold)',
      code: 'Required',
    });
  for (const k of Object.keys(r.metric_labels))
    if (!LABEL_NAME.test(k))
      errors.push({ pointer: `/metric_labels/${k}`, detail: 'is not a label name', code: 'InvalidValue' });
  for (const f of ['for', 'interval', 'window'] as const)
    if (parseDuration(r[f]) === null)
      errors.push({
        pointer: `/${f}`,
        detail: `${r[f]} is not a Prometheus duration (such as 5m or 1h30m)`,
        code: 'InvalidValue',
      });
  const interval = parseDuration(r.interval);
  if (interval !== null && interval < 1000)
    errors.push({ pointer: '/interval', detail: 'must be at least 1s', code: 'InvalidValue' });
  const window = parseDuration(r.window);
  if (!has(r.expr) && window !== null && window < 1)
    errors.push({ pointer: '/window', detail: 'must be longer than 0s', code: 'InvalidValue' });
  if (errors.length) throw problems.validation(errors);
}
