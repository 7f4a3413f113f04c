// The stack engine deploys the load balancer kinds through the registry, like every other kind, and the load
// balancer it makes carries traffic.
import { expect } from 'chai';
import { stackSettled, startApp, type TestApp } from '../../support/app.js';
import { serving, webTarget } from '../../support/lb.js';

describe('networking: load balancers in a stack', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('creates a load balancer, a target group, a target, a listener and a rule in dependency order', async () => {
    const web = await webTarget('stacked');
    const sub = (zone: string, cidr: string) => ({
      Type: 'Atonix::Networking::Subnet',
      Properties: { name: zone, vpc_id: { Ref: 'Net' }, cidr_block: cidr, availability_zone: `us-east-1${zone}` },
    });
    const fixed = { type: 'fixed-response', fixed_response: { status_code: 200, message_body: 'rule' } };
    const template = {
      Resources: {
        Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'lb-net', cidr_block: '10.40.0.0/16' } },
        A: sub('a', '10.40.1.0/24'),
        B: sub('b', '10.40.2.0/24'),
        Lb: {
          Type: 'Atonix::Networking::LoadBalancer',
          Properties: { name: 'stacked', vpc_id: { Ref: 'Net' }, subnets: [{ Ref: 'A' }, { Ref: 'B' }] },
        },
        Pool: {
          Type: 'Atonix::Networking::TargetGroup',
          Properties: { name: 'pool', load_balancer_id: { Ref: 'Lb' }, port: web.port },
        },
        Web: {
          Type: 'Atonix::Networking::Target',
          Properties: { target_group_id: { Ref: 'Pool' }, target_id: '127.0.0.1' },
        },
        Http: {
          Type: 'Atonix::Networking::Listener',
          Properties: {
            load_balancer_id: { Ref: 'Lb' },
            port: 80,
            default_action: { type: 'forward', target_groups: [{ target_group_id: { Ref: 'Pool' } }] },
          },
        },
        Health: {
          Type: 'Atonix::Networking::ListenerRule',
          Properties: {
            listener_id: { Ref: 'Http' },
            priority: 1,
            conditions: { path_patterns: ['/rule'] },
            action: fixed,
          },
        },
      },
      Outputs: { Listener: { Value: { Ref: 'Http' } } },
    };
    const r = await app.admin.post('/api/automation/stacks').send({ name: 'lb-stack', template });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await stackSettled(app.admin, r.body.id);
    expect(done.status, JSON.stringify(done)).to.equal('create_complete');
    const l = (await app.admin.get(`/api/networking/listeners/${done.outputs.Listener}`).expect(200)).body;
    expect((await serving(l.endpoint, '/rule')).body).to.equal('rule');
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.match(/gone|delete_complete/);
    await web.close();
  });
});
