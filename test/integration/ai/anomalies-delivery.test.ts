// Anomaly detection end to end under the manual platform clock: points written with POST /api/monitoring/metrics,
// the clock moved a step at a time. A subscription learns until its series has enough history, then scores each
// new point; a spike that lasts min_duration is one episode delivered exactly once to a real local webhook receiver
// (signed with the channel's secret), a second spike a second delivery, a one-point blip is stored but not
// delivered; false-positive feedback raises the threshold so the same spike no longer delivers; a websocket channel
// gets an event; and a restart mid-episode does not deliver twice.
import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import { minimumBaselinePoints } from '../../../api/src/ai/anomalies/detectors.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { watch } from '../../support/events.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';

const MIN = 60_000;
const SECRET = 'an-anomaly-webhook-secret';
const METRIC = 'atonix_instance_cpu_utilization_percent';
const SPIKE = 60;

/** The false-positive test's instance is flat (no daily cycle), so its modest spike scores the same every run. */
const FLAT = 'inst-falsep01';
const MODEST = 5;

/** A smooth daily cycle with a little deterministic noise (±1): what a quiet instance's CPU looks like. */
const normal = (t: number, resource: string) => {
  const k = Math.floor(t / MIN);
  const noise = (((k * 9301 + 49297) % 233280) / 233280 - 0.5) * 2;
  return 40 + (resource === FLAT ? 0 : 5) * Math.sin((2 * Math.PI * t) / 86_400_000) + noise;
};

