// Our webhook payload against the real thing: Debian's prometheus-alertmanager, configured with a webhook receiver
// pointing at a local HTTP server, is sent the same alerts our rule fired (labels, annotations, times), and what it
// posts is compared with what we posted, key by key and value by value (fingerprints and group key included), for a
// firing notification and for the resolved one.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { freePort } from '../../support/process.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';

const EXTERNAL = 'http://platform.example:8000';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** The shape of a JSON value: its keys (recursively) and the types of its leaves, so two payloads can be compared. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return v === null ? 'null' : typeof v;
}

const byFingerprint = (p: any) => [...p.alerts].sort((a: any, b: any) => (a.fingerprint < b.fingerprint ? -1 : 1));

describe('monitoring: the webhook payload is Alertmanager’s', function () {
  this.timeout(90_000);
  let app: TestApp;
  let ours: Receiver;
  let theirs: Receiver;
  let am: ChildProcess;
  let amUrl: string;
  let amLog = '';

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_EXTERNAL_URL: EXTERNAL });
    ours = await startReceiver();
    theirs = await startReceiver();
    const dir = mkdtempSync(join(tmpdir(), 'atonix-alertmanager-'));
    writeFileSync(
      join(dir, 'am.yml'),
      [
        'route:',
        '  receiver: ops-hook',
        '  group_by: [alertname]',
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: ops-hook',
        '    webhook_configs:',
        `      - url: ${theirs.url}/hook`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      ALERTMANAGER,
      [
        `--config.file=${join(dir, 'am.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${EXTERNAL}`,
        '--cluster.listen-address=',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stdout!.on('data', (d) => (amLog += d));
    am.stderr!.on('data', (d) => (amLog += d));
    await eventually(
      async () => (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok,
      `alertmanager to be ready:\n${amLog}`,
    );
  });
  after(async () => {
    am?.kill('SIGKILL');
    await ours?.close();
    await theirs?.close();
    await app?.close();
  });

  /** Posts alerts to the real Alertmanager and waits for the notification of `status` it sends the receiver. */
  async function alertmanagerSends(alerts: object[], status: string) {
    const r = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(r.status, await r.text()).to.equal(200);
    return eventually(
      async () => theirs.received.find((x) => x.body.status === status)?.body,
      `alertmanager's ${status} notification:\n${amLog}`,
      30_000,
    );
  }

  it('sends what Alertmanager 0.25 sends a webhook, for the firing and the resolved notification', async () => {
    const user = await newUser(app, 'am-owner');
    const as = app.as(user.token);
    const hook = await as
      .post('/api/monitoring/notification-channels')
      .send({ name: 'ops-hook', type: 'webhook', url: `${ours.url}/hook`, secret: 'compare-with-alertmanager' })
      .expect(201);
    const rule = await as
      .post('/api/monitoring/alerts')
      .send({
        name: 'BucketTooBig',
        expr: 'atonix_bucket_size_bytes > 1000',
        interval: '1s',
        labels: { severity: 'page' },
        annotations: { summary: '{{ $labels.resource_id }} is big', runbook: 'https://runbooks.example/bucket' },
        channel_ids: [hook.body.id],
      })
      .expect(201);
    const t = Date.parse(rule.body.next_evaluation_at);
    const write = (value: number, at: number) =>
      tsdb(app.platform).sink.write(
        user.id,
        ['bkt-one', 'bkt-two'].map((id) => ({
          name: 'atonix_bucket_size_bytes',
          labels: { resource_id: id, kind: 'bucket' },
          value,
          timestamp: at,
        })),
      );
    await write(5000, t);
    await app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(t).toISOString() })
      .expect(200);
    const firing = await eventually(async () => ours.received[0]?.body, 'our firing notification');

    const amFiring = await alertmanagerSends(
      firing.alerts.map((a: any) => ({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        generatorURL: a.generatorURL,
      })),
      'firing',
    );
    expect(shape(firing)).to.deep.equal(shape(amFiring));
    const { alerts: mine, ...myGroup } = firing;
    const { alerts: real, ...realGroup } = amFiring;
    expect(myGroup).to.deep.equal(realGroup);
    expect(mine).to.have.length(2);
    expect(byFingerprint(firing)).to.deep.equal(byFingerprint(amFiring));

    // The series drop below the threshold: we resolve; Alertmanager is told the alerts ended at the same instant.
    // Alertmanager reads endsAt on its wall clock: an end in its future is an alert still firing. The manual platform
    // clock started at the real time, so the resolving evaluation is put on the rule's 1s grid at or before now.
    const later = t + 1000 * Math.max(1, Math.floor((Date.now() - t) / 1000));
    await write(10, later);
    await app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(later).toISOString() })
      .expect(200);
    const resolved = await eventually(async () => ours.received[1]?.body, 'our resolved notification');
    expect(resolved.status).to.equal('resolved');
    const amResolved = await alertmanagerSends(
      resolved.alerts.map((a: any) => ({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.startsAt,
        endsAt: a.endsAt,
        generatorURL: a.generatorURL,
      })),
      'resolved',
    );
    expect(shape(resolved)).to.deep.equal(shape(amResolved));
    const { alerts: _a, ...myResolvedGroup } = resolved;
    const { alerts: _b, ...realResolvedGroup } = amResolved;
    expect(myResolvedGroup).to.deep.equal(realResolvedGroup);
    expect(byFingerprint(resolved)).to.deep.equal(byFingerprint(amResolved));
  });
});
