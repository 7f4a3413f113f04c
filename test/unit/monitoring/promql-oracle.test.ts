// Differential test of the PromQL engine against Debian's Prometheus 2.42: the same samples in both, every query of
// the table evaluated as instant queries at several times and as range queries, compared point by point.
import { expect } from 'chai';
import { instantQuery, rangeQuery, toPrometheusJSON, PromQLError } from '../../../api/src/monitoring/promql/index.js';
import { MemorySource } from '../../support/memory-source.js';
import { prometheusAvailable, startOracle, type OraclePrometheus, type PromAnswer } from '../../support/prometheus.js';
import { min, samples } from './promql-samples.js';

/** instant: only as instant queries (range vectors, strings); the rest run in both modes. */
type Case = string | { q: string; instant: true };

const cases: Case[] = [
  // selectors
  'http_requests_total',
  'http_requests_total{code="200"}',
  'http_requests_total{code!="200"}',
  'http_requests_total{instance=~"a|b", code=~"5.."}',
  'http_requests_total{instance!~"a"}',
  '{__name__=~"node_temp.*"}',
  'node_temp_celsius offset 10m',
  { q: 'http_requests_total[5m]', instant: true },
  { q: 'node_temp_celsius[2m] offset 3m', instant: true },
  // functions of range vectors
  'rate(http_requests_total[5m])',
  'rate(http_requests_total[1m])',
  'irate(http_requests_total[5m])',
  'increase(http_requests_total[10m])',
  'delta(node_temp_celsius[10m])',
  'idelta(node_temp_celsius[5m])',
  'rate(http_requests_total[5m] offset 5m)',
  'avg_over_time(node_temp_celsius[10m])',
  'min_over_time(node_temp_celsius[10m])',
  'max_over_time(node_temp_celsius[10m])',
  'sum_over_time(queue_depth[5m])',
  'count_over_time(node_temp_celsius[7m])',
  'last_over_time(node_temp_celsius[10m])',
  'quantile_over_time(0.9, node_temp_celsius[15m])',
  'stddev_over_time(node_temp_celsius[10m])',
  'stdvar_over_time(node_temp_celsius[10m])',
  'present_over_time(node_temp_celsius[5m])',
  'changes(queue_depth[10m])',
  'resets(http_requests_total[30m])',
  'deriv(disk_free_bytes[30m])',
  'predict_linear(disk_free_bytes[30m], 3600)',
  'absent_over_time(node_temp_celsius{instance="c"}[5m])',
  // aggregations
  'sum(rate(http_requests_total[5m]))',
  'sum by (code) (rate(http_requests_total[5m]))',
  'sum without (instance) (rate(http_requests_total[5m]))',
  'avg by (kind) (node_temp_celsius)',
  'min(node_temp_celsius)',
  'max by (kind) (node_temp_celsius)',
  'count(node_temp_celsius)',
  'count by (code) (http_requests_total)',
  'topk(2, node_temp_celsius)',
  'bottomk(1, queue_depth)',
  'topk by (kind) (1, node_temp_celsius)',
  'quantile(0.75, node_temp_celsius)',
  'stddev(node_temp_celsius)',
  'stdvar by (kind) (node_temp_celsius)',
  'count_values("depth", queue_depth)',
  'group by (instance) (http_requests_total)',
  'sum by (__name__) ({__name__=~"node_temp_celsius|queue_depth"})',
  'sum(node_temp_celsius) by (kind)',
  // binary operators
  'node_temp_celsius * 2',
  '2 - node_temp_celsius',
  'node_temp_celsius / 0',
  'queue_depth % 3',
  'queue_depth ^ 2',
  'node_temp_celsius > 41',
  '41 < node_temp_celsius',
  'node_temp_celsius > bool 41',
  'node_temp_celsius >= bool node_temp_celsius offset 15s',
  'rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])',
  'sum by (instance) (rate(http_requests_total{code="500"}[5m])) / on(instance) sum by (instance) (rate(http_requests_total[5m]))',
  'node_temp_celsius - on(instance, kind) node_temp_celsius offset 5m',
  'node_temp_celsius != node_temp_celsius offset 1m',
  'http_requests_total and on(instance) node_temp_celsius{kind="vm"}',
  'node_temp_celsius or queue_depth',
  'node_temp_celsius unless node_temp_celsius{instance="a"}',
  'node_temp_celsius{instance="a"} + node_temp_celsius{instance="b"}',
  '1 + 2 * 3 ^ 2 ^ 0.5',
  '2 > bool 1',
  '-node_temp_celsius',
  '(node_temp_celsius + 1) * 2',
  'node_temp_celsius * scalar(count(node_temp_celsius))',
  // histograms
  'histogram_quantile(0.9, rate(req_duration_seconds_bucket[5m]))',
  'histogram_quantile(0.5, sum by (le) (rate(req_duration_seconds_bucket[10m])))',
  'histogram_quantile(0.99, req_duration_seconds_bucket)',
  // other functions and literals
  'time()',
  'vector(1)',
  'scalar(sum(queue_depth))',
  'abs(-node_temp_celsius)',
  'ceil(node_temp_celsius)',
  'floor(node_temp_celsius)',
  'round(node_temp_celsius)',
  'round(node_temp_celsius, 0.5)',
  'clamp_min(node_temp_celsius, 41)',
  'clamp_max(node_temp_celsius, 41)',
  'clamp(node_temp_celsius, 40, 46)',
  'sqrt(queue_depth)',
  'ln(queue_depth)',
  'log2(queue_depth)',
  'sgn(delta(node_temp_celsius[5m]))',
  'sort(node_temp_celsius)',
  'sort_desc(node_temp_celsius)',
  'absent(nonexistent_metric{job="x"})',
  'absent(node_temp_celsius)',
  'label_replace(node_temp_celsius, "host", "h-$1", "instance", "(.*)")',
  '42',
  { q: '"hello"', instant: true },
  // NaN values
  'flaky_gauge',
  'max_over_time(flaky_gauge[5m])',
  'min_over_time(flaky_gauge[2m])',
  'avg_over_time(flaky_gauge[5m])',
  'max(flaky_gauge)',
  'min(flaky_gauge)',
  'sum(flaky_gauge)',
  'sort(flaky_gauge)',
  'sort_desc(flaky_gauge)',
  'topk(1, flaky_gauge)',
  'bottomk(1, flaky_gauge)',
  'flaky_gauge > 11',
  'flaky_gauge != bool 12.5',
  'rate(flaky_gauge[5m])',
  'quantile(0.5, flaky_gauge)',
  // refused by both, with the same error type
  '1 < 2',
  'rate(node_temp_celsius)',
  'sum(node_temp_celsius[5m])',
  '{job=~".*"}',
  'http_requests_total + on(instance) http_requests_total',
  'ceil({__name__=~"node_temp_.*"})',
  'node_temp_celsius offset -5m',
  'nope(node_temp_celsius)',
];

