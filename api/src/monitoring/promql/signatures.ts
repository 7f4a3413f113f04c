// The functions the engine evaluates and their argument types, as Prometheus declares them (promql/parser/functions.go).
import type { ValueType } from './ast.js';

export interface Signature {
  args: ValueType[];
  /** how many trailing arguments may be left out */
  optional?: number;
}

export const signatures: Record<string, Signature> = {
  rate: { args: ['matrix'] },
  irate: { args: ['matrix'] },
  increase: { args: ['matrix'] },
  delta: { args: ['matrix'] },
  idelta: { args: ['matrix'] },
  changes: { args: ['matrix'] },
  resets: { args: ['matrix'] },
  deriv: { args: ['matrix'] },
  predict_linear: { args: ['matrix', 'scalar'] },
  avg_over_time: { args: ['matrix'] },
  min_over_time: { args: ['matrix'] },
  max_over_time: { args: ['matrix'] },
  sum_over_time: { args: ['matrix'] },
  count_over_time: { args: ['matrix'] },
  last_over_time: { args: ['matrix'] },
  stddev_over_time: { args: ['matrix'] },
  stdvar_over_time: { args: ['matrix'] },
  present_over_time: { args: ['matrix'] },
  absent_over_time: { args: ['matrix'] },
  quantile_over_time: { args: ['scalar', 'matrix'] },
  histogram_quantile: { args: ['scalar', 'vector'] },
  abs: { args: ['vector'] },
  ceil: { args: ['vector'] },
  floor: { args: ['vector'] },
  exp: { args: ['vector'] },
  sqrt: { args: ['vector'] },
  ln: { args: ['vector'] },
  log2: { args: ['vector'] },
  log10: { args: ['vector'] },
  sgn: { args: ['vector'] },
  round: { args: ['vector', 'scalar'], optional: 1 },
  clamp: { args: ['vector', 'scalar', 'scalar'] },
  clamp_min: { args: ['vector', 'scalar'] },
  clamp_max: { args: ['vector', 'scalar'] },
  sort: { args: ['vector'] },
  sort_desc: { args: ['vector'] },
  absent: { args: ['vector'] },
  label_replace: { args: ['vector', 'string', 'string', 'string', 'string'] },
  time: { args: [] },
  vector: { args: ['scalar'] },
  scalar: { args: ['vector'] },
};

/** Aggregation operators and the type of their parameter, if they take one. */
export const aggregations: Record<string, ValueType | null> = {
  sum: null,
  avg: null,
  min: null,
  max: null,
  count: null,
  stddev: null,
  stdvar: null,
  group: null,
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  count_values: 'string',
};
