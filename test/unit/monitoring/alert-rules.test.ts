// The pure parts of alerts: Prometheus durations, the PromQL a metric rule stands for, the templates of labels and
// annotations, and the state machine of one evaluation (for 0s, a pending alert that vanishes, clashing labels).
import { expect } from 'chai';
import { parseDuration } from '../../../api/src/monitoring/alerts/durations.js';
import { fingerprint } from '../../../api/src/monitoring/alerts/payload.js';
import { queryOf } from '../../../api/src/monitoring/alerts/rule-query.js';
import { expand, humanize } from '../../../api/src/monitoring/alerts/templates.js';
import { EvaluationError, evaluate, type RuleShape } from '../../../api/src/monitoring/alerts/transitions.js';

const T = Date.UTC(2026, 5, 1, 12, 0, 0);
const RULE: RuleShape = { name: 'High', labels: { severity: 'page' }, annotations: {}, forMs: 0, generatorURL: 'x' };

describe('alerts: durations', () => {
  it('reads Prometheus durations, units largest first, each once', () => {
    expect(parseDuration('1h30m')).to.equal(5_400_000);
    expect(parseDuration('90s')).to.equal(90_000);
    expect(parseDuration('1d2h3m4s5ms')).to.equal(93_784_005);
    expect(parseDuration('0s')).to.equal(0);
    expect(parseDuration('0')).to.equal(0);
  });
  it('refuses what Prometheus refuses', () => {
    for (const bad of ['', '5', '30m1h', '1h1h', '1.5h', '-5m', '5 m', 'm'])
      expect(parseDuration(bad), bad).to.equal(null);
  });
});

describe('alerts: the PromQL of a metric rule', () => {
  const base = {
    expr: null,
    metric: 'atonix_bucket_size_bytes',
    metric_labels: {},
    statistic: 'avg',
    comparison: '>',
    threshold: 1,
    window: '5m',
    for: '0s',
    interval: '1m',
  };
  it('is the statistic over the window, compared with the threshold; label values are quoted and escaped', () => {
    expect(queryOf({ ...base, metric_labels: { z: 'a"b', a: 'x\\y' } })).to.equal(
      'avg_over_time(atonix_bucket_size_bytes{a="x\\\\y",z="a\\"b"}[5m]) > 1',
    );
    expect(queryOf({ ...base, statistic: 'p99', comparison: '<=', threshold: 0.25 })).to.equal(
      'quantile_over_time(0.99, atonix_bucket_size_bytes[5m]) <= 0.25',
    );
    expect(queryOf({ ...base, statistic: 'count', comparison: '!=' })).to.equal(
      'count_over_time(atonix_bucket_size_bytes[5m]) != 1',
    );
  });
  it('is the expression as written when there is one', () => {
    expect(queryOf({ ...base, expr: 'up == 0' })).to.equal('up == 0');
  });
});

describe('alerts: templates', () => {
  const labels = { instance: 'web-1', job: 'api' };
  it('fills in labels and the value as Prometheus prints them', () => {
    expect(expand('{{ $labels.instance }} is at {{ $value }}', labels, 0.5)).to.equal('web-1 is at 0.5');
    expect(expand('{{.Labels.job}}/{{ .Value }}', labels, 3)).to.equal('api/3');
    expect(expand('{{ index $labels "job" }}', labels, 3)).to.equal('api');
    expect(expand('{{ $labels.missing }}|', labels, 3)).to.equal('|');
    expect(expand('{{ $value }}', labels, 1e21)).to.equal('1e+21');
    expect(expand('{{ $value }}', labels, NaN)).to.equal('NaN');
    expect(expand('{{ printf "%.2f" $value }}%', labels, 93.456)).to.equal('93.46%');
    expect(expand('{{ $labels }}', labels, 1)).to.equal('map[instance:web-1 job:api]');
  });
  it('humanizes with SI prefixes, and leaves what it does not know as written', () => {
    expect(humanize(2147483648)).to.equal('2.147G');
    expect(humanize(1234)).to.equal('1.234k');
    expect(humanize(0.0012)).to.equal('1.2m');
    expect(expand('{{ $value | humanize }}B', labels, 5_000_000)).to.equal('5MB');
    expect(expand('{{ $value | unknownfn }}', labels, 1)).to.equal('{{ $value | unknownfn }}');
  });
});

describe('alerts: one evaluation', () => {
  const series = (instance: string, v: number) => ({ labels: { __name__: 'up', instance }, v });
  it('fires at once with for 0s, labels from the series (without __name__), the rule and alertname', () => {
    const o = evaluate(RULE, [], [series('a', 1)], T, []);
    expect(o.state).to.equal('firing');
    expect(o.alerts[0]!.labels).to.deep.equal({ instance: 'a', severity: 'page', alertname: 'High' });
    expect(o.alerts[0]!.fingerprint).to.equal(fingerprint(o.alerts[0]!.labels));
    expect(o.transitions.map((t) => [t.from, t.to])).to.deep.equal([['inactive', 'firing']]);
    expect(o.notify.map((n) => n.status)).to.deep.equal(['firing']);
  });
  it('drops a pending alert whose series vanished (to inactive, telling no one), and keeps active_at while it stays', () => {
    const rule = { ...RULE, forMs: 60_000 };
    const first = evaluate(rule, [], [series('a', 1), series('b', 1)], T, []);
    expect(first.state).to.equal('pending');
    const second = evaluate(rule, first.alerts, [series('a', 2)], T + 30_000, []);
    expect(second.alerts.map((a) => [a.labels.instance, a.active_at, a.value])).to.deep.equal([
      ['a', new Date(T).toISOString(), 2],
    ]);
    expect(second.transitions.map((t) => [t.labels.instance, t.from, t.to])).to.deep.equal([
      ['b', 'pending', 'inactive'],
    ]);
    expect(second.notify).to.deep.equal([]);
    const third = evaluate(rule, second.alerts, [series('a', 3)], T + 60_000, []);
    expect(third.transitions.map((t) => [t.from, t.to])).to.deep.equal([['pending', 'firing']]);
  });
  it('refuses a result whose series clash once the alert labels are applied', () => {
    const clash = [
      { labels: { __name__: 'a', x: '1' }, v: 1 },
      { labels: { __name__: 'b', x: '1' }, v: 1 },
    ];
    expect(() => evaluate(RULE, [], clash, T, [])).to.throw(EvaluationError);
  });
  it('tells the channels nothing of a change only silenced alerts made, and names the silence on the alert', () => {
    const silence = {
      id: 'sil-1',
      matchers: [{ name: 'instance', op: '=~' as const, value: 'a|c' }],
      starts_at: new Date(T - 1),
      ends_at: new Date(T + 3600_000),
    };
    const o = evaluate(RULE, [], [series('a', 1)], T, [silence]);
    expect(o.alerts[0]!.silenced_by).to.deep.equal(['sil-1']);
    expect(o.transitions[0]!.silenced).to.equal(true);
    expect(o.notify).to.deep.equal([]);
    const both = evaluate(RULE, o.alerts, [series('a', 1), series('b', 1)], T + 60_000, [silence]);
    expect(
      both.notify.map((n) => n.labels.instance),
      'the group as told: audible alerts only',
    ).to.deep.equal(['b']);
  });
});
