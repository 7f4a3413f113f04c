// The PromQL engine's public face: what alerts, dashboards and the Prometheus-compatible HTTP API call.
export { instantQuery, rangeQuery } from './query.js';
export { PromQLError, type PromQLErrorType } from './errors.js';
export { toPrometheusJSON, type PromJSON } from './json.js';
export type { PromValue } from './values.js';
export { matcherFn, matchesAll } from './labels.js';
export { parse, parseSelector } from './parse.js';
export type { QueryOptions } from './query.js';
