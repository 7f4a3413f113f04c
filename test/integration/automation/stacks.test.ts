// Stacks end to end: both template formats become real resources in order; update, replace, delete, rollback.
import { expect } from 'chai';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';

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
  const settled = (id: string, token?: string) =>
    eventually(
      async () => {
        const r = await (token ? app.as(token) : app.admin).get(`/api/automation/stacks/${id}`);
        if (r.status === 404) return { status: 'gone' };
        return !/_in_progress|_pending$/.test(r.body.status) && r.body;
      },
      `stack ${id} to settle`,
      30_000,
    );

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
    expect(preview.body.changes.find((c: any) => c.logical_id === 'SubA').replace_fields).to.deep.equal(['cidr_block']);
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
    const r = await app.as(user.token).post('/api/automation/stacks').send({ name: 'denied', template: t }).expect(202);
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

describe('automation: stacks from Terraform JSON, YAML and stored templates', function () {
  this.timeout(90_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '50' });
  });
  after(() => app.close());

  const settled = (id: string) =>
    eventually(
      async () => {
        const r = await app.admin.get(`/api/automation/stacks/${id}`);
        if (r.status === 404) return { status: 'gone' };
        return !/_in_progress|_pending$/.test(r.body.status) && r.body;
      },
      `stack ${id} to settle`,
      60_000,
    );

  it("deploys the CDKTF example's synthesized cdk.tf.json (data sources, references, outputs)", async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    execFileSync(process.execPath, ['--import', 'tsx', 'examples/cdktf/main.ts'], {
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      stdio: 'ignore',
    });
    const doc = JSON.parse(readFileSync('examples/cdktf/cdktf.out/stacks/atonix-example/cdk.tf.json', 'utf8'));
    const r = await app.admin.post('/api/automation/stacks').send({ name: 'cdktf', template: doc }).expect(202);
    const done = await settled(r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const res = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
    const vpc = res.find((x: any) => x.type === 'atonix_vpc');
    expect(done.outputs.vpc_id).to.equal(vpc.physical_id);
    const ips = JSON.parse(done.outputs.web_private_ips);
    expect(ips).to.have.length(3);
    for (const ip of ips) expect(ip).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    const bastion = (await app.admin.get(`/api/compute/instances/${done.outputs.bastion_id}`).expect(200)).body;
    expect(bastion.status).to.equal('stopped');
    const noop = await app.admin.patch(`/api/automation/stacks/${r.body.id}`).send({ template: doc }).expect(200);
    expect(noop.body.status).to.equal('create_complete');
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await settled(r.body.id)).status).to.equal('gone');
    await app.admin.get(`/api/networking/vpcs/${vpc.physical_id}`).expect(404);
  });

  it('deploys the native YAML example with lookups, a condition, Select and If', async () => {
    const { readFileSync } = await import('node:fs');
    const body = readFileSync('examples/stacks/network-with-instances.yaml', 'utf8');
    const r = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'yaml', template_body: body, parameters: { WithWorker: 'false' } })
      .expect(202);
    expect(r.body.template_body).to.equal(body);
    const done = await settled(r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    expect(done.outputs.Summary).to.equal('10.100.0.0/16 web-only');
    const ids = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items.map(
      (x: any) => x.logical_id,
    );
    expect(ids).to.deep.equal(['Net', 'SubnetA', 'SubnetB', 'Web']);
    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ parameters: { WithWorker: 'true' } })
      .expect(202);
    const updated = await settled(r.body.id);
    expect(updated.outputs.Summary).to.equal('10.100.0.0/16 with-worker');
    const worker = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items.find(
      (x: any) => x.logical_id === 'Worker',
    );
    const inst = (await app.admin.get(`/api/compute/instances/${worker.physical_id}`).expect(200)).body;
    const subnetB = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`)).body.items.find(
      (x: any) => x.logical_id === 'SubnetB',
    );
    expect(inst).to.include({ subnet_id: subnetB.physical_id, status: 'stopped' });
    const bad = await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ parameters: { Flavor: 'huge' } })
      .expect(422);
    expect(bad.body.errors[0]).to.include({ pointer: '/parameters/Flavor', code: 'NotInEnum' });
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await settled(r.body.id)).status).to.equal('gone');
  });

  it('deploys the Terraform JSON example with count, variables and data lookups', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = JSON.parse(readFileSync('examples/stacks/network-with-instances.tf.json', 'utf8'));
    const r = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'tfjson', template: doc, parameters: { web_count: '3' } })
      .expect(202);
    const done = await settled(r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const rows = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
    // The three instances are created in parallel, so which of them gets .4 is not fixed.
    const web0 = (await app.admin.get(`/api/compute/instances/${rows[0].physical_id}`).expect(200)).body;
    expect(done.outputs.first_web_ip)
      .to.equal(web0.private_ip)
      .and.to.match(/^10\.200\.1\.[4-6]$/);
    const names = rows.map((x: any) => x.logical_id);
    expect(names).to.deep.equal([
      'atonix_instance.web[0]',
      'atonix_instance.web[1]',
      'atonix_instance.web[2]',
      'atonix_subnet.a',
      'atonix_vpc.main',
    ]);
    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ parameters: { web_count: '1' } })
      .expect(202);
    expect((await settled(r.body.id)).status).to.equal('update_complete');
    expect((await app.admin.get('/api/compute/instances?name=web-2').expect(200)).body.items).to.deep.equal([]);
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    await settled(r.body.id);
  });

  it('stores templates with immutable numbered versions and creates stacks from them', async () => {
    const v1 = {
      Resources: { N: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'v1', cidr_block: '10.110.0.0/16' } } },
    };
    const v2 = {
      Resources: { N: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'v2', cidr_block: '10.110.0.0/16' } } },
    };
    const t = await app.admin.post('/api/automation/templates').send({ name: 'net', template: v1 }).expect(201);
    expect(t.body.latest_version).to.equal(1);
    const second = await app.admin
      .post(`/api/automation/templates/${t.body.id}/versions`)
      .send({ template: v2 })
      .expect(201);
    expect(second.body.version).to.equal(2);
    const versions = (
      await app.admin.get(`/api/automation/templates/${t.body.id}/versions`).expect(200)
    ).body.items.map((v: any) => v.version);
    expect(versions).to.deep.equal([2, 1]);
    expect(
      (await app.admin.get(`/api/automation/templates/${t.body.id}/versions/1`).expect(200)).body.template,
    ).to.deep.equal(v1);
    const s = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'from-tpl', template_id: t.body.id, template_version: 1 })
      .expect(202);
    expect(s.body).to.include({ template_id: t.body.id, template_version: 1 });
    await settled(s.body.id);
    const vpcId = (await app.admin.get(`/api/automation/stacks/${s.body.id}/resources`)).body.items[0].physical_id;
    expect((await app.admin.get(`/api/networking/vpcs/${vpcId}`).expect(200)).body.name).to.equal('v1');
    await app.admin
      .patch(`/api/automation/stacks/${s.body.id}`)
      .send({ template_id: t.body.id, template_version: null })
      .expect(202);
    expect((await settled(s.body.id)).template_version).to.equal(2);
    expect((await app.admin.get(`/api/networking/vpcs/${vpcId}`).expect(200)).body.name).to.equal('v2');
    const missing = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'x', template_id: t.body.id, template_version: 9 })
      .expect(422);
    expect(missing.body.errors[0].pointer).to.equal('/template_version');
    await app.admin.delete(`/api/automation/stacks/${s.body.id}`).expect(202);
    await settled(s.body.id);
  });

  it('previews a new stack: every resource a create, values that wait on others marked', async () => {
    const t = {
      Resources: {
        N: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'p', cidr_block: '10.120.0.0/16' } },
        S: {
          Type: 'Atonix::Networking::Subnet',
          Properties: { name: 's', vpc_id: { Ref: 'N' }, cidr_block: '10.120.1.0/24' },
        },
      },
    };
    const p = await app.admin.post('/api/automation/stacks/preview').send({ name: 'p', template: t }).expect(200);
    expect(p.body.changes.map((c: any) => [c.logical_id, c.action])).to.deep.equal([
      ['N', 'create'],
      ['S', 'create'],
    ]);
    expect(p.body.changes[1].after.vpc_id).to.equal('(known after apply)');
    expect((await app.admin.get('/api/networking/vpcs?name=p').expect(200)).body.items).to.deep.equal([]);
  });
});
