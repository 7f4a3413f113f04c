// Networking through the real terraform binary: nested security group rules are authoritative, separate rule
// resources are left alone, and the data sources for security groups and subnets find what they should.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

const CONFIG = `
resource "atonix_vpc" "main" {
  name       = "tf-net"
  cidr_block = "10.52.0.0/16"
}
resource "atonix_subnet" "a" {
  name       = "tf-net-a"
  vpc_id     = atonix_vpc.main.id
  cidr_block = "10.52.1.0/24"
}
resource "atonix_internet_gateway" "gw" {
  name   = "tf-net"
  vpc_id = atonix_vpc.main.id
}
resource "atonix_route_table" "public" {
  name   = "public"
  vpc_id = atonix_vpc.main.id
}
resource "atonix_route" "default" {
  route_table_id         = atonix_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = atonix_internet_gateway.gw.id
}
resource "atonix_route_table_association" "a" {
  subnet_id      = atonix_subnet.a.id
  route_table_id = atonix_route_table.public.id
}
resource "atonix_security_group" "web" {
  name   = "web"
  vpc_id = atonix_vpc.main.id
  ingress = [
    { protocol = "tcp", from_port = 443, to_port = 443, cidr_block = "0.0.0.0/0" },
  ]
}
resource "atonix_security_group" "db" {
  name   = "db"
  vpc_id = atonix_vpc.main.id
}
resource "atonix_security_group_rule" "pg" {
  security_group_id        = atonix_security_group.db.id
  direction                = "ingress"
  protocol                 = "tcp"
  from_port                = 5432
  to_port                  = 5432
  source_security_group_id = atonix_security_group.web.id
}
data "atonix_security_group" "default" {
  vpc_id = atonix_vpc.main.id
  name   = "default"
}
data "atonix_subnet" "a" {
  id         = atonix_subnet.a.id
  depends_on = [atonix_route.default, atonix_route_table_association.a]
}
output "default_group" {
  value = data.atonix_security_group.default.id
}
output "a_is_public" {
  value = data.atonix_subnet.a.is_public
}
`;

describe('terraform: networking', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '100' });
  });
  after(() => app.close());

  it('keeps nested rules authoritative and leaves separately managed rules alone; data sources find groups and subnets', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(CONFIG);
      const out = await ws.apply();
      expect(out).to.match(/a_is_public = true/);
      await ws.plan(0);
      const [vpc, web, db] = [
        await ws.stateId('atonix_vpc.main'),
        await ws.stateId('atonix_security_group.web'),
        await ws.stateId('atonix_security_group.db'),
      ];
      const def = (await app.admin.get(`/api/networking/security-groups?vpc_id=${vpc}&name=default`).expect(200)).body
        .items[0];
      expect(out).to.contain(`default_group = "${def.id}"`);
      // The separate rule shows in db's list, and db's lists are not in the configuration: no diff.
      const dbNow = (await app.admin.get(`/api/networking/security-groups/${db}`).expect(200)).body;
      expect(dbNow.ingress.map((r: any) => r.source_security_group_id)).to.deep.equal([web]);

      // A rule added outside Terraform to the group with nested rules is drift, and apply takes it away.
      const extra = { direction: 'ingress', protocol: 'tcp', from_port: 8080, to_port: 8080, cidr_block: '0.0.0.0/0' };
      await app.admin.post(`/api/networking/security-groups/${web}/rules`).send(extra).expect(201);
      expect(await ws.plan(2)).to.contain('atonix_security_group.web will be updated in-place');
      await ws.apply();
      await ws.plan(0);
      const webNow = (await app.admin.get(`/api/networking/security-groups/${web}`).expect(200)).body;
      expect(webNow.ingress.map((r: any) => r.from_port)).to.deep.equal([443]);

      // The same rule added to the group without nested rules is nobody's business in this configuration.
      await app.admin.post(`/api/networking/security-groups/${db}/rules`).send(extra).expect(201);
      await ws.plan(0);

      await ws.destroy();
      await app.admin.get(`/api/networking/vpcs/${vpc}`).expect(404);
    } finally {
      ws.remove();
    }
  });
});
