// The stack engine deploys alerts: a native template with a notification channel, an alert rule that names it (Ref)
// and a silence becomes the three resources, as the owner, through the API; deleting the stack deletes them.
import { expect } from 'chai';
import { newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';

const TEMPLATE = {
  Resources: {
    Hook: {
      Type: 'Atonix::Monitoring::NotificationChannel',
      Properties: { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: 'stack-made-secret-0001' },
    },
    Big: {
      Type: 'Atonix::Monitoring::AlertRule',
      Properties: {
        name: 'BucketTooBig',
        metric: 'atonix_bucket_size_bytes',
        threshold: 1000,
        for: '5m',
        channel_ids: [{ Ref: 'Hook' }],
      },
    },
    Quiet: {
      Type: 'Atonix::Monitoring::Silence',
      Properties: {
        matchers: [{ name: 'alertname', value: 'BucketTooBig' }],
        ends_at: '2030-01-01T00:00:00Z',
      },
    },
  },
  Outputs: { RuleQuery: { Value: { 'Fn::GetAtt': ['Big', 'query'] } } },
};

describe('monitoring: the stack engine deploys alerts', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(() => app.close());

  it('creates the channel, the rule naming it and the silence, and deletes them with the stack', async () => {
    const u = await newUser(app, 'alerts-stack');
    const as = app.as(u.token);
    const r = await as.post('/api/automation/stacks').send({ name: 'alerts', template: TEMPLATE }).expect(202);
    const done = await stackSettled(as, r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const res = (await as.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
    const id = (logical: string) => res.find((x: any) => x.logical_id === logical).physical_id as string;
    const rule = (await as.get(`/api/monitoring/alerts/${id('Big')}`).expect(200)).body;
    expect(rule).to.deep.include({ owner: u.id, channel_ids: [id('Hook')], state: 'inactive' });
    expect(done.outputs).to.deep.equal({ RuleQuery: 'avg_over_time(atonix_bucket_size_bytes[5m]) > 1000' });
    const channel = (await as.get(`/api/monitoring/notification-channels/${id('Hook')}`).expect(200)).body;
    expect(channel).to.include({ type: 'webhook', url: 'http://127.0.0.1:9/hook' });
    const silence = (await as.get(`/api/monitoring/silences/${id('Quiet')}`).expect(200)).body;
    expect(silence).to.include({ ends_at: '2030-01-01T00:00:00Z' });

    await as.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(as, r.body.id)).status).to.equal('gone');
    await as.get(`/api/monitoring/alerts/${id('Big')}`).expect(404);
    await as.get(`/api/monitoring/notification-channels/${id('Hook')}`).expect(404);
    await as.get(`/api/monitoring/silences/${id('Quiet')}`).expect(404);
  });
});
