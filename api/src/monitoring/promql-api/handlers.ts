// The Prometheus HTTP API's read endpoints over the time-series store, one function each, answering with Prometheus
// 2.42's JSON (parameters in the query string or a form; the order of checks and the messages are Prometheus').
import type { Deps } from '../../platform/deps.js';
import type { HandlersOf, Result } from '../../platform/operations/context.js';
import type { Principal } from '../../platform/operations/principals.js';
import { instantQuery, PromQLError, rangeQuery, toPrometheusJSON } from '../promql/index.js';
import { scopeOf } from '../metrics.js';
import { tsdb } from '../tsdb/index.js';
import {
  ApiError,
  durationParam,
  failure,
  invalidParam,
  matchParam,
  MAX_POINTS,
  MAX_TIME,
  MIN_TIME,
  success,
  timeParam,
} from './params.js';

/** Prometheus' default --query.timeout. */
const DEFAULT_TIMEOUT_MS = 120_000;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What this API says it is: Grafana picks its Prometheus features from the version. */
export const BUILD_INFO = {
  version: '2.42.0',
  revision: 'atonixcorp',
  branch: 'atonixcorp',
  buildUser: 'atonixcorp',
  buildDate: '20230201-00:00:00',
  goVersion: 'none (AtonixCorp PromQL engine, TypeScript)',
};

/** A PromQL refusal of the expression names the parameter, as Prometheus' invalidParamError does. */
function queryFailure(e: unknown) {
  if (e instanceof PromQLError && e.errorType === 'bad_data') return failure(invalidParam('query', e.message));
  return failure(e);
}

function deadline(params: Record<string, unknown>): number {
  return performance.now() + (durationParam(params, 'timeout') ?? DEFAULT_TIMEOUT_MS);
}

type QueryOperations =
  | 'prometheusQuery'
  | 'prometheusQueryPost'
  | 'prometheusQueryRange'
  | 'prometheusQueryRangePost'
  | 'prometheusSeries'
  | 'prometheusSeriesPost'
  | 'prometheusLabels'
  | 'prometheusLabelsPost'
  | 'prometheusLabelValues'
  | 'prometheusMetadata'
  | 'prometheusBuildInfo';

/** What these handlers read of a call: GET and POST (form) operations share them. */
type Call = (ctx: { params: Record<string, unknown>; principal: Principal }) => Promise<Result>;

export function prometheusHandlers(deps: Deps): HandlersOf<QueryOperations> {
  const source = () => tsdb(deps).source;

  const query: Call = async (ctx) => {
    try {
      const time = timeParam(ctx.params, 'time', deps.clock.now());
      const opts = { deadline: deadline(ctx.params) };
      const expr = String(ctx.params.query ?? '');
      return success(toPrometheusJSON(await instantQuery(source(), scopeOf(ctx.principal), expr, time, opts)));
    } catch (e) {
      return queryFailure(e);
    }
  };

  const queryRange: Call = async (ctx) => {
    try {
      const start = timeParam(ctx.params, 'start');
      const end = timeParam(ctx.params, 'end');
      if (end < start) throw new ApiError('bad_data', 'end timestamp must not be before start time');
      const step = Math.trunc(durationParam(ctx.params, 'step') ?? Number.NaN);
      if (Number.isNaN(step)) throw invalidParam('step', 'cannot parse "" to a valid duration');
      if (step <= 0) {
        throw new ApiError(
          'bad_data',
          'zero or negative query resolution step widths are not accepted. Try a positive integer',
        );
      }
      if (Math.trunc((end - start) / step) > MAX_POINTS) {
        throw new ApiError(
          'bad_data',
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      }
      const opts = { deadline: deadline(ctx.params) };
      const expr = String(ctx.params.query ?? '');
      const value = await rangeQuery(source(), scopeOf(ctx.principal), expr, start, end, step, opts);
      return success(toPrometheusJSON(value));
    } catch (e) {
      return queryFailure(e);
    }
  };

  const series: Call = async (ctx) => {
    try {
      if (ctx.params['match[]'] === undefined) throw new ApiError('bad_data', 'no match[] parameter provided');
      const start = timeParam(ctx.params, 'start', MIN_TIME);
      const end = timeParam(ctx.params, 'end', MAX_TIME);
      const sets = matchParam(ctx.params);
      const found = await source().series(scopeOf(ctx.principal), sets, start, end);
      return success(found);
    } catch (e) {
      return failure(e);
    }
  };

  const labels: Call = async (ctx) => {
    try {
      const start = timeParam(ctx.params, 'start', MIN_TIME);
      const end = timeParam(ctx.params, 'end', MAX_TIME);
      const names = await source().labelNames(scopeOf(ctx.principal), matchParam(ctx.params), start, end);
      return success([...names].sort());
    } catch (e) {
      return failure(e);
    }
  };

  return {
    prometheusQuery: query,
    prometheusQueryPost: query,
    prometheusQueryRange: queryRange,
    prometheusQueryRangePost: queryRange,
    prometheusSeries: series,
    prometheusSeriesPost: series,
    prometheusLabels: labels,
    prometheusLabelsPost: labels,
    async prometheusLabelValues(ctx) {
      try {
        const name = String(ctx.params.name);
        if (!LABEL_NAME.test(name)) throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
        const start = timeParam(ctx.params, 'start', MIN_TIME);
        const end = timeParam(ctx.params, 'end', MAX_TIME);
        const values = await source().labelValues(scopeOf(ctx.principal), name, matchParam(ctx.params), start, end);
        return success([...values].sort());
      } catch (e) {
        return failure(e);
      }
    },
    async prometheusMetadata(ctx) {
      const metric = ctx.query.metric ? String(ctx.query.metric) : undefined;
      return success(await source().metadata(scopeOf(ctx.principal), metric));
    },
    async prometheusBuildInfo() {
      return success(BUILD_INFO);
    },
  };
}