const instantTimes = [min(61) + 7_000, min(67) + 30_000, min(124)];
const ranges: [number, number, number][] = [
  [min(5), min(118), 60_000],
  [min(3) + 3_000, min(125), 437_000],
];

type Outcome = { error: string } | { data: unknown };

const source = new MemorySource(samples);
const scope = { owner: null };

async function ours(run: () => Promise<Parameters<typeof toPrometheusJSON>[0]>): Promise<Outcome> {
  try {
    return { data: toPrometheusJSON(await run()) };
  } catch (e) {
    if (e instanceof PromQLError) return { error: e.errorType };
    throw e;
  }
}

const theirs = (a: PromAnswer): Outcome => (a.status === 'success' ? { data: a.data } : { error: a.errorType! });

function close(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) || Math.abs(x - y) < 1e-12;
}

type Elem = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };

/** Compares two results; element order matters only when the query sorts. */
function compare(q: string, got: Outcome, want: Outcome): void {
  if ('error' in want || 'error' in got) {
    expect(got, `${q}: outcome`).to.deep.equal('error' in want ? want : { data: '(success)' });
    return;
  }
  const g = got.data as { resultType: string; result: unknown };
  const w = want.data as { resultType: string; result: unknown };
  expect(g.resultType, `${q}: resultType`).to.equal(w.resultType);
  if (w.resultType === 'scalar' || w.resultType === 'string') {
    const [gt, gv] = g.result as [number, string];
    const [wt, wv] = w.result as [number, string];
    expect(gt, `${q}: time`).to.equal(wt);
    expect(close(gv, wv), `${q}: ${gv} vs ${wv}`).to.equal(true);
    return;
  }
  const key = (e: Elem): string => JSON.stringify(Object.entries(e.metric).sort());
  let gs = g.result as Elem[];
  let ws = w.result as Elem[];
  if (!/^sort/.test(q)) {
    gs = [...gs].sort((a, b) => key(a).localeCompare(key(b)));
    ws = [...ws].sort((a, b) => key(a).localeCompare(key(b)));
  }
  expect(gs.map(key), `${q}: series`).to.deep.equal(ws.map(key));
  gs.forEach((ge, i) => {
    const we = ws[i]!;
    const gp = ge.values ?? [ge.value!];
    const wp = we.values ?? [we.value!];
    expect(
      gp.map((p) => p[0]),
      `${q} ${key(ge)}: times`,
    ).to.deep.equal(wp.map((p) => p[0]));
    gp.forEach((p, j) =>
      expect(close(p[1], wp[j]![1]), `${q} ${key(ge)} at ${p[0]}: ${p[1]} vs ${wp[j]![1]}`).to.equal(true),
    );
  });
}

describe('PromQL engine against Prometheus 2.42 (differential)', function () {
  this.timeout(120_000);
  let prom: OraclePrometheus;

  before(async function () {
    if (!prometheusAvailable()) this.skip();
    prom = await startOracle(samples);
  });
  after(async () => prom?.stop());

  it('holds at least 60 queries', () => expect(cases.length).to.be.at.least(60));

  for (const c of cases) {
    const q = typeof c === 'string' ? c : c.q;
    it(q, async () => {
      for (const t of instantTimes) {
        const want = theirs(await prom.get('/api/v1/query', { query: q, time: String(t / 1000) }));
        compare(`${q} @${t / 1000}`, await ours(() => instantQuery(source, scope, q, t)), want);
      }
      if (typeof c !== 'string') return;
      for (const [start, end, step] of ranges) {
        const params = { query: q, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000) };
        const want = theirs(await prom.get('/api/v1/query_range', params));
        compare(
          `${q} [${start / 1000}..${end / 1000}/${step / 1000}]`,
          await ours(() => rangeQuery(source, scope, q, start, end, step)),
          want,
        );
      }
    });
  }
});
