// The Prometheus HTTP API on the real app and store: answers equal to the engine's over the same points, tenancy,
// Prometheus-shaped errors (400 bad_data, 422 execution, 503 timeout), GET and form POST, series/labels/values/
// metadata/buildinfo. Authorization, audit and Basic credentials: prometheus-api-access.test.ts.
import { expect } from 'chai';
import { instantQuery, rangeQuery, toPrometheusJSON } from '../../../api/src/monitoring/promql/index.js';
import type { SeriesData } from '../../../api/src/monitoring/types.js';
import { API, fixture, send } from '../../support/prometheus-fixture.js';
import { ADMIN_TOKEN, newUser, startApp, type TestApp } from '../../support/app.js';
import { MemorySource } from '../../support/memory-source.js';

describe('monitoring: Prometheus HTTP API', () => {
  let app: TestApp;
  let a: { id: string; token: string };
  let b: { id: string; token: string };
  let now: number;
  let mine: SeriesData[];
  let theirs: SeriesData[];

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    a = await newUser(app, 'prom-a');
    b = await newUser(app, 'prom-b');
    // A whole second of platform time, so times read back as Unix seconds are exact.
    now = Math.ceil(Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now) / 1000) * 1000;
    await app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(now).toISOString() })
      .expect(200);
    mine = fixture(a.id, now, ['x', 'y'], 0);
    theirs = fixture(b.id, now, ['z'], 5);
    await send(app, a.token, mine);
    await send(app, b.token, theirs);
  });
  after(() => app.close());

  describe('query and query_range', () => {
    const queries = [
      'sum(rate(http_requests_total[5m]))',
      'node_temp_celsius > 40.5',
      'max by (instance) (avg_over_time(node_temp_celsius[10m]))',
      'count(http_requests_total)',
    ];

    it("answers an instant query as the engine does over the user's own points", async () => {
      for (const q of queries) {
        const t = now - 60_000;
        const r = await app
          .as(a.token)
          .get(`${API}/query`)
          .query({ query: q, time: String(t / 1000) })
          .expect(200);
        expect(r.headers['content-type']).to.match(/^application\/json/);
        const want = toPrometheusJSON(await instantQuery(new MemorySource(mine), { owner: a.id }, q, t));
        expect(r.body, q).to.deep.equal({ status: 'success', data: want });
      }
    });

    it('answers a range query posted as a form (as Grafana sends it) as the engine does', async () => {
      for (const q of queries) {
        const [start, end] = [now - 20 * 60_000, now];
        const r = await app
          .as(a.token)
          .post(`${API}/query_range`)
          .type('form')
          .send({ query: q, start: String(start / 1000), end: new Date(end).toISOString(), step: '30' })
          .expect(200);
        const want = toPrometheusJSON(await rangeQuery(new MemorySource(mine), { owner: a.id }, q, start, end, 30_000));
        expect(want.resultType).to.equal('matrix');
        expect(r.body, q).to.deep.equal({ status: 'success', data: want });
      }
    });

    it('answers GET query_range and POST query alike, time defaulting to the platform clock', async () => {
      const range = await app
        .as(a.token)
        .get(`${API}/query_range`)
        .query({
          query: 'count(node_temp_celsius)',
          start: String((now - 60_000) / 1000),
          end: String(now / 1000),
          step: '1m',
        })
        .expect(200);
      expect(range.body.data.result[0].values).to.deep.equal([
        [(now - 60_000) / 1000, '2'],
        [now / 1000, '2'],
      ]);
      const instant = await app.as(a.token).post(`${API}/query`).type('form').send({ query: 'time()' }).expect(200);
      expect(instant.body.data).to.deep.equal({ resultType: 'scalar', result: [now / 1000, String(now / 1000)] });
    });

    it("shows a user only their own series, and the admin everyone's", async () => {
      const count = async (token: string) => {
        const r = await app
          .as(token)
          .get(`${API}/query`)
          .query({ query: 'count(http_requests_total)', time: String(now / 1000) });
        return r.body.data.result[0]?.value[1];
      };
      expect(await count(a.token)).to.equal('2');
      expect(await count(b.token)).to.equal('1');
      expect(await count(ADMIN_TOKEN)).to.equal('3');
      const r = await app
        .as(b.token)
        .get(`${API}/query`)
        .query({ query: 'http_requests_total', time: String(now / 1000) });
      expect(r.body.data.result.map((e: { metric: { owner: string } }) => e.metric.owner)).to.deep.equal([b.id]);
    });

    it('refuses bad PromQL with 400 bad_data naming the parameter and the construct', async () => {
      for (const [op, path] of [
        ['get', 'query'],
        ['post', 'query'],
        ['get', 'query_range'],
        ['post', 'query_range'],
      ] as const) {
        const query = 'rate(http_requests_total[5m:1m])';
        const params = path === 'query' ? { query } : { query, start: '1', end: '2', step: '1' };
        const req = app.as(a.token)[op](`${API}/${path}`);
        const r = await (op === 'get' ? req.query(params) : req.type('form').send(params));
        expect(r.status, `${op} ${path}`).to.equal(400);
        expect(r.body).to.deep.equal({
          status: 'error',
          errorType: 'bad_data',
          error: 'invalid parameter "query": unsupported: subquery',
        });
      }
    });

    it('refuses bad times, steps and resolutions as Prometheus does', async () => {
      const cases: [Record<string, string>, string][] = [
        [
          { query: 'up', start: 'yesterday', end: '2', step: '1' },
          'invalid parameter "start": cannot parse "yesterday" to a valid timestamp',
        ],
        [{ query: 'up', start: '1', step: '1' }, 'invalid parameter "end": cannot parse "" to a valid timestamp'],
        [{ query: 'up', start: '10', end: '5', step: '1' }, 'end timestamp must not be before start time'],
        [
          { query: 'up', start: '1', end: '2', step: 'often' },
          'invalid parameter "step": cannot parse "often" to a valid duration',
        ],
        [
          { query: 'up', start: '1', end: '2', step: '0' },
          'zero or negative query resolution step widths are not accepted. Try a positive integer',
        ],
        [
          { query: 'up', start: '0', end: '11001', step: '1' },
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        ],
      ];
      for (const [params, error] of cases) {
        const r = await app.as(a.token).get(`${API}/query_range`).query(params).expect(400);
        expect(r.body).to.deep.equal({ status: 'error', errorType: 'bad_data', error });
      }
      const ok = await app
        .as(a.token)
        .get(`${API}/query_range`)
        .query({ query: 'up', start: '0', end: '11000', step: '1' });
      expect(ok.status).to.equal(200);
      const t = await app.as(a.token).get(`${API}/query`).query({ query: 'up', time: 'soon' }).expect(400);
      expect(t.body.error).to.equal('invalid parameter "time": cannot parse "soon" to a valid timestamp');
    });

    it('answers an evaluation failure with 422 execution and a timeout with 503', async () => {
      const manyToMany = 'http_requests_total + on(code) http_requests_total';
      for (const [op, path] of [
        ['get', 'query'],
        ['post', 'query'],
        ['get', 'query_range'],
        ['post', 'query_range'],
      ] as const) {
        const base = {
          start: String((now - 60_000) / 1000),
          end: String(now / 1000),
          step: '60',
          time: String(now / 1000),
        };
        const { time, ...range } = base;
        const params = path === 'query' ? { time } : range;
        const call = (extra: Record<string, string>) => {
          const req = app.as(a.token)[op](`${API}/${path}`);
          return op === 'get' ? req.query({ ...params, ...extra }) : req.type('form').send({ ...params, ...extra });
        };
        const exec = await call({ query: manyToMany });
        expect(exec.status, `${op} ${path}`).to.equal(422);
        expect(exec.body.errorType).to.equal('execution');
        expect(exec.body.error).to.match(/^found duplicate series for the match group \{code="200"\}/);
        // A microsecond cannot hold a round trip to the store: the deadline has passed when evaluation starts.
        const slow = await call({ query: 'sum(http_requests_total)', timeout: '0.000001' });
        expect(slow.status, `${op} ${path} timeout`).to.equal(503);
        expect(slow.body).to.deep.equal({
          status: 'error',
          errorType: 'timeout',
          error: 'query timed out in expression evaluation',
        });
      }
    });
  });

  describe('series, labels, label values, metadata, buildinfo', () => {
    it('finds series by match[], once or repeated, GET or form POST', async () => {
      const r = await app
        .as(a.token)
        .get(`${API}/series`)
        .query({ 'match[]': 'node_temp_celsius{instance="x"}' })
        .expect(200);
      expect(r.body).to.deep.equal({
        status: 'success',
        data: [{ __name__: 'node_temp_celsius', instance: 'x', owner: a.id }],
      });
      const both = await app
        .as(a.token)
        .post(`${API}/series`)
        .type('form')
        .send('match[]=node_temp_celsius%7Binstance%3D%22x%22%7D&match[]=http_requests_total%7Binstance%3D%22y%22%7D')
        .expect(200);
      expect(both.body.data.map((l: Record<string, string>) => `${l.__name__}/${l.instance}`).sort()).to.deep.equal([
        'http_requests_total/y',
        'node_temp_celsius/x',
      ]);
      for (const op of ['get', 'post'] as const) {
        const none = await app.as(a.token)[op](`${API}/series`).expect(400);
        expect(none.body).to.deep.equal({
          status: 'error',
          errorType: 'bad_data',
          error: 'no match[] parameter provided',
        });
        const bad = await app
          .as(a.token)
          [op](`${API}/series?match[]=${encodeURIComponent('rate(x[5m])')}`)
          .expect(400);
        expect(bad.body.errorType).to.equal('bad_data');
      }
    });

    it('lists label names and values of the caller’s series only', async () => {
      const names = await app.as(a.token).get(`${API}/labels`).expect(200);
      expect(names.body).to.deep.equal({ status: 'success', data: ['__name__', 'code', 'instance', 'owner'] });
      const posted = await app
        .as(a.token)
        .post(`${API}/labels`)
        .type('form')
        .send({ 'match[]': 'node_temp_celsius', start: String((now - 3_600_000) / 1000), end: String(now / 1000) })
        .expect(200);
      expect(posted.body.data).to.deep.equal(['__name__', 'instance', 'owner']);
      const values = await app.as(b.token).get(`${API}/label/instance/values`).expect(200);
      expect(values.body).to.deep.equal({ status: 'success', data: ['z'] });
      const metrics = await app.as(a.token).get(`${API}/label/__name__/values`).expect(200);
      expect(metrics.body.data).to.deep.equal(['http_requests_total', 'node_temp_celsius']);
      const bad = await app.as(a.token).get(`${API}/label/not-a-label/values`).expect(400);
      expect(bad.body).to.deep.equal({
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid label name: "not-a-label"',
      });
      for (const op of ['get', 'post'] as const) {
        const r = await app.as(a.token)[op](`${API}/labels?start=never`).expect(400);
        expect(r.body.error).to.equal('invalid parameter "start": cannot parse "never" to a valid timestamp');
      }
    });

    it('answers metadata and build information in Prometheus’ shapes', async () => {
      const meta = await app.as(a.token).get(`${API}/metadata`).query({ metric: 'http_requests_total' }).expect(200);
      expect(meta.body).to.deep.equal({
        status: 'success',
        data: { http_requests_total: [{ type: 'counter', help: 'Requests served.', unit: '' }] },
      });
      const info = await app.as(a.token).get(`${API}/status/buildinfo`).expect(200);
      expect(info.body.status).to.equal('success');
      expect(info.body.data.version).to.equal('2.42.0');
      expect(Object.keys(info.body.data)).to.include.members([
        'version',
        'revision',
        'branch',
        'buildUser',
        'buildDate',
        'goVersion',
      ]);
    });
  });
});
