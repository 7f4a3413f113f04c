// Stacks end to end, by operation: a native template becomes real resources in order; update, replace, delete,
// rollback and retry.
import { expect } from 'chai';
import { newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';

const NATIVE = {
  Parameters: {
    Cidr: { Type: 'String', Default: '10.30.0.0/16' },
    Size: { Type: 'String', Default: 't1.small', AllowedValues: ['t1.small', 'm1.large'] },
  },
  Resources: {
    Net: {
      Type: 'Atonix::Networking::Vpc',
      Properties: { name: { 'Fn::Sub': '${AWS::StackName}-net' }, cidr_block: { Ref: 'Cidr' } },
    },
    SubA: {
      Type: 'Atonix::Networking::Subnet',
      Properties: { name: 'a', vpc_id: { Ref: 'Net' }, cidr_block: '10.30.1.0/24' },
    },
    Web: {
      Type: 'Atonix::Compute::Instance',
      Properties: {
        name: 'web',
        flavor_id: 'FLAVOR',
        image_id: 'IMAGE',
        subnet_id: { Ref: 'SubA' },
        metadata: { tier: 'web' },
      },
    },
  },
  Outputs: {
    VpcId: { Value: { Ref: 'Net' } },
    WebIp: { Value: { 'Fn::GetAtt': ['Web', 'private_ip'] } },
    Joined: { Value: { 'Fn::Join': ['/', [{ Ref: 'Cidr' }, 'x']] } },
  },
};

describe('automation: stacks', function () {
  this.timeout(60_000);
  let app: TestApp;
  let flavor: string;
  let image: string;
  before(async () => {
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '100' });
    flavor = (await app.admin.get('/api/compute/flavors?name=t1.small').expect(200)).body.items[0].id;
    image = (await app.admin.get('/api/compute/images?name=debian-12').expect(200)).body.items[0].id;
  });
  after(() => app.close());

  const native = () =>
    JSON.parse(
      JSON.stringify(NATIVE)
        .replace('FLAVOR', flavor)
        .replace('IMAGE', image)
        .replace('${AWS::StackName}-net', 'stack-net'),
    );
  const settled = (id: string, token?: string) => stackSettled(token ? app.as(token) : app.admin, id);

  describe('createStack', () => {
    it('creates a native stack in dependency order and resolves outputs', async () => {
      const r = await app.admin.post('/api/automation/stacks').send({ name: 'native', template: native() }).expect(202);
      expect(r.body).to.include({ status: 'create_pending', on_failure: 'rollback' });
      const done = await settled(r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const res = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
      expect(res.map((x: any) => [x.logical_id, x.status])).to.deep.equal([
        ['Net', 'create_complete'],
        ['SubA', 'create_complete'],
        ['Web', 'create_complete'],
      ]);
      const web = (await app.admin.get(`/api/compute/instances/${res[2].physical_id}`).expect(200)).body;
      expect(web).to.include({ status: 'running', subnet_id: res[1].physical_id, private_ip: '10.30.1.4' });
      expect(done.outputs).to.deep.equal({ VpcId: res[0].physical_id, WebIp: '10.30.1.4', Joined: '10.30.0.0/16/x' });
      const events = (
        await app.admin.get(`/api/automation/stacks/${r.body.id}/events?limit=100`).expect(200)
      ).body.items.reverse();
      const order = events
        .filter((e: any) => e.status === 'create_complete' && e.type !== 'Atonix::Automation::Stack')
        .map((e: any) => e.logical_id);
      expect(order).to.deep.equal(['Net', 'SubA', 'Web']);
      // Audit: the engine acted as the owner, through the API.
      const audit = (await app.admin.get(`/api/security/audit-logs?resource_id=${res[2].physical_id}`).expect(200)).body
        .items;
      expect(audit[0]).to.include({ action: 'compute:CreateInstance', status: 'success' });
      // The engine's idempotency keys never expire: a run resumed after a long outage still finds what it made.
      const keys = await app.platform
        .db('idempotency_keys')
        .where('key', 'like', `stack:${r.body.id}:%`)
        .select('expires_at');
      expect(keys).to.have.length(3);
      expect(keys.every((k) => k.expires_at === null)).to.equal(true);
    });
    it('refuses bad templates before anything runs, with pointers', async () => {
      const bad = {
        Parameters: { Need: { Type: 'String' } },
        Resources: {
          A: { Type: 'Atonix::Compute::Teleporter', Properties: {} },
          B: {
            Type: 'Atonix::Networking::Vpc',
            Properties: { name: 'b', cidr_block: '10.0.0.0/16', colour: 'red', state: 'available' },
          },
          C: {
            Type: 'Atonix::Networking::Subnet',
            Properties: { name: 'c', vpc_id: { Ref: 'Nope' }, cidr_block: '10.0.1.0/24' },
          },
          D: {
            Type: 'Atonix::Networking::Vpc',
            Properties: { name: { 'Fn::GetAtt': ['E', 'name'] }, cidr_block: '10.1.0.0/16' },
          },
          E: {
            Type: 'Atonix::Networking::Vpc',
            Properties: { name: { 'Fn::GetAtt': ['D', 'name'] }, cidr_block: '10.2.0.0/16' },
          },
        },
      };
      const r = await app.admin.post('/api/automation/stacks').send({ name: 'bad', template: bad }).expect(422);
      const byPointer = Object.fromEntries(r.body.errors.map((e: any) => [e.pointer, e.code]));
      expect(byPointer).to.include({
        '/parameters/Need': 'Required',
        '/template/Resources/A/Type': 'UnknownType',
        '/template/Resources/B/Properties/colour': 'UnknownField',
        '/template/Resources/B/Properties/state': 'ReadOnlyField',
        '/template/Resources/C/Properties': 'InvalidReference',
        '/template/Resources/D': 'DependencyCycle',
      });
      expect((await app.admin.get('/api/automation/stacks?name=bad').expect(200)).body.items).to.deep.equal([]);
      const yaml = await app.admin
        .post('/api/automation/stacks')
        .send({ name: 'y', template_body: 'Resources: [unclosed' })
        .expect(422);
      expect(yaml.body.errors[0]).to.include({ pointer: '/template_body', code: 'Unparsable' });
    });
  });

  describe('updateStack', () => {
    it('updates in place, replaces on an immutable change, deletes what the template drops, and no-ops', async () => {
      const t = native();
      const r = await app.admin.post('/api/automation/stacks').send({ name: 'upd', template: t }).expect(202);
      await settled(r.body.id);
      const before = new Map(
        (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`)).body.items.map((x: any) => [
          x.logical_id,
          x.physical_id,
        ]),
      );
      const noop = await app.admin.patch(`/api/automation/stacks/${r.body.id}`).send({ template: t }).expect(200);
      expect(noop.body.status).to.equal('create_complete');

      t.Resources.Web.Properties.name = 'web-renamed'; // in place
      t.Resources.SubA.Properties.cidr_block = '10.30.2.0/24'; // replacement (and so Web moves: subnet_id is immutable)
      const preview = await app.admin
        .post(`/api/automation/stacks/${r.body.id}/preview`)
        .send({ template: t })
        .expect(200);
      const actions = Object.fromEntries(preview.body.changes.map((c: any) => [c.logical_id, c.action]));
      expect(actions).to.deep.equal({ Net: 'none', SubA: 'replace', Web: 'replace' }); // Web follows: its subnet_id changes
      expect(preview.body.changes.find((c: any) => c.logical_id === 'SubA').replace_fields).to.deep.equal([
        'cidr_block',
      ]);
      await app.admin.patch(`/api/automation/stacks/${r.body.id}`).send({ template: t }).expect(202);
      const done = await settled(r.body.id);
      expect(done.status, done.status_reason).to.equal('update_complete');
      const after = new Map(
        (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`)).body.items.map((x: any) => [
          x.logical_id,
          x.physical_id,
        ]),
      );
      expect(after.get('Net')).to.equal(before.get('Net'));
      expect(after.get('SubA')).to.not.equal(before.get('SubA'));
      await app.admin.get(`/api/networking/subnets/${before.get('SubA')}`).expect(404);
      expect(done.outputs.WebIp).to.equal('10.30.2.4');

      delete (t.Resources as any).Web;
      delete (t.Outputs as any).WebIp;
      await app.admin.patch(`/api/automation/stacks/${r.body.id}`).send({ template: t }).expect(202);
      expect((await settled(r.body.id)).status).to.equal('update_complete');
      await app.admin.get(`/api/compute/instances/${after.get('Web')}`).expect(404);

      await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
      expect((await settled(r.body.id)).status).to.equal('gone');
      await app.admin.get(`/api/networking/vpcs/${after.get('Net')}`).expect(404);
    });

    it('refuses a null template in a PATCH or an update preview with 422 naming it, changing nothing', async () => {
      const r = await app.admin.post('/api/automation/stacks').send({ name: 'nulls', template: native() }).expect(202);
      const done = await settled(r.body.id);
      for (const field of ['template', 'template_body']) {
        const patch = await app.admin
          .patch(`/api/automation/stacks/${r.body.id}`)
          .send({ [field]: null })
          .expect(422);
        expect(patch.body.errors[0]).to.include({ pointer: `/${field}`, code: 'NotNullable' });
        const preview = await app.admin
          .post(`/api/automation/stacks/${r.body.id}/preview`)
          .send({ [field]: null })
          .expect(422);
        expect(preview.body.errors[0].pointer).to.equal(`/${field}`);
      }
      expect((await app.admin.get(`/api/automation/stacks/${r.body.id}`).expect(200)).body.etag).to.equal(done.etag);
    });
  });

  describe('retryStack', () => {
    it('rolls back a failed create and can be retried; on_failure keep leaves resources', async () => {
      const user = await newUser(app, 'stacker');
      const t = {
        Resources: {
          Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'n', cidr_block: '10.40.0.0/16' } },
          Sub: {
            Type: 'Atonix::Networking::Subnet',
            Properties: { name: 's', vpc_id: { Ref: 'Net' }, cidr_block: '10.40.1.0/24' },
          },
          // Only admins may create users: denied inside the stack exactly as a direct call would be.
          Bot: { Type: 'Atonix::Security::User', DependsOn: 'Sub', Properties: { name: 'bot' } },
        },
      };
      const r = await app
        .as(user.token)
        .post('/api/automation/stacks')
        .send({ name: 'denied', template: t })
        .expect(202);
      const done = await settled(r.body.id, user.token);
      expect(done.status).to.equal('rollback_complete');
      expect(done.status_reason).to.match(/Bot: Forbidden: .*security:CreateUser/);
      expect((await app.as(user.token).get('/api/networking/vpcs').expect(200)).body.items).to.deep.equal([]);
      const denied = (
        await app.admin.get(`/api/security/audit-logs?user_id=${user.id}&action=security:CreateUser`).expect(200)
      ).body.items;
      expect(denied[0]).to.include({ status: 'failure' });

      const kept = await app
        .as(user.token)
        .post('/api/automation/stacks')
        .send({ name: 'kept', template: t, on_failure: 'keep' })
        .expect(202);
      const k = await settled(kept.body.id, user.token);
      expect(k.status).to.equal('failed');
      expect((await app.as(user.token).get('/api/networking/vpcs').expect(200)).body.items).to.have.length(1);
      // Fix the template (drop the forbidden resource) and the update finishes from where it stopped.
      delete (t.Resources as any).Bot;
      await app.as(user.token).patch(`/api/automation/stacks/${kept.body.id}`).send({ template: t }).expect(202);
      expect((await settled(kept.body.id, user.token)).status).to.equal('update_complete');
      expect((await app.as(user.token).get('/api/networking/vpcs').expect(200)).body.items).to.have.length(1);
      await app.as(user.token).post(`/api/automation/stacks/${kept.body.id}/retry`).expect(409);

      await app.as(user.token).post(`/api/automation/stacks/${r.body.id}/retry`).expect(202);
      expect((await settled(r.body.id, user.token)).status).to.equal('rollback_complete');
    });
  });
});
