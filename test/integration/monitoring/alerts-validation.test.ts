// What alert rules, notification channels and silences refuse, each a 422 problem naming the field: PromQL the engine
// rejects (with its message), a rule that is both or neither kind, bad durations, another owner's channel, a webhook
// without URL or secret, reserved headers, a silence that ends before it starts or whose regular expression is bad.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

describe('monitoring: alerts refuse bad input', function () {
  this.timeout(60_000);
  let app: TestApp;
  let as: TestApp['admin'];
  let theirChannel: string;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    as = app.as((await newUser(app, 'alert-validator')).token);
    const other = app.as((await newUser(app, 'alert-stranger')).token);
    theirChannel = (
      await other.post('/api/monitoring/notification-channels').send({ name: 'x', type: 'websocket' }).expect(201)
    ).body.id;
  });
  after(() => app.close());

  /** The pointers and details of a 422 problem. */
  const refused = async (req: Promise<any>) => {
    const r = await req;
    expect(r.status, JSON.stringify(r.body)).to.equal(422);
    expect(r.headers['content-type']).to.match(/^application\/problem\+json/);
    return r.body.errors as { pointer: string; detail: string }[];
  };
  const createRule = (body: object) => as.post('/api/monitoring/alerts').send({ name: 'r', ...body });

  describe('POST /api/monitoring/alerts', () => {
    it('refuses PromQL that does not parse, at /expr, with the parse error', async () => {
      const [e] = await refused(createRule({ expr: 'sum(rate(x[5m])' }));
      expect(e!.pointer).to.equal('/expr');
      expect(e!.detail).to.match(/parse error|unexpected|unclosed/i);
    });
    it('refuses an expression that is a range vector, not something alerts can fire on', async () => {
      const [e] = await refused(createRule({ expr: 'atonix_bucket_size_bytes[5m]' }));
      expect(e).to.deep.include({ pointer: '/expr' });
      expect(e!.detail).to.match(/range vector/i);
    });
    it('refuses a function the engine does not know, naming it', async () => {
      const [e] = await refused(createRule({ expr: 'no_such_function(up)' }));
      expect(e!.pointer).to.equal('/expr');
      expect(e!.detail).to.contain('no_such_function');
    });
    it('refuses both expr and metric, and neither', async () => {
      expect((await refused(createRule({ expr: 'up > 0', metric: 'up' })))[0]!.pointer).to.equal('/metric');
      expect((await refused(createRule({})))[0]!.pointer).to.equal('/expr');
    });
    it('refuses durations Prometheus would not parse, an interval under a second, a bad label name', async () => {
      const errors = await refused(
        createRule({ metric: 'up', for: '5m3h', interval: '500ms', window: '0s', metric_labels: { 'bad-name': 'x' } }),
      );
      expect(errors.map((e) => e.pointer)).to.have.members(['/for', '/interval', '/window', '/metric_labels/bad-name']);
    });
    it("refuses a channel the owner cannot see (another owner's), at its index", async () => {
      const [e] = await refused(createRule({ expr: 'up > 0', channel_ids: [theirChannel] }));
      expect(e).to.deep.include({ pointer: '/channel_ids/0' });
    });
  });

  describe('PATCH /api/monitoring/alerts/{id}', () => {
    it('checks a changed expression again and leaves the rule as it was', async () => {
      const r = await createRule({ expr: 'up > 0' }).expect(201);
      const [e] = await refused(as.patch(`/api/monitoring/alerts/${r.body.id}`).send({ expr: 'up >' }));
      expect(e!.pointer).to.equal('/expr');
      const after = await as.get(`/api/monitoring/alerts/${r.body.id}`).expect(200);
      expect(after.body).to.include({ expr: 'up > 0', query: 'up > 0', etag: r.body.etag });
    });
    it('turns a metric rule into PromQL again when its threshold changes, and disabling clears its schedule', async () => {
      const r = await createRule({
        metric: 'atonix_instance_cpu_utilization_percent',
        statistic: 'p95',
        threshold: 80,
      });
      expect(r.status).to.equal(201);
      expect(r.body.query).to.equal('quantile_over_time(0.95, atonix_instance_cpu_utilization_percent[5m]) > 80');
      const p = await as
        .patch(`/api/monitoring/alerts/${r.body.id}`)
        .send({ threshold: 90.5, comparison: '<=', enabled: false })
        .expect(200);
      expect(p.body).to.include({
        query: 'quantile_over_time(0.95, atonix_instance_cpu_utilization_percent[5m]) <= 90.5',
        next_evaluation_at: null,
        state: 'inactive',
      });
    });
  });

  describe('POST /api/monitoring/notification-channels', () => {
    const create = (body: object) => as.post('/api/monitoring/notification-channels').send({ name: 'c', ...body });
    it('refuses a webhook without URL or secret, and a non-http URL', async () => {
      expect((await refused(create({ type: 'webhook' }))).map((e) => e.pointer)).to.have.members(['/url', '/secret']);
      const [e] = await refused(
        create({ type: 'webhook', url: 'ftp://example.com/x', secret: 'sixteen-chars-secret' }),
      );
      expect(e!.pointer).to.equal('/url');
    });
    it('refuses headers the platform sets itself (the signature among them)', async () => {
      const errors = await refused(
        create({
          type: 'webhook',
          url: 'http://127.0.0.1:9/',
          secret: 'sixteen-chars-secret',
          headers: { 'X-Atonix-Signature-256': 'forged', 'Content-Type': 'text/plain' },
        }),
      );
      expect(errors.map((e) => e.pointer)).to.have.members([
        '/headers/X-Atonix-Signature-256',
        '/headers/Content-Type',
      ]);
    });
    it('refuses a URL on a websocket channel, and a short secret (schema)', async () => {
      expect((await refused(create({ type: 'websocket', url: 'http://x/' })))[0]!.pointer).to.equal('/url');
      expect((await refused(create({ type: 'webhook', url: 'http://x/', secret: 'short' })))[0]!.pointer).to.equal(
        '/secret',
      );
    });
    it('never answers the secret, on create, get or list', async () => {
      const c = await create({ type: 'webhook', url: 'http://127.0.0.1:9/', secret: 'sixteen-chars-secret' });
      expect(c.status).to.equal(201);
      const got = await as.get(`/api/monitoring/notification-channels/${c.body.id}`).expect(200);
      const list = await as.get('/api/monitoring/notification-channels').expect(200);
      for (const body of [c.body, got.body, ...list.body.items]) expect(body).to.not.have.property('secret');
    });
  });

  describe('POST /api/monitoring/silences', () => {
    const now = async () => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
    it('refuses an end before the start, and a regular expression that does not compile', async () => {
      const t = await now();
      const errors = await refused(
        as.post('/api/monitoring/silences').send({
          matchers: [{ name: 'job', op: '=~', value: '(unclosed' }],
          starts_at: new Date(t + 3600_000).toISOString(),
          ends_at: new Date(t).toISOString(),
        }),
      );
      expect(errors.map((e) => e.pointer)).to.have.members(['/ends_at', '/matchers/0/value']);
    });
    it('is pending before it starts; an op left out stays out (and means =)', async () => {
      const t = await now();
      const s = await as
        .post('/api/monitoring/silences')
        .send({
          matchers: [{ name: 'alertname', value: 'X' }],
          starts_at: new Date(t + 60_000).toISOString(),
          ends_at: new Date(t + 120_000).toISOString(),
        })
        .expect(201);
      expect(s.body).to.deep.include({ state: 'pending', name: 'silence' });
      expect(s.body.matchers).to.deep.equal([{ name: 'alertname', value: 'X' }]);
    });
  });

  describe('DELETE /api/monitoring/notification-channels/{id}', () => {
    it('refuses a channel rules still send to with 409 naming them, and deletes it once they are gone', async () => {
      const c = await as.post('/api/monitoring/notification-channels').send({ name: 'used', type: 'websocket' });
      const r = await createRule({ expr: 'up > 0', channel_ids: [c.body.id] }).expect(201);
      const refused = await as.delete(`/api/monitoring/notification-channels/${c.body.id}`).expect(409);
      expect(refused.body).to.include({ code: 'ResourceInUse' });
      expect(refused.body.blocked_by).to.deep.equal([{ kind: 'alert_rule', id: r.body.id }]);
      await as.patch(`/api/monitoring/alerts/${r.body.id}`).send({ channel_ids: [] }).expect(200);
      await as.delete(`/api/monitoring/notification-channels/${c.body.id}`).expect(204);
    });
  });
});
