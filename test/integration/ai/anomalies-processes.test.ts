// Anomaly scoring across real API processes (`npm start`'s entry) on one database and the manual platform clock:
// both moved to the same instants at once, every point is scored once (each anomalous point stored once) and every
// episode that reaches min_duration is delivered once, whichever process claimed its subscription.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { minimumBaselinePoints } from '../../../api/src/ai/anomalies/detectors.js';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { Clock } from '../../../api/src/platform/clock.js';
import { createDb } from '../../../api/src/platform/db/knex.js';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';

const N = 8;
const MIN = 60_000;
const METRIC = 'atonix_instance_cpu_utilization_percent';
const noise = (k: number, s: number) => (((k * 9301 + s * 49297) % 233280) / 233280 - 0.5) * 2;

describe('ai: anomaly scoring across processes', function () {
  this.timeout(180_000);
  let db: Knex;
  let procs: ApiProcess[] = [];
  let receiver: Receiver;
  let token: string;
  let userId: string;

  before(async () => {
    const url = await freshDatabase();
    procs = [
      await startApiProcess(url, { ATONIX_CLOCK: 'manual' }),
      await startApiProcess(url, { ATONIX_CLOCK: 'manual' }),
    ];
    db = createDb(url, 4);
    receiver = await startReceiver();
    const u = await api(procs[0]!.url, 'POST', '/api/security/users', { name: 'anomaly-procs' });
    userId = u.body.id;
    token = (await api(procs[0]!.url, 'POST', `/api/security/users/${userId}/tokens`, { name: 't' })).body.token;
  });
  after(async () => {
    for (const p of procs) await p.stop('SIGKILL');
    await receiver?.close();
    await db?.destroy();
  });

  async function as(p: ApiProcess, method: string, path: string, body?: unknown) {
    const res = await fetch(`${p.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }
  const moveAll = (ms: number) =>
    Promise.all(procs.map((p) => api(p.url, 'POST', '/api/admin/clock', { now: new Date(ms).toISOString() })));
  const sink = () => tsdb({ db, clock: new Clock(false) }).sink;
  const at = (i: number, t: number, add: number) => ({
    name: METRIC,
    labels: { resource_id: `inst-procs00${i}` },
    value: 40 + noise(Math.floor(t / MIN), i) + add,
    timestamp: t,
  });

  it('scores every point once and delivers every episode once', async () => {
    const hook = await as(procs[0]!, 'POST', '/api/monitoring/notification-channels', {
      name: 'procs-hook',
      type: 'webhook',
      url: `${receiver.url}/anomalies`,
      secret: 'two-processes-one-secret',
    });
    expect(hook.status, JSON.stringify(hook.body)).to.equal(201);
    const subs = [];
    for (let i = 0; i < N; i++) {
      const r = await as(procs[i % 2]!, 'POST', '/api/ai/anomalies/subscribe', {
        name: `procs-${i}`,
        selector: `${METRIC}{resource_id="inst-procs00${i}"}`,
        min_duration: '3m',
        channel: { type: 'webhook', notification_channel_id: hook.body.id },
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      subs.push(r.body);
    }
    let now = Math.ceil(Date.now() / MIN) * MIN + MIN;
    const n = minimumBaselinePoints(60) + 5;
    const history = [];
    for (let i = 0; i < N; i++) for (let k = n; k >= 1; k--) history.push(at(i, now - k * MIN, 0));
    await sink().write(userId, history);
    for (let m = 0; m < 6; m++) {
      now += MIN;
      await sink().write(
        userId,
        Array.from({ length: N }, (_, i) => at(i, now, m >= 1 && m <= 4 ? 60 : 0)),
      );
      const moved = await moveAll(now);
      expect(moved.map((x) => x.status)).to.deep.equal([200, 200]);
    }
    await eventually(async () => receiver.received.length >= N, 'every episode');
    const anomalies = await db('ai_anomalies').select('subscription_id', 'at');
    expect(anomalies, 'four spike minutes per series, each stored once').to.have.length(4 * N);
    const episodes = await db('ai_anomaly_episodes').select('id', 'subscription_id', 'delivery_id');
    expect(episodes).to.have.length(N);
    const deliveries = await db('alert_deliveries').whereNotNull('anomaly_episode_id').select('status', 'attempts');
    expect(deliveries).to.have.length(N);
    expect(deliveries.every((d) => d.status === 'delivered' && d.attempts === 1)).to.equal(true);
    const told = receiver.received.map((x) => x.body.subscription.id).sort();
    expect(told).to.deep.equal(subs.map((s) => s.id).sort());
  });
});
