// data "atonix_prediction": a forecast of one metric series at plan time (GET /api/ai/predictions), for capacity
// planning: the model the API chose and why, the forecast's times and its mean with 80% and 95% intervals as lists.
// It computes (no registry kind): exactly one series must match, or the read is an error naming `labels`.
import { DiagnosticsError, errorDiagnostic, type Attribute, type DataSourceType } from '../runtime/index.js';
import { ApiError, problemDiagnostics, type ApiClient } from '../framework/client.js';
import type { ApiBound } from '../framework/hand-written.js';

const md = 'markdown' as const;
const attr = (a: Attribute): Attribute => ({ descriptionKind: md, ...a });
const computed = (type: Attribute['type'], description: string) => attr({ type, computed: true, description });
const numbers = ['list', 'number'] as const;

/** The API's defaults, written into state so it says what was asked. */
const DEFAULTS = { horizon: '1d', step: '1h', history: '14d', model: 'auto', transform: 'avg_over_time' } as const;
const optional = (name: keyof typeof DEFAULTS, description: string) =>
  attr({
    type: 'string',
    optional: true,
    computed: true,
    description: `${description} Default \`${DEFAULTS[name]}\`.`,
  });

const schema = {
  version: 0,
  block: {
    description:
      'A forecast of one metric series, computed when Terraform reads it (at plan): the mean and 80%/95% prediction intervals, and the model chosen by backtest (`model = "auto"`) with its method. For capacity planning: size from `max_upper95`.',
    descriptionKind: md,
    attributes: {
      id: computed('string', 'The series forecast: `<metric>{<labels>}`.'),
      metric: attr({ type: 'string', required: true, description: 'The metric name.' }),
      labels: attr({
        type: ['map', 'string'],
        optional: true,
        description: 'Labels the series must have (exact matches). Exactly one of your series may match.',
      }),
      horizon: optional('horizon', 'How far ahead, a Prometheus duration (a whole number of steps).'),
      step: optional('step', 'The spacing of the history and of the forecast, a Prometheus duration.'),
      history: optional('history', 'How much of the past to read, a Prometheus duration.'),
      model: optional('model', '`auto`, `ets`, `seasonal_naive` or `lstm`.'),
      transform: optional('transform', '`avg_over_time` (a gauge) or `rate` (a counter, as its per-second rate).'),
      chosen_model: computed('string', 'The model that made the forecast.'),
      method: computed('string', 'What that model computed, with its fitted parameters.'),
      selection: computed('string', 'Why that model (the backtest scores when `model = "auto"`).'),
      times: computed(['list', 'string'], "The forecast's instants (RFC 3339), one per step."),
      mean: computed(numbers, 'The forecast mean at each of `times`.'),
      lower80: computed(numbers, 'The lower bound of the 80% prediction interval at each of `times`.'),
      upper80: computed(numbers, 'The upper bound of the 80% prediction interval at each of `times`.'),
      lower95: computed(numbers, 'The lower bound of the 95% prediction interval at each of `times`.'),
      upper95: computed(numbers, 'The upper bound of the 95% prediction interval at each of `times`.'),
      max_upper95: computed('number', 'The largest of `upper95`: what capacity covers the horizon at 95%.'),
    },
  },
};

interface Point {
  timestamp: string;
  mean: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}
interface Series {
  labels: Record<string, string>;
  model: string;
  method: string;
  selection: string;
  points: Point[];
}

/** PromQL's string literal for an exact match (Go escapes are a superset of JSON's). */
export const matcherSet = (labels: Record<string, string>) =>
  Object.keys(labels).length
    ? `{${Object.keys(labels)
        .sort()
        .map((k) => `${k}=${JSON.stringify(labels[k])}`)
        .join(',')}}`
    : '';

export function predictionData(client: () => ApiClient): DataSourceType {
  return {
    schema,
    async read({ config }, { signal }) {
      const metric = String(config.metric);
      const labels = (config.labels ?? {}) as Record<string, string>;
      const asked = Object.fromEntries(
        (Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]).map((k) => [
          k,
          (config[k] as string | null) ?? DEFAULTS[k],
        ]),
      ) as Record<keyof typeof DEFAULTS, string>;
      const query = new URLSearchParams({ metric, ...asked });
      const selector = matcherSet(labels);
      if (selector) query.set('labels', selector);
      let found: Series[];
      try {
        found = (await client().request('GET', `/api/ai/predictions?${query}`, { signal })).body.series;
      } catch (e) {
        if (e instanceof ApiError) throw new DiagnosticsError(problemDiagnostics(e, `Cannot forecast ${metric}`));
        throw e;
      }
      if (found.length !== 1) {
        const which = found.map((s) => matcherSet(s.labels)).join(', ');
        throw new DiagnosticsError(
          errorDiagnostic(
            `${found.length} series of ${metric}${selector} match`,
            `atonix_prediction forecasts exactly one series; add labels that tell these apart: ${which}.`,
            ['labels'],
          ),
        );
      }
      const s = found[0]!;
      const list = (k: keyof Omit<Point, 'timestamp'>) => s.points.map((p) => p[k]);
      return {
        state: {
          id: `${metric}${selector || '{}'}`,
          metric,
          labels: config.labels ?? null,
          ...asked,
          chosen_model: s.model,
          method: s.method,
          selection: s.selection,
          times: s.points.map((p) => p.timestamp),
          mean: list('mean'),
          lower80: list('lower80'),
          upper80: list('upper80'),
          lower95: list('lower95'),
          upper95: list('upper95'),
          max_upper95: Math.max(...list('upper95')),
        },
      };
    },
  };
}

export const predictionDataSource: ApiBound<DataSourceType> = { schema, bind: predictionData };
