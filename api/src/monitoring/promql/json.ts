// A query result as the `data` object of Prometheus's /api/v1/query and /api/v1/query_range answers: times in
// seconds, values as Go formats floats ('f', shortest), label sets without empty values.
import type { Labels } from '../types.js';
import { formatGoFloat } from './literals.js';
import type { PromValue } from './values.js';

export type PromJSONPoint = [number, string];

export type PromJSON =
  | { resultType: 'vector'; result: { metric: Labels; value: PromJSONPoint }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: PromJSONPoint[] }[] }
  | { resultType: 'scalar'; result: PromJSONPoint }
  | { resultType: 'string'; result: [number, string] };

const point = (t: number, v: number): PromJSONPoint => [t / 1000, formatGoFloat(v)];

/** Labels in name order, as Prometheus writes them. */
function metric(labels: Labels): Labels {
  const out: Labels = {};
  for (const n of Object.keys(labels).sort()) if (labels[n] !== '') out[n] = labels[n]!;
  return out;
}

export function toPrometheusJSON(value: PromValue): PromJSON {
  switch (value.type) {
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((s) => ({ metric: metric(s.labels), value: point(s.t, s.v) })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: value.series.map((s) => ({ metric: metric(s.labels), values: s.samples.map((p) => point(p.t, p.v)) })),
      };
    case 'scalar':
      return { resultType: 'scalar', result: point(value.t, value.v) };
    case 'string':
      return { resultType: 'string', result: [value.t / 1000, value.v] };
  }
}
