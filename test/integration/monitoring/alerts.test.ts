// Alerts end to end under the manual platform clock, on real PostgreSQL, the real metrics store and PromQL engine, a
// real local HTTP receiver and the WebSocket: a threshold crossed goes pending, fires once after `for`, posts the
// Alertmanager payload signed with the channel's secret, retries a receiver that fails twice (backoff on the clock,
// visible in the delivery log), resolves, and sends nothing under a silence; a receiver that never answers is retried.
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { watch, type Ev } from '../../support/events.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';

const S = 1000;
const SECRET = 'a-webhook-secret-of-the-owner';
const BUCKET = 'bkt-alerted0001';

describe('monitoring: alerts that fire', function () {
  this.timeout(60_000);
  let app: TestApp;
  let receiver: Receiver;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let as: TestApp['admin'];

  before(async () => {
    app = await startApp({
      ATONIX_CLOCK: 'manual',
      ATONIX_ALERT_RETRY_BASE_SECONDS: '30',
      // a receiver that never answers is given up on quickly (real time: it is the network's wait, not the platform's)
      ATONIX_ALERT_WEBHOOK_TIMEOUT_MS: '500',
    });
    receiver = await startReceiver();
    owner = await newUser(app, 'alert-owner');
    other = await newUser(app, 'alert-other');
    as = app.as(owner.token);
  });
  after(async () => {
    await receiver.close();
    await app.close();
  });

  const setClock = (ms: number) =>
    app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(ms).toISOString() })
      .expect(200);
  /** The bucket's size at `t`: the owner's, and a much larger one of another owner's with the same labels. */
  const sizeAt = async (t: number, bytes: number) => {
    const labels = { resource_id: BUCKET, kind: 'bucket' };
    await tsdb(app.platform).sink.write(owner.id, [
      { name: 'atonix_bucket_size_bytes', labels, value: bytes, timestamp: t },
    ]);
    await tsdb(app.platform).sink.write(other.id, [
      { name: 'atonix_bucket_size_bytes', labels, value: 10 ** 12, timestamp: t },
    ]);
  };
  /** Writes the size at `t`, then moves the clock there (which evaluates what is due and delivers). */
  const step = async (t: number, bytes?: number) => {
    if (bytes !== undefined) await sizeAt(t, bytes);
    await setClock(t);
  };
  const rule = async (id: string) => (await as.get(`/api/monitoring/alerts/${id}`).expect(200)).body;
  const deliveries = async (channel: string) =>
    (await as.get(`/api/monitoring/notification-channels/${channel}/deliveries`).expect(200)).body.items;

  it('goes pending, fires once after `for`, retries a failing receiver, resolves, and stays silent under a silence', async () => {
    const hook = await as
      .post('/api/monitoring/notification-channels')
      .send({
        name: 'ops-hook',
        type: 'webhook',
        url: `${receiver.url}/hook`,
        secret: SECRET,
        headers: { 'X-Team': 'ops' },
      })
      .expect(201);
    expect(hook.body).to.not.have.property('secret');
    const stream = await as
      .post('/api/monitoring/notification-channels')
      .send({ name: 'ops-stream', type: 'websocket' })
      .expect(201);
    const created = await as
      .post('/api/monitoring/alerts')
      .send({
        name: 'BucketTooBig',
        metric: 'atonix_bucket_size_bytes',
        metric_labels: { resource_id: BUCKET },
        statistic: 'max',
        comparison: '>',
        threshold: 1000,
        window: '30s',
        for: '2m',
        interval: '1m',
        labels: { severity: 'page' },
        annotations: { summary: 'Bucket {{ $labels.resource_id }} holds {{ $value }} bytes' },
        channel_ids: [hook.body.id, stream.body.id],
      })
      .expect(201);
    const id = created.body.id;
    expect(created.body).to.include({
      state: 'inactive',
      query: `max_over_time(atonix_bucket_size_bytes{resource_id="${BUCKET}"}[30s]) > 1000`,
    });
    const events = await watch(app.url, owner.token, '?kinds=alert_rule');
    try {
      const E = (k: number) => Date.parse(created.body.next_evaluation_at) + k * 60 * S;

      await step(E(0), 500);
      expect(await rule(id)).to.deep.include({ state: 'inactive', alerts: [], last_error: null });
      expect((await rule(id)).last_evaluated_at).to.equal(new Date(E(0)).toISOString());

      await step(E(1), 5000);
      let r = await rule(id);
      expect(r.state).to.equal('pending');
      expect(r.alerts).to.have.length(1);
      expect(r.alerts[0]).to.deep.include({ state: 'pending', value: 5000, fired_at: null });
      expect(r.alerts[0].labels).to.deep.equal({
        alertname: 'BucketTooBig',
        severity: 'page',
        resource_id: BUCKET,
        kind: 'bucket',
        owner: owner.id,
      });
      await step(E(2), 5000);
      expect((await rule(id)).state).to.equal('pending');
      expect(receiver.received).to.have.length(0);

      // Held for `for` (2m): fires, and the receiver fails the first two attempts.
      receiver.failNext(500, 503);
      await step(E(3), 5000);
      r = await rule(id);
      expect(r.state).to.equal('firing');
      expect(r.alerts[0]).to.deep.include({ state: 'firing', fired_at: new Date(E(3)).toISOString() });
      expect(r.alerts[0].annotations).to.deep.equal({ summary: `Bucket ${BUCKET} holds 5000 bytes` });
      let [d] = await deliveries(hook.body.id);
      expect(d).to.deep.include({ status: 'retrying', attempts: 1, last_status_code: 500, alert_status: 'firing' });
      expect(d.next_attempt_at).to.equal(new Date(E(3) + 30 * S).toISOString());
      expect(d.log).to.have.length(1);
      expect(d.log[0]).to.deep.include({ attempt: 1, status_code: 500 });

      await step(E(3) + 30 * S);
      [d] = await deliveries(hook.body.id);
      expect(d).to.deep.include({ status: 'retrying', attempts: 2, last_status_code: 503 });
      expect(d.next_attempt_at, 'the backoff doubles').to.equal(new Date(E(3) + 90 * S).toISOString());

      await step(E(4), 5000); // still firing: evaluated, nothing new to tell
      await step(E(3) + 90 * S);
      const all = await deliveries(hook.body.id);
      expect(all, 'fired once').to.have.length(1);
      expect(all[0]).to.deep.include({
        status: 'delivered',
        attempts: 3,
        last_status_code: 200,
        next_attempt_at: null,
      });
      expect(all[0].log.map((a: any) => a.status_code)).to.deep.equal([500, 503, 200]);
      expect(receiver.received).to.have.length(3);
      expect(new Set(receiver.received.map((x) => x.raw)).size, 'every attempt sends the same bytes').to.equal(1);

      const sent = receiver.received[2]!;
      expect(sent.path).to.equal('/hook');
      expect(sent.headers['content-type']).to.equal('application/json');
      expect(sent.headers['x-team']).to.equal('ops');
      expect(sent.headers['x-atonix-delivery']).to.equal(all[0].id);
      const expected = `sha256=${createHmac('sha256', SECRET).update(sent.raw).digest('hex')}`;
      expect(sent.headers['x-atonix-signature-256']).to.equal(expected);
      expect(sent.body).to.deep.include({
        receiver: 'ops-hook',
        status: 'firing',
        version: '4',
        groupKey: '{}:{alertname="BucketTooBig"}',
        truncatedAlerts: 0,
      });
      expect(sent.body.groupLabels).to.deep.equal({ alertname: 'BucketTooBig' });
      expect(sent.body.alerts).to.have.length(1);
      expect(Date.parse(sent.body.alerts[0].startsAt)).to.equal(E(3));
      expect(sent.body.alerts[0]).to.deep.include({
        status: 'firing',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `${app.platform.config.alerts.externalUrl}/api/monitoring/alerts/${id}`,
        fingerprint: r.alerts[0].fingerprint,
      });
      expect(sent.body.commonLabels).to.deep.equal(r.alerts[0].labels);

      // The condition no longer holds: resolved, told once, and the alert leaves the rule.
      await step(E(5), 100);
      r = await rule(id);
      expect(r).to.deep.include({ state: 'inactive', alerts: [] });
      const resolved = (await deliveries(hook.body.id))[0];
      expect(resolved).to.deep.include({ status: 'delivered', alert_status: 'resolved', attempts: 1 });
      expect(receiver.received).to.have.length(4);
      expect(receiver.received[3]!.body.status).to.equal('resolved');
      expect(receiver.received[3]!.body.alerts[0].status).to.equal('resolved');
      expect(Date.parse(receiver.received[3]!.body.alerts[0].endsAt)).to.equal(E(5));

      const history = (await as.get(`/api/monitoring/alerts/${id}/history`).expect(200)).body.items.reverse();
      expect(history.map((h: any) => [h.from, h.to, h.value, h.at])).to.deep.equal([
        ['inactive', 'pending', 5000, new Date(E(1)).toISOString()],
        ['pending', 'firing', 5000, new Date(E(3)).toISOString()],
        ['firing', 'resolved', null, new Date(E(5)).toISOString()],
      ]);

      // The state changes were change events of the rule, and the stream channel's notifications events too.
      await events.until((e) => e.type === 'status_changed' && e.id === id && e.status === 'inactive');
      await events.until((e) => e.type === 'alert_rule.notification' && e.id === id && e.status === 'resolved');
      const changes = events.events.filter((e: Ev) => e.type === 'status_changed' && e.id === id).map((e) => e.status);
      expect(changes).to.deep.equal(['pending', 'firing', 'inactive']);
      const told = events.events.filter((e) => e.type === 'alert_rule.notification' && e.id === id);
      expect(told.map((e) => [e.channel_id, e.status])).to.deep.equal([
        [stream.body.id, 'firing'],
        [stream.body.id, 'resolved'],
      ]);

      // Under a silence the alert still goes pending, fires and resolves (in the history), and sends nothing.
      const silence = await as
        .post('/api/monitoring/silences')
        .send({
          matchers: [
            { name: 'resource_id', value: BUCKET },
            { name: 'severity', op: '=~', value: 'page|critical' },
          ],
          ends_at: new Date(E(20)).toISOString(),
          comment: 'migration',
        })
        .expect(201);
      expect(silence.body.state).to.equal('active');
      expect(Date.parse(silence.body.starts_at), 'starts now when not given').to.equal(E(5));
      for (const k of [6, 7, 8]) await step(E(k), 7000);
      r = await rule(id);
      expect(r.state).to.equal('firing');
      expect(r.alerts[0].silenced_by).to.deep.equal([silence.body.id]);
      await step(E(9), 1);
      expect((await rule(id)).state).to.equal('inactive');
      const silenced = (await as.get(`/api/monitoring/alerts/${id}/history?limit=3`).expect(200)).body.items;
      expect(silenced.map((h: any) => [h.to, h.silenced])).to.deep.equal([
        ['resolved', true],
        ['firing', true],
        ['pending', true],
      ]);
      expect(await deliveries(hook.body.id)).to.have.length(2);
      expect(receiver.received).to.have.length(4);

      // Expired, the silence holds nothing back any more.
      await setClock(E(20));
      expect((await as.get(`/api/monitoring/silences/${silence.body.id}`).expect(200)).body.state).to.equal('expired');
    } finally {
      events.ws.close();
    }
  });

  it('counts a receiver that does not answer within the timeout as a failed attempt, and retries it', async () => {
    const hook = await as
      .post('/api/monitoring/notification-channels')
      .send({ name: 'slow-hook', type: 'webhook', url: `${receiver.url}/slow`, secret: SECRET })
      .expect(201);
    const r = await as
      .post('/api/monitoring/alerts')
      .send({ name: 'Slow', expr: 'vector(1)', channel_ids: [hook.body.id] })
      .expect(201);
    receiver.failNext(0); // holds the first request open
    const t = Date.parse(r.body.next_evaluation_at);
    await setClock(t);
    let [d] = await deliveries(hook.body.id);
    expect(d).to.deep.include({ status: 'retrying', attempts: 1, last_status_code: null });
    expect(d.last_error).to.equal('no answer within 500 ms');
    expect(d.next_attempt_at).to.equal(new Date(t + 30 * S).toISOString());
    await setClock(t + 30 * S);
    [d] = await deliveries(hook.body.id);
    expect(d).to.deep.include({ status: 'delivered', attempts: 2, last_status_code: 200 });
  });
});
