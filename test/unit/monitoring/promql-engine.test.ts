// The PromQL engine's own rules beyond what the oracle compares: refusals that name the construct, one fetch per
// selector for a whole range query, the tenant scope reaching the store, and the JSON number formats.
import { expect } from 'chai';
import { instantQuery, rangeQuery, PromQLError, toPrometheusJSON } from '../../../api/src/monitoring/promql/index.js';
import { formatGoFloat } from '../../../api/src/monitoring/promql/literals.js';
import { MemorySource } from '../../support/memory-source.js';
import { min, samples } from './promql-samples.js';

const admin = { owner: null };

async function refusal(q: string): Promise<PromQLError> {
  try {
    await instantQuery(new MemorySource(samples), admin, q, min(60));
  } catch (e) {
    expect(e).to.be.instanceOf(PromQLError);
    return e as PromQLError;
  }
  throw new Error(`${q} was accepted`);
}

describe('PromQL engine', () => {
  describe('refusals', () => {
    const named: [string, string][] = [
      ['rate(node_temp_celsius[5m:1m])', 'unsupported: subquery'],
      ['node_temp_celsius @ 1704067200', 'unsupported: @ modifier'],
      ['node_temp_celsius * on(instance) group_left queue_depth', 'unsupported: group_left'],
      ['node_temp_celsius * on(instance) group_right queue_depth', 'unsupported: group_right'],
      ['label_join(node_temp_celsius, "x", ",", "instance")', 'unsupported: function label_join'],
      ['holt_winters(node_temp_celsius[5m], 0.5, 0.5)', 'unsupported: function holt_winters'],
      ['node_temp_celsius atan2 node_temp_celsius', 'unsupported: operator atan2'],
      ['frobnicate(node_temp_celsius)', 'parse error: unknown function with name "frobnicate"'],
      ['sum(node_temp_celsius', 'parse error'],
      ['1 > 2', 'comparisons between scalars must use BOOL modifier'],
      ['rate(node_temp_celsius)', 'expected type range vector in call to function "rate", got instant vector'],
      ['{instance=~".*"}', 'vector selector must contain at least one non-empty matcher'],
      ['node_temp_celsius{instance=~"("}', 'invalid regular expression'],
    ];
    for (const [q, message] of named) {
      it(`refuses ${q} as bad_data: ${message}`, async () => {
        const e = await refusal(q);
        expect(e.errorType).to.equal('bad_data');
        expect(e.message).to.contain(message);
      });
    }

    it('refuses many-to-many matching as an execution error naming the match group', async () => {
      const e = await refusal('http_requests_total + on(instance) http_requests_total');
      expect(e.errorType).to.equal('execution');
      expect(e.message).to.match(
        /^found duplicate series for the match group \{instance="[ab]"\} on the right hand-side/,
      );
    });

    it('refuses two elements with one label set once names are dropped', async () => {
      const e = await refusal('ceil({__name__=~"node_temp_.*"})');
      expect([e.errorType, e.message]).to.deep.equal([
        'execution',
        'vector cannot contain metrics with the same labelset',
      ]);
    });

    it('refuses a range vector or a string as a range query', async () => {
      for (const q of ['node_temp_celsius[5m]', '"s"']) {
        const e = await rangeQuery(new MemorySource(samples), admin, q, min(10), min(20), 60_000).catch((x) => x);
        expect(e).to.be.instanceOf(PromQLError);
        expect(e.message).to.match(/^invalid expression type "(range vector|string)" for range query/);
      }
    });
  });

  it('fetches each selector once for a whole range query', async () => {
    const source = new MemorySource(samples);
    const q = 'sum(rate(http_requests_total[5m])) / sum(rate(http_requests_total[5m] offset 1h)) + node_temp_celsius';
    await rangeQuery(source, admin, q, min(60), min(118), 15_000).catch(() => undefined);
    expect(source.selects).to.have.length(3);
  });

  it('reads only the scope it is given', async () => {
    const owned = [
      { labels: { __name__: 'up', owner: 'usr-a' }, samples: [{ t: min(1), v: 1 }] },
      { labels: { __name__: 'up', owner: 'usr-b' }, samples: [{ t: min(1), v: 2 }] },
    ];
    const source = new MemorySource(owned);
    const mine = await instantQuery(source, { owner: 'usr-a' }, 'sum(up)', min(2));
    const all = await instantQuery(source, admin, 'sum(up)', min(2));
    expect(toPrometheusJSON(mine)).to.deep.equal({
      resultType: 'vector',
      result: [{ metric: {}, value: [min(2) / 1000, '1'] }],
    });
    expect(toPrometheusJSON(all)).to.deep.equal({
      resultType: 'vector',
      result: [{ metric: {}, value: [min(2) / 1000, '3'] }],
    });
  });

  it("formats values as Go's FormatFloat 'f' -1 does", () => {
    const cases: [number, string][] = [
      [1e21, '1000000000000000000000'],
      [1.5e-7, '0.00000015'],
      [-2.5e22, '-25000000000000000000000'],
      [0.1, '0.1'],
      [NaN, 'NaN'],
      [Infinity, '+Inf'],
      [-Infinity, '-Inf'],
    ];
    for (const [v, s] of cases) expect(formatGoFloat(v)).to.equal(s);
  });
});
