// Anomaly subscriptions over HTTP: created at the seed's path, listed, read, patched and deleted; every refusal of
// a bad selector, duration or channel names its field; another owner's subscriptions, episodes and anomalies are
// 404s or absent; and IAM denies ai:Subscribe.
import { expect } from 'chai';
import { THRESHOLDS } from '../../../api/src/ai/anomalies/detectors.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';

describe('ai: anomaly subscriptions', function () {
  this.timeout(60_000);
  let app: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let hook: string;
  let stream: string;
  let othersHook: string;

  const webhook = async (token: string, name: string) =>
    (
      await app
        .as(token)
        .post('/api/monitoring/notification-channels')
        .send({ name, type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-0123' })
        .expect(201)
    ).body.id as string;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    owner = await newUser(app, 'anomaly-owner');
    other = await newUser(app, 'anomaly-other');
    hook = await webhook(owner.token, 'ops-hook');
    othersHook = await webhook(other.token, 'their-hook');
    stream = (
      await app
        .as(owner.token)
        .post('/api/monitoring/notification-channels')
        .send({ name: 'ops-stream', type: 'websocket' })
        .expect(201)
    ).body.id;
  });
  after(() => app.close());

  const valid = () => ({
    name: 'cpu',
    selector: 'atonix_instance_cpu_utilization_percent{resource_id="inst-abc1"}',
    channel: { type: 'webhook', notification_channel_id: hook },
  });
  const refused = async (body: Record<string, unknown>, pointer: string, status = 422) => {
    const r = await app.as(owner.token).post('/api/ai/anomalies/subscribe').send(body).expect(status);
    expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).to.include(pointer);
    return r.body;
  };

  describe('POST /api/ai/anomalies/subscribe', () => {
    it('creates a learning subscription with the sensitivity threshold', async () => {
      const r = await app.as(owner.token).post('/api/ai/anomalies/subscribe').send(valid()).expect(201);
      expect(r.headers.location).to.equal(`/api/ai/anomalies/subscriptions/${r.body.id}`);
      expect(r.body.id).to.match(/^asub-/);
      expect(r.body).to.deep.include({
        mode: 'series',
        sensitivity: 'medium',
        min_duration: '5m',
        step: '1m',
        enabled: true,
        threshold: THRESHOLDS.medium,
        status: 'learning',
        false_positives: 0,
        owner: owner.id,
      });
      expect(r.body.channel).to.deep.equal({ type: 'webhook', notification_channel_id: hook });
      expect(r.body.status_reason).to.match(/^learning/);
    });

    it('refuses a selector that does not parse or names no metric, at /selector', async () => {
      const bad = await refused({ ...valid(), selector: 'cpu{resource_id=' }, '/selector');
      expect(bad.code).to.equal('ValidationFailed');
      await refused({ ...valid(), selector: '{resource_id="inst-abc1"}' }, '/selector');
      await refused({ ...valid(), selector: 'rate(cpu[5m])' }, '/selector');
    });

    it('refuses durations it cannot use, at their fields', async () => {
      await refused({ ...valid(), step: '1s' }, '/step');
      await refused({ ...valid(), step: '1m5m' }, '/step');
      await refused({ ...valid(), min_duration: 'soon' }, '/min_duration');
    });

    it('refuses an unknown channel, another owner’s, a websocket one named as a webhook, and a missing id', async () => {
      const ptr = '/channel/notification_channel_id';
      const unknown = await refused(
        { ...valid(), channel: { type: 'webhook', notification_channel_id: 'nch-nothere0' } },
        ptr,
      );
      expect(unknown.code).to.equal('ReferenceNotFound');
      const theirs = await refused(
        { ...valid(), channel: { type: 'webhook', notification_channel_id: othersHook } },
        ptr,
      );
      expect(theirs.code).to.equal('ReferenceNotFound');
      await refused({ ...valid(), channel: { type: 'webhook', notification_channel_id: stream } }, ptr);
      await refused({ ...valid(), channel: { type: 'webhook' } }, ptr);
      await refused({ ...valid(), channel: { type: 'websocket', notification_channel_id: hook } }, ptr);
      await refused({ ...valid(), channel: { type: 'email' } }, '/channel/type', 422);
    });
  });

  describe('list, get, patch, delete', () => {
    it('lists newest first with filters, patches sensitivity (the threshold follows) and deletes', async () => {
      const as = app.as(owner.token);
      const a = (
        await as
          .post('/api/ai/anomalies/subscribe')
          .send({ ...valid(), name: 'list-a' })
          .expect(201)
      ).body;
      const b = (
        await as
          .post('/api/ai/anomalies/subscribe')
          .send({ ...valid(), name: 'list-b', mode: 'resource', channel: { type: 'websocket' } })
          .expect(201)
      ).body;
      const page = (await as.get('/api/ai/anomalies/subscriptions?limit=1').expect(200)).body;
      expect(page.items.map((s: { id: string }) => s.id)).to.deep.equal([b.id]);
      const next = (await as.get(`/api/ai/anomalies/subscriptions?limit=1&cursor=${page.next_cursor}`).expect(200))
        .body;
      expect(next.items[0].id).to.equal(a.id);
      const resource = (await as.get('/api/ai/anomalies/subscriptions?mode=resource').expect(200)).body.items;
      expect(resource.map((s: { id: string }) => s.id)).to.deep.equal([b.id]);
      expect(b.channel).to.deep.equal({ type: 'websocket' });

      const got = await as.get(`/api/ai/anomalies/subscriptions/${a.id}`).expect(200);
      const patched = await as
        .patch(`/api/ai/anomalies/subscriptions/${a.id}`)
        .set('If-Match', got.headers.etag)
        .send({ sensitivity: 'high', min_duration: '2m' })
        .expect(200);
      expect(patched.body).to.deep.include({ sensitivity: 'high', min_duration: '2m', threshold: THRESHOLDS.high });
      await as
        .patch(`/api/ai/anomalies/subscriptions/${a.id}`)
        .send({ selector: 'nope{' })
        .expect(422)
        .then((r) => expect(r.body.errors[0].pointer).to.equal('/selector'));
      await as
        .patch(`/api/ai/anomalies/subscriptions/${a.id}`)
        .set('If-Match', got.headers.etag)
        .send({ name: 'stale' })
        .expect(412);
      await as.delete(`/api/ai/anomalies/subscriptions/${a.id}`).expect(204);
      await as.get(`/api/ai/anomalies/subscriptions/${a.id}`).expect(404);
    });
  });

  describe('tenancy and IAM', () => {
    it('answers 404 for another owner’s subscription and lists none of theirs', async () => {
      const mine = (await app.as(owner.token).post('/api/ai/anomalies/subscribe').send(valid()).expect(201)).body;
      const them = app.as(other.token);
      await them.get(`/api/ai/anomalies/subscriptions/${mine.id}`).expect(404);
      await them.patch(`/api/ai/anomalies/subscriptions/${mine.id}`).send({ name: 'x' }).expect(404);
      await them.delete(`/api/ai/anomalies/subscriptions/${mine.id}`).expect(404);
      expect((await them.get('/api/ai/anomalies/subscriptions').expect(200)).body.items).to.deep.equal([]);
      await them.get('/api/ai/anomalies/episodes/aep-nothere0').expect(404);
      await them.post('/api/ai/anomalies/episodes/aep-nothere0/false-positive').expect(404);
    });

    it('refuses a user whose policy denies ai:Subscribe (403), and audits the refusal', async () => {
      const deny = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-anomaly-subscriptions',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ai:Subscribe', Resource: '*' }] },
        })
        .expect(201);
      const u = await newUser(app, 'anomaly-denied');
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: deny.body.id }).expect(201);
      const channel = await webhook(u.token, 'denied-hook');
      const r = await app
        .as(u.token)
        .post('/api/ai/anomalies/subscribe')
        .send({ ...valid(), channel: { type: 'webhook', notification_channel_id: channel } })
        .expect(403);
      expect(r.body.detail).to.include('ai:Subscribe');
      await app.as(u.token).get('/api/ai/anomalies/subscriptions').expect(200);
      const audit = (await app.admin.get(`/api/security/audit-logs?user_id=${u.id}&action=ai:Subscribe`).expect(200))
        .body.items;
      expect(audit.map((a: { status: string }) => a.status)).to.include('failure');
    });
  });
});
