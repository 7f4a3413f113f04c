// Real Prometheus clients against the API: Debian's promtool 2.42 (`query instant|range|series|labels`, with the
// token as a Basic password in the URL or as a bearer header), and the exact requests Grafana's Prometheus data
// source sends (health check, form-POSTed queries, label and series lookups, metadata, buildinfo).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { ADMIN_TOKEN, newUser, startApp, type TestApp } from '../../support/app.js';
import { PROMTOOL } from '../../support/prometheus.js';
import { API, fixture, send } from '../../support/prometheus-fixture.js';

const run = promisify(execFile);

/** promtool's answer as JSON (run asynchronously: the API it calls lives in this process). */
async function promtool(args: string[]): Promise<unknown> {
  const r = await run(PROMTOOL, ['query', '-o', 'json', ...args], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(r.stdout);
}

/** A Grafana-style request: the data source's URL, a bearer token, and (POST) a urlencoded form. */
async function grafana(app: TestApp, token: string, path: string, form?: Record<string, string>) {
  const res = await fetch(`${app.url}${API}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json, text/plain, */*',
      ...(form && { 'Content-Type': 'application/x-www-form-urlencoded' }),
      'User-Agent': 'Grafana/10.4.0',
    },
    body: form && new URLSearchParams(form).toString(),
  });
  expect(res.headers.get('content-type'), path).to.match(/^application\/json/);
  return { status: res.status, body: (await res.json()) as { status: string; data: any } };
}

/** What Grafana's response parser relies on for a matrix: label objects and [seconds, "value"] pairs. */
function expectMatrix(data: any): void {
  expect(data.resultType).to.equal('matrix');
  for (const s of data.result) {
    expect(s.metric).to.be.an('object');
    for (const [t, v] of s.values) {
      expect(t).to.be.a('number');
      expect(v).to.be.a('string');
    }
  }
}

describe('monitoring: Prometheus clients against the API', function () {
  let app: TestApp;
  let user: { id: string; token: string };
  let now: number;
  let base: string;

  before(async function () {
    if (!existsSync(PROMTOOL)) {
      if (process.env.CI === 'true') throw new Error(`${PROMTOOL} is required with CI=true`);
      this.skip();
    }
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    user = await newUser(app, 'prom-clients');
    now = Math.ceil(Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now) / 1000) * 1000;
    await app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(now).toISOString() })
      .expect(200);
    await send(app, user.token, fixture(user.id, now, ['x', 'y'], 0));
    await send(app, ADMIN_TOKEN, fixture('admin', now, ['other'], 3));
    base = `${app.url.replace('://', `://grafana:${encodeURIComponent(user.token)}@`)}/api/monitoring/prometheus`;
  });
  after(() => app?.close());

  describe('promtool query', () => {
    it('instant: evaluates an expression at --time', async () => {
      const out = (await promtool([
        'instant',
        `--time=${now / 1000}`,
        base,
        'sum by (instance) (node_temp_celsius)',
      ])) as {
        metric: Record<string, string>;
        value: [number, string];
      }[];
      expect(out.map((e) => e.metric.instance).sort()).to.deep.equal(['x', 'y']);
      for (const e of out) expect(e.value[0]).to.equal(now / 1000);
    });

    it('range: a bearer token in --header, --start/--end/--step', async () => {
      const plain = `${app.url}/api/monitoring/prometheus`;
      const out = (await promtool([
        'range',
        `--header=Authorization: Bearer ${user.token}`,
        `--start=${new Date(now - 10 * 60_000).toISOString()}`,
        `--end=${new Date(now).toISOString()}`,
        '--step=1m',
        plain,
        'count(http_requests_total)',
      ])) as { metric: Record<string, string>; values: [number, string][] }[];
      expect(out).to.have.length(1);
      expect(out[0]!.values).to.have.length(11);
      expect(out[0]!.values.every(([, v]) => v === '2')).to.equal(true);
    });

    it("series and labels: only the caller's series", async () => {
      const series = (await promtool(['series', '--match=http_requests_total', base])) as Record<string, string>[];
      expect(series.map((s) => s.instance).sort()).to.deep.equal(['x', 'y']);
      expect(series.every((s) => s.owner === user.id)).to.equal(true);
      const values = await promtool(['labels', base, 'instance']);
      expect(values).to.deep.equal(['x', 'y']);
    });

    it('instant: an unsupported construct is the API’s bad_data error', async () => {
      const r = await run(PROMTOOL, ['query', 'instant', base, 'node_temp_celsius @ 100'], { encoding: 'utf8' }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code).to.not.equal(0);
      expect(r.stderr).to.contain('bad_data');
      expect(r.stderr).to.contain('unsupported: @ modifier');
    });
  });

  describe("Grafana's Prometheus data source requests", () => {
    it('health check: buildinfo, then the instant query 1+1 posted as a form', async () => {
      const info = await grafana(app, user.token, '/status/buildinfo');
      expect(info.status).to.equal(200);
      expect(info.body.data.version).to.match(/^2\.\d+\.\d+$/);
      // Grafana's backend health check runs `1+1` as an instant query over the range 1..4 s after the epoch.
      const health = await grafana(app, user.token, '/query', { query: '1+1', time: '4' });
      expect(health).to.deep.equal({
        status: 200,
        body: { status: 'success', data: { resultType: 'scalar', result: [4, '2'] } },
      });
    });

    it('a panel: query_range POSTed with start, end and step aligned to the step', async () => {
      const step = 15;
      const end = Math.floor(now / 1000 / step) * step;
      const start = end - 30 * 60;
      const r = await grafana(app, user.token, '/query_range', {
        query: 'sum by (instance) (rate(http_requests_total[1m]))',
        start: String(start),
        end: String(end),
        step: String(step),
      });
      expect(r.status).to.equal(200);
      expectMatrix(r.body.data);
      expect(r.body.data.result.map((s: any) => s.metric.instance)).to.deep.equal(['x', 'y']);
      const times = r.body.data.result[0].values.map((p: [number, string]) => p[0]);
      expect(times[0]).to.be.at.least(start);
      expect(times.every((t: number) => (t - start) % step === 0)).to.equal(true);
    });

    it('the query editor: labels with start/end, metric names, label values, series with match[], metadata', async () => {
      const range = { start: String(now / 1000 - 3600), end: String(now / 1000) };
      const q = `start=${range.start}&end=${range.end}`;
      const labels = await grafana(app, user.token, `/labels?${q}`);
      expect(labels.body).to.deep.equal({ status: 'success', data: ['__name__', 'code', 'instance', 'owner'] });
      const postedLabels = await grafana(app, user.token, '/labels', range);
      expect(postedLabels.body.data).to.deep.equal(labels.body.data);
      const names = await grafana(app, user.token, `/label/__name__/values?${q}`);
      expect(names.body.data).to.deep.equal(['http_requests_total', 'node_temp_celsius']);
      const match = encodeURIComponent('node_temp_celsius');
      const series = await grafana(app, user.token, `/series?match%5B%5D=${match}&${q}`);
      expect(series.body.data).to.have.length(2);
      const values = await grafana(app, user.token, `/label/instance/values?match%5B%5D=${match}&${q}`);
      expect(values.body.data).to.deep.equal(['x', 'y']);
      const meta = await grafana(app, user.token, '/metadata');
      expect(meta.body.status).to.equal('success');
      expect(meta.body.data).to.have.property('http_requests_total');
    });
  });
});
