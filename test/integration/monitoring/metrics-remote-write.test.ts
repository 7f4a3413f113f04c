// Prometheus remote-write into the store: a real Debian `prometheus` scraping itself and remote-writing to the API
// with a user's bearer token (series read back through GET /api/monitoring/metrics, metadata through the store),
// and the receiver's answers to hand-made bodies (204; 400 with the reason as a problem's detail, storing nothing;
// 401).
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import snappy from 'snappyjs';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { freePort } from '../../support/process.js';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { encodeWriteRequest } from '../../../api/src/monitoring/tsdb/write-request.js';

const WRITE = '/api/monitoring/prometheus/api/v1/write';

describe('monitoring: Prometheus remote-write', function () {
  this.timeout(120_000);
  let app: TestApp;
  let user: { id: string; token: string };

  before(async () => {
    app = await startApp();
    user = await newUser(app, 'remote-writer');
  });
  after(() => app.close());

  const post = (body: Buffer, token = user.token) =>
    app
      .as(token)
      .post(WRITE)
      .set('Content-Type', 'application/x-protobuf')
      .set('Content-Encoding', 'snappy')
      .set('X-Prometheus-Remote-Write-Version', '0.1.0')
      .send(body);

  describe('from a real Prometheus', () => {
    let prom: ChildProcess | undefined;
    let dir: string;
    let promPort: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'atonix-prom-'));
      promPort = await freePort();
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global: { scrape_interval: 1s }',
          'scrape_configs:',
          `  - { job_name: self, static_configs: [{ targets: ['127.0.0.1:${promPort}'] }] }`,
          'remote_write:',
          `  - url: ${app.url}${WRITE}`,
          `    authorization: { credentials: ${user.token} }`,
          '    queue_config: { batch_send_deadline: 1s, max_samples_per_send: 500 }',
          '    metadata_config: { send_interval: 1s }',
        ].join('\n'),
      );
      prom = spawn(
        '/usr/bin/prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore' },
      );
    });
    after(async () => {
      if (prom && prom.exitCode === null) {
        prom.kill('SIGTERM');
        await new Promise((r) => prom!.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    });

    it("stores its scrapes as the token's owner, readable through GET /api/monitoring/metrics", async () => {
      const instance = `127.0.0.1:${promPort}`;
      const body = await eventually(
        async () => {
          const now = Date.now();
          const r = await app
            .as(user.token)
            .get(`/api/monitoring/metrics?name=up&labels=job=self&start=${now - 300_000}&end=${now}&step=1m`)
            .expect(200);
          return r.body.series.length > 0 && r.body;
        },
        'remote-written samples of up{job="self"}',
        60_000,
      );
      expect(body.series[0].labels).to.deep.equal({ __name__: 'up', instance, job: 'self', owner: user.id });
      expect(body.series[0].points.every((p: any) => p.min === 1 && p.max === 1)).to.equal(true);
      // Another user sees none of it.
      const other = await newUser(app, 'not-the-writer');
      const none = await app
        .as(other.token)
        .get(`/api/monitoring/metrics?name=up&start=${Date.now() - 300_000}`)
        .expect(200);
      expect(none.body.series).to.deep.equal([]);
    });

    it('stores the metadata it sends', async () => {
      const meta = await eventually(
        async () => {
          const m = await tsdb(app.platform).source.metadata({ owner: user.id }, 'prometheus_http_requests_total');
          return m.prometheus_http_requests_total && m;
        },
        'remote-written metadata',
        60_000,
      );
      expect(meta.prometheus_http_requests_total![0]!.type).to.equal('counter');
      expect(meta.prometheus_http_requests_total![0]!.help).to.match(/HTTP requests/);
    });
  });

  describe('hand-made requests', () => {
    const now = Date.now();
    const series = (labels: Record<string, string>, samples: [number, number][]) => ({
      labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
      samples: samples.map(([value, timestamp]) => ({ value, timestamp })),
    });

    it('answers 204 and stores every sample, a clashing owner label kept as exported_owner', async () => {
      await post(
        encodeWriteRequest({
          timeseries: [
            series({ __name__: 'rw_test', job: 'j', owner: 'other' }, [
              [1, now - 2000],
              [2, now - 1000],
            ]),
          ],
        }),
      ).expect(204);
      const got = await tsdb(app.platform).source.select(
        { owner: user.id },
        [{ name: '__name__', op: '=', value: 'rw_test' }],
        now - 5000,
        now,
      );
      expect(got).to.deep.equal([
        {
          labels: { __name__: 'rw_test', job: 'j', owner: user.id, exported_owner: 'other' },
          samples: [
            { t: now - 2000, v: 1 },
            { t: now - 1000, v: 2 },
          ],
        },
      ]);
    });

    it('answers 400 for a body that is not snappy, or not a WriteRequest, saying why', async () => {
      const r = await post(Buffer.from('definitely not snappy')).expect(400);
      expect(r.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(r.body.code).to.equal('InvalidWriteRequest');
      expect(r.body.detail).to.match(/^snappy decode error/);
      const r2 = await post(Buffer.from(snappy.compress(Buffer.from([0xff, 0xff, 0xff])))).expect(400);
      expect(r2.body.detail).to.match(/^protobuf decode error/);
    });

    it('answers 400 for an invalid series and stores none of the request', async () => {
      const r = await post(
        encodeWriteRequest({
          timeseries: [
            series({ __name__: 'rw_partial' }, [[1, now]]),
            series({ __name__: 'rw_partial', 'bad-label': 'x' }, [[1, now]]),
          ],
        }),
      ).expect(400);
      expect(r.body.detail).to.equal('invalid label name "bad-label"');
      const missing = await post(encodeWriteRequest({ timeseries: [series({ job: 'x' }, [[1, now]])] })).expect(400);
      expect(missing.body.detail).to.match(/no __name__ label/);
      const got = await tsdb(app.platform).source.select(
        { owner: user.id },
        [{ name: '__name__', op: '=', value: 'rw_partial' }],
        now - 1000,
        now,
      );
      expect(got).to.deep.equal([]);
    });

    it('refuses a request without a valid token', async () => {
      await post(encodeWriteRequest({ timeseries: [] }), 'atx_not_a_token').expect(401);
    });
  });
});
