// The stack engine deploys the routing kinds through the registry: a gateway, a table, a default route and an
// association make the subnet public, and deleting the stack takes them away again.
import { expect } from 'chai';
import { stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('networking: routing in a stack', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('creates a gateway, a route table, a route and an association in dependency order, and deletes them', async () => {
    const template = {
      Resources: {
        Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'rt-net', cidr_block: '10.41.0.0/16' } },
        Sub: {
          Type: 'Atonix::Networking::Subnet',
          Properties: { name: 's', vpc_id: { Ref: 'Net' }, cidr_block: '10.41.1.0/24' },
        },
        Gw: { Type: 'Atonix::Networking::InternetGateway', Properties: { name: 'gw', vpc_id: { Ref: 'Net' } } },
        Table: { Type: 'Atonix::Networking::RouteTable', Properties: { name: 'public', vpc_id: { Ref: 'Net' } } },
        Out: {
          Type: 'Atonix::Networking::Route',
          Properties: {
            route_table_id: { Ref: 'Table' },
            destination_cidr_block: '0.0.0.0/0',
            gateway_id: { Ref: 'Gw' },
          },
        },
        Assoc: {
          Type: 'Atonix::Networking::RouteTableAssociation',
          Properties: { subnet_id: { Ref: 'Sub' }, route_table_id: { Ref: 'Table' } },
          DependsOn: ['Out'],
        },
      },
      Outputs: { Subnet: { Value: { Ref: 'Sub' } }, Table: { Value: { Ref: 'Table' } } },
    };
    const r = await app.admin.post('/api/automation/stacks').send({ name: 'routing-stack', template });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await stackSettled(app.admin, r.body.id);
    expect(done.status, JSON.stringify(done)).to.equal('create_complete');
    const subnet = (await app.admin.get(`/api/networking/subnets/${done.outputs.Subnet}`).expect(200)).body;
    expect(subnet.is_public).to.equal(true);
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.match(/gone|delete_complete/);
    await app.admin.get(`/api/networking/route-tables/${done.outputs.Table}`).expect(404);
  });
});