describe('ai: anomaly detection as points arrive', function () {
  this.timeout(180_000);
  const env = { ATONIX_CLOCK: 'manual' };
  let app: TestApp;
  let receiver: Receiver;
  let owner: { id: string; token: string };
  let hook: string;
  let now: number;

  const setClock = async (ms: number) => {
    await app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(ms).toISOString() })
      .expect(200);
    now = ms;
  };
  const write = async (resource: string, points: { t: number; v: number }[]) => {
    for (let i = 0; i < points.length; i += 1000)
      await app
        .as(owner.token)
        .post('/api/monitoring/metrics')
        .send({
          points: points
            .slice(i, i + 1000)
            .map((p) => ({ name: METRIC, labels: { resource_id: resource }, value: p.v, timestamp: p.t })),
        })
        .expect(204);
  };
  /** Enough history for a baseline, ending a step before now. */
  const history = (resource: string, extra = 5) => {
    const n = minimumBaselinePoints(60) + extra;
    return write(
      resource,
      Array.from({ length: n }, (_, i) => now - (n - i) * MIN).map((t) => ({ t, v: normal(t, resource) })),
    );
  };
  /** One step: a point a minute on (normal, or `normal + add`), then the clock moved there. */
  const minute = async (resource: string, add = 0) => {
    const t = now + MIN;
    await write(resource, [{ t, v: normal(t, resource) + add }]);
    await setClock(t);
  };
  const subscribe = async (resource: string, extra: Record<string, unknown> = {}) =>
    (
      await app
        .as(owner.token)
        .post('/api/ai/anomalies/subscribe')
        .send({
          name: `watch-${resource}`,
          selector: `${METRIC}{resource_id="${resource}"}`,
          min_duration: '3m',
          channel: { type: 'webhook', notification_channel_id: hook },
          ...extra,
        })
        .expect(201)
    ).body;
  const subscription = async (id: string) =>
    (await app.as(owner.token).get(`/api/ai/anomalies/subscriptions/${id}`).expect(200)).body;
  const episodes = async (id: string) =>
    (await app.as(owner.token).get(`/api/ai/anomalies/episodes?subscription_id=${id}`).expect(200)).body.items;
  const mine = (id: string) => receiver.received.filter((r) => r.body?.subscription?.id === id);

  before(async () => {
    app = await startApp(env);
    receiver = await startReceiver();
    owner = await newUser(app, 'anomaly-watcher');
    hook = (
      await app
        .as(owner.token)
        .post('/api/monitoring/notification-channels')
        .send({ name: 'anomaly-hook', type: 'webhook', url: `${receiver.url}/anomalies`, secret: SECRET })
        .expect(201)
    ).body.id;
    await setClock(Math.ceil(Date.now() / MIN) * MIN + MIN);
  });
  after(async () => {
    await receiver.close();
    await app.close();
  });

  it('learns until the series has enough history, saying how much more it needs, then is active', async () => {
    const sub = await subscribe('inst-learn001');
    await write('inst-learn001', [
      { t: now - 2 * MIN, v: 40 },
      { t: now - MIN, v: 41 },
    ]);
    await minute('inst-learn001');
    const learning = await subscription(sub.id);
    expect(learning.status).to.equal('learning');
    expect(learning.status_reason).to.match(new RegExp(`3 of ${minimumBaselinePoints(60)} points`));
    await history('inst-learn001');
    await minute('inst-learn001');
    expect(await subscription(sub.id)).to.deep.include({ status: 'active', status_reason: null });
  });

  it('delivers a spike episode exactly once when it reaches min_duration, signed; a second spike a second time', async () => {
    const R = 'inst-spike001';
    const sub = await subscribe(R);
    await history(R);
    await minute(R);
    expect((await subscription(sub.id)).status).to.equal('active');
    await minute(R);
    await minute(R, SPIKE);
    await minute(R, SPIKE);
    expect(mine(sub.id), 'two minutes are shorter than min_duration').to.have.length(0);
    let [ep] = await episodes(sub.id);
    expect(ep).to.deep.include({ status: 'open', points: 2, delivered: false, duration_seconds: 120 });

    await minute(R, SPIKE);
    expect(mine(sub.id)).to.have.length(1);
    const [d] = mine(sub.id);
    expect(d!.headers['x-atonix-signature-256']).to.equal(
      `sha256=${createHmac('sha256', SECRET).update(d!.raw).digest('hex')}`,
    );
    [ep] = await episodes(sub.id);
    expect(ep).to.deep.include({ delivered: true, points: 3, duration_seconds: 180 });
    expect(d!.body).to.deep.include({ type: 'anomaly.episode', status: 'firing' });
    expect(d!.body.subscription).to.deep.include({ id: sub.id, selector: sub.selector, sensitivity: 'medium' });
    const body = d!.body.episode;
    expect(body).to.deep.include({ id: ep.id, subscription_id: sub.id, start: ep.start });
    expect(body.labels).to.include({ __name__: METRIC, resource_id: R });
    expect(body.peak_score).to.be.greaterThan(sub.threshold);
    expect(body.observed).to.be.greaterThan(body.expected_range.high);
    expect(body.expected).to.be.within(body.expected_range.low, body.expected_range.high);
    expect(body.drivers[0].labels).to.include({ resource_id: R });
    const deliveries = (
      await app.as(owner.token).get(`/api/monitoring/notification-channels/${hook}/deliveries`).expect(200)
    ).body.items.filter((x: { payload: any }) => x.payload.subscription?.id === sub.id);
    expect(deliveries.map((x: { status: string; id: string }) => [x.status, x.id])).to.deep.equal([
      ['delivered', ep.delivery_id],
    ]);

    await minute(R, SPIKE);
    expect(mine(sub.id), 'the same episode goes on: no second delivery').to.have.length(1);
    for (let i = 0; i < 4; i++) await minute(R);
    [ep] = await episodes(sub.id);
    expect(ep).to.deep.include({ status: 'closed', points: 4 });
    const anomalies = (await app.as(owner.token).get(`/api/ai/anomalies?episode_id=${ep.id}`).expect(200)).body;
    expect(anomalies.items).to.have.length(4);
    expect(anomalies.items[0]).to.deep.include({ metric: METRIC, resource_id: R, subscription_id: sub.id });

    for (let i = 0; i < 3; i++) await minute(R, SPIKE);
    expect(mine(sub.id)).to.have.length(2);
    const both = await episodes(sub.id);
    expect(both).to.have.length(2);
    expect(mine(sub.id)[1]!.body.episode.id).to.equal(both[0].id).and.not.equal(ep.id);
  });

  it('stores a one-point blip shorter than min_duration but does not deliver it', async () => {
    const R = 'inst-blip0001';
    const sub = await subscribe(R);
    await history(R);
    await minute(R);
    await minute(R, SPIKE);
    for (let i = 0; i < 4; i++) await minute(R);
    const [ep] = await episodes(sub.id);
    expect(ep).to.deep.include({ status: 'closed', points: 1, delivered: false, delivery_id: null });
    const stored = (await app.as(owner.token).get(`/api/ai/anomalies?subscription_id=${sub.id}`).expect(200)).body;
    expect(stored.items).to.have.length(1);
    expect(stored.items[0].episode_id).to.equal(ep.id);
    expect(mine(sub.id)).to.have.length(0);
  });

  it('takes false-positive feedback once, raises the threshold, and the same spike then delivers nothing', async () => {
    // A modest spike on a flat series: one feedback can lift the threshold above it (the tuning is capped at 2.5 x
    // the base, so a gross anomaly always shows).
    const R = FLAT;
    const sub = await subscribe(R);
    await history(R);
    await minute(R);
    for (let i = 0; i < 3; i++) await minute(R, MODEST);
    expect(mine(sub.id)).to.have.length(1);
    for (let i = 0; i < 4; i++) await minute(R);
    const [ep] = await episodes(sub.id);
    const marked = await app.as(owner.token).post(`/api/ai/anomalies/episodes/${ep.id}/false-positive`).expect(200);
    expect(marked.body.episode).to.deep.include({ id: ep.id, false_positive: true });
    expect(marked.body.subscription.threshold).to.be.greaterThan(ep.peak_score);
    expect(marked.body.subscription.false_positives).to.equal(1);
    const again = await app.as(owner.token).post(`/api/ai/anomalies/episodes/${ep.id}/false-positive`).expect(200);
    expect(again.body.subscription).to.deep.equal(marked.body.subscription);
    // The episode itself, read alone, carries the mark (the admin reads it too).
    const one = await app.as(owner.token).get(`/api/ai/anomalies/episodes/${ep.id}`).expect(200);
    expect(one.body).to.deep.include({ id: ep.id, subscription_id: sub.id, false_positive: true });
    await app.admin.get(`/api/ai/anomalies/episodes/${ep.id}`).expect(200);
    expect(await subscription(sub.id)).to.deep.include({
      threshold: marked.body.subscription.threshold,
      false_positives: 1,
    });

    for (let i = 0; i < 3; i++) await minute(R, MODEST);
    for (let i = 0; i < 3; i++) await minute(R);
    expect(mine(sub.id), 'the tuned threshold lets the same spike pass').to.have.length(1);
  });

  it('sends an anomaly_subscription.episode event to a websocket channel', async () => {
    const R = 'inst-stream01';
    const sub = await subscribe(R, { channel: { type: 'websocket' } });
    await history(R);
    await minute(R);
    const stream = await watch(app.url, owner.token, '?kinds=anomaly_subscription');
    try {
      for (let i = 0; i < 3; i++) await minute(R, SPIKE);
      const ev = await stream.until((e) => e.type === 'anomaly_subscription.episode' && e.id === sub.id);
      const [ep] = await episodes(sub.id);
      expect(ev).to.deep.include({ owner: owner.id, episode_id: ep.id, start: ep.start });
      expect(ep.delivered).to.equal(true);
      expect(mine(sub.id)).to.have.length(0);
    } finally {
      stream.ws.close();
    }
  });

  it('resumes an open episode after a restart and still delivers it exactly once', async () => {
    const R = 'inst-restart1';
    const sub = await subscribe(R);
    await history(R);
    await minute(R);
    await minute(R, SPIKE);
    await minute(R, SPIKE);
    const at = now;
    await app.close();
    app = await startApp(env, app.databaseUrl);
    await setClock(at);
    await minute(R, SPIKE);
    await minute(R, SPIKE);
    expect(mine(sub.id)).to.have.length(1);
    const [ep] = await episodes(sub.id);
    expect(ep).to.deep.include({ points: 4, delivered: true });
    expect(mine(sub.id)[0]!.body.episode.id).to.equal(ep.id);
  });
});
