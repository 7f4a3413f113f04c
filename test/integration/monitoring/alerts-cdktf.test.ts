// Alerts declared with the generated CDKTF bindings: a stack synthesized with a notification channel, an alert rule
// that references it, and a silence becomes a cdk.tf.json that the stack engine deploys as the owner (and deletes).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { App, TerraformStack } from '../../../provider/cdktf/constructs/cdktf.js';
import { alertRule, notificationChannel, provider, silence } from '../../../provider/cdktf/lib/index.js';
import { newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';

/** Synthesizes the alerts stack into `outdir`; its cdk.tf.json. */
function synth(outdir: string): unknown {
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, 'alerts');
  new provider.AtonixProvider(stack, 'atonix');
  const ops = new notificationChannel.NotificationChannel(stack, 'ops', { name: 'ops', type: 'websocket' });
  new alertRule.AlertRule(stack, 'big', {
    name: 'BucketTooBig',
    metric: 'atonix_bucket_size_bytes',
    statistic: 'p95',
    threshold: 2048,
    for: '10m',
    channelIds: [ops.id],
  });
  new silence.Silence(stack, 'quiet', {
    matchers: [{ name: 'alertname', value: 'BucketTooBig' }],
    endsAt: '2030-01-01T00:00:00Z',
  });
  app.synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks/alerts/cdk.tf.json'), 'utf8'));
}

describe('monitoring: alerts from CDKTF', function () {
  this.timeout(60_000);
  let app: TestApp;
  const dir = mkdtempSync(join(tmpdir(), 'atonix-cdktf-alerts-'));
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app.close();
  });

  it('synthesizes the channel, rule and silence, and the stack engine deploys and deletes them', async () => {
    const doc = synth(dir) as any;
    expect(doc.resource.atonix_alert_rule.big).to.include({ for: '10m', statistic: 'p95', threshold: 2048 });
    const u = await newUser(app, 'cdktf-alerts');
    const as = app.as(u.token);
    const r = await as.post('/api/automation/stacks').send({ name: 'alerts', template: doc }).expect(202);
    const done = await stackSettled(as, r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const res = (await as.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
    const of = (type: string) => res.find((x: any) => x.type === type).physical_id as string;
    const rule = (await as.get(`/api/monitoring/alerts/${of('atonix_alert_rule')}`).expect(200)).body;
    expect(rule).to.deep.include({
      channel_ids: [of('atonix_notification_channel')],
      query: 'quantile_over_time(0.95, atonix_bucket_size_bytes[5m]) > 2048',
      for: '10m',
    });
    const quiet = (await as.get(`/api/monitoring/silences/${of('atonix_silence')}`).expect(200)).body;
    expect(quiet).to.include({ state: 'active', ends_at: '2030-01-01T00:00:00Z' }); // starts when made
    await as.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(as, r.body.id)).status).to.equal('gone');
    await as.get(`/api/monitoring/alerts/${rule.id}`).expect(404);
  });
});
