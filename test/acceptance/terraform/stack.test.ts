// atonix_stack through the real terraform binary: a template body and parameters in, outputs out.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

const config = (name: string) => `
resource "atonix_stack" "net" {
  name = "tf-stack"
  template_body = jsonencode({
    Parameters = { Name = { Type = "String" } }
    Resources = {
      Net = { Type = "Atonix::Networking::Vpc", Properties = { name = { Ref = "Name" }, cidr_block = "10.140.0.0/16" } }
      Sub = { Type = "Atonix::Networking::Subnet", Properties = { name = "s", vpc_id = { Ref = "Net" }, cidr_block = "10.140.1.0/24" } }
    }
    Outputs = { VpcId = { Value = { Ref = "Net" } }, SubnetCidr = { Value = { "Fn::GetAtt" = ["Sub", "cidr_block"] } } }
  })
  parameters = { Name = "${name}" }
}
output "vpc" { value = atonix_stack.net.outputs["VpcId"] }
output "cidr" { value = atonix_stack.net.outputs["SubnetCidr"] }
`;

describe('terraform: atonix_stack', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '100' });
  });
  after(() => app.close());

  it('creates a stack, exposes its outputs, updates parameters in place, re-plans empty and destroys', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(config('first'));
      const out = await ws.apply();
      expect(out).to.match(/cidr = "10\.140\.1\.0\/24"/);
      const vpc = /vpc = "(vpc-[a-z2-7]+)"/.exec(out)![1]!;
      expect((await app.admin.get(`/api/networking/vpcs/${vpc}`).expect(200)).body.name).to.equal('first');
      await ws.plan(0);
      ws.write(config('second'));
      expect(await ws.plan(2)).to.contain('1 to change');
      await ws.apply();
      await ws.plan(0);
      expect((await app.admin.get(`/api/networking/vpcs/${vpc}`).expect(200)).body.name).to.equal('second');
      await ws.destroy();
      await app.admin.get(`/api/networking/vpcs/${vpc}`).expect(404);
      expect((await app.admin.get('/api/automation/stacks').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
    }
  });
});
