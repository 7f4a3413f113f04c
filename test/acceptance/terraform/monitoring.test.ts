// examples/terraform/monitoring through the real terraform binary: a bucket, a signed webhook channel and an alert
// rule on the bucket's size, applied with an empty second plan; the bucket's size crossing the threshold under the
// manual clock fires the rule, and a real local receiver gets Alertmanager's payload with a valid signature; destroy.
import { createHmac } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { startReceiver, type Receiver } from '../../support/webhook-receiver.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

const EXAMPLE = join(ROOT, 'examples/terraform/monitoring');
const SECRET = 'terraform-example-secret';

describe('terraform: examples/terraform/monitoring', function () {
  this.timeout(300_000);
  let app: TestApp;
  let receiver: Receiver;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
    await app.close();
  });

  it('applies the bucket, channel and rule, re-plans empty, fires on the bucket size to the webhook, destroys', async () => {
    const user = await newUser(app, 'monitoring-example');
    const ws = new Workspace(app.url, user.token);
    try {
      copyFileSync(join(EXAMPLE, 'main.tf'), join(ws.dir, 'main.tf'));
      const vars = ['-var', `webhook_url=${receiver.url}/alerts`, '-var', `webhook_secret=${SECRET}`];
      const applied = await ws.must(['apply', '-auto-approve', '-no-color', ...vars]);
      expect(applied).to.contain('Apply complete! Resources: 3 added');
      await ws.must(['plan', '-detailed-exitcode', '-no-color', ...vars]);
      const ruleId = /rule_id = "(alr-[a-z2-7]+)"/.exec(applied)![1]!;
      const api = app.as(user.token);
      const rule = (await api.get(`/api/monitoring/alerts/${ruleId}`).expect(200)).body;
      const bucket = rule.metric_labels.resource_id as string;
      expect(bucket).to.match(/^bkt-/);
      expect(rule.query).to.equal(`max_over_time(atonix_bucket_size_bytes{resource_id="${bucket}"}[5m]) > 1073741824`);

      // The bucket holds 2 GiB from the rule's first evaluation on: pending, then firing after `for` (2m).
      const first = Date.parse(rule.next_evaluation_at);
      for (const k of [0, 1, 2]) {
        const t = first + k * 60_000;
        await tsdb(app.platform).sink.write(user.id, [
          {
            name: 'atonix_bucket_size_bytes',
            labels: { resource_id: bucket, kind: 'bucket' },
            value: 2 ** 31,
            timestamp: t,
          },
        ]);
        await app.admin
          .post('/api/admin/clock')
          .send({ now: new Date(t).toISOString() })
          .expect(200);
      }
      const sent = await eventually(async () => receiver.received[0], 'the webhook');
      expect(sent.path).to.equal('/alerts');
      expect(sent.headers['x-atonix-signature-256']).to.equal(
        `sha256=${createHmac('sha256', SECRET).update(sent.raw).digest('hex')}`,
      );
      expect(sent.body).to.deep.include({ receiver: 'ops-webhook', status: 'firing', version: '4' });
      expect(sent.body.alerts[0].labels).to.deep.include({ alertname: 'BucketTooBig', resource_id: bucket });
      expect(sent.body.alerts[0].annotations.summary).to.equal(`Bucket ${bucket} holds 2147483648 bytes`);
      // Evaluations moved the rule's state and times: still no change to plan.
      await ws.must(['plan', '-detailed-exitcode', '-no-color', ...vars]);

      await ws.must(['destroy', '-auto-approve', '-no-color', ...vars]);
      await api.get(`/api/monitoring/alerts/${ruleId}`).expect(404);
    } finally {
      ws.remove();
    }
  });
});
