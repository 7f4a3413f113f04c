// Alert evaluation across real API processes (`npm start`'s entry, two sweepers each) on one database and the manual
// platform clock: moved to the same instants at once, every due evaluation of every rule happens once (each bumps
// the rule's revision once), each alert fires once, and each notification reaches the receiver once; a delivery
// whose process is killed mid-request is retried by the other once its lease runs out.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { Clock } from '../../../api/src/platform/clock.js';
import { createDb } from '../../../api/src/platform/db/knex.js';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';

const N = 12;

describe('monitoring: alert rules across processes', function () {
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
    const u = await api(procs[0]!.url, 'POST', '/api/security/users', { name: 'alert-procs' });
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
  /** Moves every process's clock to `ms` at the same time; each answers once what it made due has run. */
  const moveAll = (ms: number) =>
    Promise.all(procs.map((p) => api(p.url, 'POST', '/api/admin/clock', { now: new Date(ms).toISOString() })));

  it('evaluates each due rule once and notifies each firing alert once', async () => {
    const hook = await as(procs[0]!, 'POST', '/api/monitoring/notification-channels', {
      name: 'procs-hook',
      type: 'webhook',
      url: `${receiver.url}/hook`,
      secret: 'two-processes-one-secret',
    });
    expect(hook.status, JSON.stringify(hook.body)).to.equal(201);
    const rules = [];
    for (let i = 0; i < N; i++) {
      const r = await as(procs[i % 2]!, 'POST', '/api/monitoring/alerts', {
        name: `Big-${i}`,
        expr: `atonix_bucket_size_bytes{resource_id="bkt-${i}"} > 100`,
        interval: '1m',
        channel_ids: [hook.body.id],
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      rules.push(r.body);
    }
    const base = Math.max(...rules.map((r) => Date.parse(r.next_evaluation_at)));
    await tsdb({ db, clock: new Clock(false) }).sink.write(
      userId,
      rules.map((_, i) => ({
        name: 'atonix_bucket_size_bytes',
        labels: { resource_id: `bkt-${i}`, kind: 'bucket' },
        value: 500,
        timestamp: base,
      })),
    );
    for (const at of [base, base + 60_000, base + 120_000]) {
      const moved = await moveAll(at);
      expect(moved.map((m) => m.status)).to.deep.equal([200, 200]);
    }
    await eventually(async () => receiver.received.length >= N, 'every notification');
    for (const r of rules) {
      const now = await as(procs[0]!, 'GET', `/api/monitoring/alerts/${r.id}`);
      expect(now.body.state, r.name).to.equal('firing');
      expect(now.body.etag, `${r.name}: created, then evaluated three times`).to.equal(`"r${1 + 3}"`);
      const history = await as(procs[1]!, 'GET', `/api/monitoring/alerts/${r.id}/history`);
      expect(
        history.body.items.map((h: any) => [h.from, h.to]),
        r.name,
      ).to.deep.equal([['inactive', 'firing']]);
    }
    const delivered = await db('alert_deliveries').select('rule_id', 'status', 'attempts');
    expect(delivered).to.have.length(N);
    expect(delivered.every((d) => d.status === 'delivered' && d.attempts === 1)).to.equal(true);
    const told = receiver.received.map((x) => x.body.groupLabels.alertname).sort();
    expect(told).to.deep.equal(rules.map((r) => r.name).sort());
  });

  it('retries a delivery whose process died mid-request from another process, once its lease has run out', async () => {
    const [a, b] = procs as [ApiProcess, ApiProcess];
    const hook = await as(a, 'POST', '/api/monitoring/notification-channels', {
      name: 'crash-hook',
      type: 'webhook',
      url: `${receiver.url}/crash`,
      secret: 'two-processes-one-secret',
    });
    const rule = await as(a, 'POST', '/api/monitoring/alerts', {
      name: 'Crash',
      expr: 'vector(1)',
      channel_ids: [hook.body.id],
    });
    expect(rule.status, JSON.stringify(rule.body)).to.equal(201);
    const t = Date.parse(rule.body.next_evaluation_at);
    receiver.failNext(0); // the receiver holds the first request open
    const before = receiver.received.length;
    // Only a's clock moves: a evaluates, fires and sends, and is killed while the request hangs.
    void api(a.url, 'POST', '/api/admin/clock', { now: new Date(t).toISOString() }).catch(() => undefined);
    await eventually(async () => receiver.received.length > before, 'the hanging request');
    await a.stop('SIGKILL');
    const [held] = await db('alert_deliveries').where({ channel_id: hook.body.id });
    expect(held).to.include({ status: 'sending', attempts: 1 });

    // b, past the lease (the webhook timeout and a minute), takes it over and delivers it.
    await api(b.url, 'POST', '/api/admin/clock', { now: new Date(t + 71_000).toISOString() });
    const [after] = (await as(b, 'GET', `/api/monitoring/notification-channels/${hook.body.id}/deliveries`)).body.items;
    expect(after).to.deep.include({ status: 'delivered', attempts: 2, last_status_code: 200 });
    expect(after.log.map((x: any) => [x.attempt, x.status_code, x.error])).to.deep.equal([
      [1, null, 'abandoned: the process sending it stopped'],
      [2, 200, null],
    ]);
    const crash = receiver.received.filter((x) => x.path === '/crash');
    expect(crash).to.have.length(2);
    expect(crash[1]!.raw, 'the retry sends the same bytes').to.equal(crash[0]!.raw);
  });
});
