// The stack engine deploys anomaly subscriptions: a native template with a webhook notification channel and a
// subscription that names it (Ref) becomes both resources, as the owner, through the API; deleting the stack deletes
// them. The Terraform JSON that CDKTF synthesizes names the same kind as atonix_anomaly_subscription.
import { expect } from 'chai';
import { newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';

const SELECTOR = 'atonix_instance_cpu_utilization_percent{resource_id="inst-stack001"}';

describe('ai: the stack engine deploys anomaly subscriptions', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(() => app.close());

  it('creates the channel and the subscription naming it, and deletes them with the stack', async () => {
    const u = await newUser(app, 'anomaly-stack');
    const as = app.as(u.token);
    const template = {
      Resources: {
        Hook: {
          Type: 'Atonix::Monitoring::NotificationChannel',
          Properties: {
            name: 'ops',
            type: 'webhook',
            url: 'http://127.0.0.1:9/hook',
            secret: 'stack-made-secret-0001',
          },
        },
        Cpu: {
          Type: 'Atonix::Ai::AnomalySubscription',
          Properties: {
            name: 'cpu',
            selector: SELECTOR,
            sensitivity: 'low',
            channel: { type: 'webhook', notification_channel_id: { Ref: 'Hook' } },
          },
        },
      },
      Outputs: { Threshold: { Value: { 'Fn::GetAtt': ['Cpu', 'threshold'] } } },
    };
    const r = await as.post('/api/automation/stacks').send({ name: 'anomalies', template }).expect(202);
    const done = await stackSettled(as, r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const res = (await as.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
    const id = (logical: string) => res.find((x: any) => x.logical_id === logical).physical_id as string;
    const sub = (await as.get(`/api/ai/anomalies/subscriptions/${id('Cpu')}`).expect(200)).body;
    expect(sub).to.deep.include({ owner: u.id, selector: SELECTOR, sensitivity: 'low', status: 'learning' });
    expect(sub.channel).to.deep.equal({ type: 'webhook', notification_channel_id: id('Hook') });
    expect(done.outputs).to.deep.equal({ Threshold: String(sub.threshold) });

    await as.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(as, r.body.id)).status).to.equal('gone');
    await as.get(`/api/ai/anomalies/subscriptions/${id('Cpu')}`).expect(404);
    await as.get(`/api/monitoring/notification-channels/${id('Hook')}`).expect(404);
  });
});
