// IAM through the real terraform binary: users, groups, memberships, policies and both attachments; a policy that
// terraform wrote denies a REST call; every link imports and replaces cleanly.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

const config = (readPolicy: string) => `
resource "atonix_user" "dev" {
  name = "tf-dev"
}
resource "atonix_group" "devs" {
  name = "tf-devs"
}
resource "atonix_group_membership" "dev" {
  group_id = atonix_group.devs.id
  user_id  = atonix_user.dev.id
}
data "atonix_iam_policy" "read" {
  name = "${readPolicy}"
}
resource "atonix_iam_policy" "no_vpcs" {
  name        = "tf-no-vpcs"
  description = "no new networks"
  document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "NoVpcs", Effect = "Deny", Action = "networking:CreateVpc", Resource = "*" }]
  })
}
resource "atonix_group_policy_attachment" "no_vpcs" {
  group_id  = atonix_group.devs.id
  policy_id = atonix_iam_policy.no_vpcs.id
}
resource "atonix_user_policy_attachment" "read" {
  user_id   = atonix_user.dev.id
  policy_id = data.atonix_iam_policy.read.id
}
`;

describe('terraform: IAM resources through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp();
  });
  after(() => app.close());

  it('applies users, groups, memberships, policies and attachments; the policy denies; import, replace, destroy', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(config('ComputeReadOnlyAccess'));
      await ws.apply();
      await ws.plan(0);
      const user = await ws.stateId('atonix_user.dev');
      const policy = await ws.stateId('atonix_iam_policy.no_vpcs');
      const token = (await app.admin.post(`/api/security/users/${user}/tokens`).send({ name: 't' }).expect(201)).body;
      const denied = await app
        .as(token.token)
        .post('/api/networking/vpcs')
        .send({ name: 'n', cidr_block: '10.9.0.0/16' })
        .expect(403);
      expect(denied.body).to.include({ decision: 'explicit_deny', action: 'networking:CreateVpc' });
      expect(denied.body.deciding_statement).to.include({ policy_id: policy, sid: 'NoVpcs' });
      await app.as(token.token).get('/api/compute/instances').expect(200);

      for (const address of [
        'atonix_group_membership.dev',
        'atonix_group_policy_attachment.no_vpcs',
        'atonix_user_policy_attachment.read',
        'atonix_iam_policy.no_vpcs',
      ]) {
        const id = await ws.stateId(address);
        await ws.must(['state', 'rm', address]);
        await ws.must(['import', '-no-color', address, id]);
        await ws.plan(0);
      }

      const before = await ws.stateId('atonix_user_policy_attachment.read');
      ws.write(config('ComputeFullAccess'));
      const replace = await ws.plan(2);
      expect(replace).to.match(/atonix_user_policy_attachment.read must be replaced/);
      await ws.apply();
      await ws.plan(0);
      const after = await ws.stateId('atonix_user_policy_attachment.read');
      expect(after).to.not.equal(before);
      await app.admin.get(`/api/security/user-policy-attachments/${before}`).expect(404);

      await ws.destroy();
      await app.admin.get(`/api/security/policies/${policy}`).expect(404);
      await app.admin.get(`/api/security/user-policy-attachments/${after}`).expect(404);
      expect((await app.admin.get('/api/security/groups?name=tf-devs').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
    }
  });
});
