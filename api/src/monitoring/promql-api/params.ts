// The Prometheus HTTP API's parameters read as Prometheus 2.42 reads them (web/api/v1 parseTime, parseDuration),
// and its answers: the {status, data} envelope, errors as {status:"error", errorType, error} with its HTTP status.
import type { Result } from '../../platform/operations/context.js';
import { parseDuration } from '../promql/literals.js';
import { parseSelector, PromQLError } from '../promql/index.js';
import type { Matcher } from '../types.js';

/** Prometheus' own bounds when start or end is not given (its minTime and maxTime, in ms). */
export const MIN_TIME = -9223372036854775 + 1;
export const MAX_TIME = 9223372036854775 - 1;
/** Prometheus refuses range queries of more points per series than this. */
export const MAX_POINTS = 11_000;

const statusOf: Record<string, number> = { bad_data: 400, execution: 422, timeout: 503, canceled: 503, internal: 500 };

export class ApiError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export const success = (data: unknown): Result => ({ status: 200, body: { status: 'success', data } });

/** An error as Prometheus answers it; anything else is rethrown for the pipeline's problem handling. */
export function failure(e: unknown): Result {
  if (e instanceof ApiError || e instanceof PromQLError) {
    return {
      status: statusOf[e.errorType] ?? 500,
      body: { status: 'error', errorType: e.errorType, error: e.message },
    };
  }
  throw e;
}

export const invalidParam = (name: string, why: string): ApiError =>
  new ApiError('bad_data', `invalid parameter ${JSON.stringify(name)}: ${why}`);

/** RFC 3339 or Unix seconds (a float, rounded to the millisecond), or `fallback` when absent. */
export function timeParam(params: Record<string, unknown>, name: string, fallback?: number): number {
  const raw = params[name];
  if (raw === undefined || raw === '') {
    if (fallback === undefined) throw invalidParam(name, `cannot parse "" to a valid timestamp`);
    return fallback;
  }
  const s = String(raw);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    const seconds = Number(s);
    const whole = Math.trunc(seconds);
    return whole * 1000 + Math.round((seconds - whole) * 1000);
  }
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  throw invalidParam(name, `cannot parse ${JSON.stringify(s)} to a valid timestamp`);
}

/** Seconds (a float) or a Prometheus duration, in ms. */
export function durationParam(params: Record<string, unknown>, name: string): number | undefined {
  const raw = params[name];
  if (raw === undefined || raw === '') return undefined;
  const s = String(raw);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s) * 1000;
  const ms = parseDuration(s);
  if (ms === null) throw invalidParam(name, `cannot parse ${JSON.stringify(s)} to a valid duration`);
  return ms;
}

/** The `match[]` selectors, each a list of matchers. */
export function matchParam(params: Record<string, unknown>): Matcher[][] {
  const raw = params['match[]'];
  const list = raw === undefined ? [] : [raw].flat().map(String);
  return list.map((s) => {
    try {
      return parseSelector(s);
    } catch (e) {
      if (e instanceof PromQLError) throw new ApiError('bad_data', e.message);
      throw e;
    }
  });
}
