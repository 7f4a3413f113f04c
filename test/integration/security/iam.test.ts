// IAM end to end: policies attached to users and groups decide every call (REST, lists, the stack engine, the
// event stream), with AWS's logic, and a change takes effect on the next request, in every process.
import { expect } from 'chai';
import WebSocket from 'ws';
import { catalogue, eventually, stackSettled, startApp, type TestApp } from '../../support/app.js';
import { managedPolicyId } from '../../../api/src/security/iam/managed-policies.js';

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

describe('security: IAM policies decide every call', function () {
  this.timeout(60_000);
  let app: TestApp;
  let n = 0;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  /** A user with no policy of their own (attach_default_policy: false) and a token. */
  async function bareUser(name: string) {
    const u = await app.admin.post('/api/security/users').send({ name, attach_default_policy: false }).expect(201);
    const t = await app.admin.post(`/api/security/users/${u.body.id}/tokens`).send({ name: 't' }).expect(201);
    return { id: u.body.id as string, token: t.body.token as string, as: app.as(t.body.token) };
  }
  const policy = async (document: object) =>
    (
      await app.admin
        .post('/api/security/policies')
        .send({ name: `p${++n}`, document })
        .expect(201)
    ).body;
  const attach = async (userId: string, policyId: string) =>
    (await app.admin.post(`/api/security/users/${userId}/policies`).send({ policy_id: policyId }).expect(201)).body;

  it('seeds the managed policies, readable by everyone; a new user gets OwnerFullAccess unless asked not to', async () => {
    const names = (await app.admin.get('/api/security/policies?type=managed&limit=100').expect(200)).body.items.map(
      (p: any) => p.name,
    );
    expect(names).to.include.members([
      'AdministratorAccess',
      'ReadOnlyAccess',
      'OwnerFullAccess',
      'ComputeFullAccess',
      'ComputeReadOnlyAccess',
      'NetworkingFullAccess',
      'SecurityReadOnlyAccess',
      'AutomationFullAccess',
    ]);
    const u = await app.admin.post('/api/security/users').send({ name: 'defaulted' }).expect(201);
    const own = (await app.admin.get(`/api/security/users/${u.body.id}/policies`).expect(200)).body.items;
    expect(own.map((a: any) => a.policy_id)).to.deep.equal([managedPolicyId('OwnerFullAccess')]);
    const bare = await bareUser('bare');
    expect((await app.admin.get(`/api/security/users/${bare.id}/policies`).expect(200)).body.items).to.deep.equal([]);
    const denied = await bare.as.get('/api/compute/flavors').expect(403);
    expect(denied.body).to.include({ code: 'AccessDenied', action: 'compute:ListFlavors', decision: 'implicit_deny' });
    expect(denied.body.simulate).to.equal('/api/security/policies/simulate');
  });

  it('checks documents against the contract: each fault named by its pointer', async () => {
    const r = await app.admin
      .post('/api/security/policies')
      .send({
        name: 'bad',
        document: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Permit', Action: 'compute:GetInstance' },
            { Effect: 'Allow', Action: 'compute:Teleport', Condition: { StringEqualz: { 'atx:SourceIp': 'x' } } },
            { Effect: 'Allow', Action: '*', Condition: { StringEquals: { 'atx:Nonsense': 'x' } } },
          ],
        },
      })
      .expect(422);
    const pointers = r.body.errors.map((e: any) => e.pointer);
    expect(pointers).to.include.members([
      '/document/Statement/0/Effect',
      '/document/Statement/1/Action',
      '/document/Statement/1/Condition/StringEqualz',
      '/document/Statement/2/Condition/StringEquals/atx:Nonsense',
    ]);
    const long = await app.admin
      .post('/api/security/policies')
      .send({ name: 'long', document: doc({ Sid: 'x'.repeat(7000), Effect: 'Allow', Action: '*' }) })
      .expect(422);
    expect(long.body.errors[0]).to.include({ pointer: '/document', code: 'TooLong' });
    // Managed policies are read-only; a user cannot write policies at all.
    const admin = managedPolicyId('AdministratorAccess');
    await app.admin.patch(`/api/security/policies/${admin}`).send({ description: 'mine now' }).expect(409);
    await app.admin.delete(`/api/security/policies/${admin}`).expect(409);
    const u = await bareUser('writer');
    await attach(u.id, admin);
    await u.as.post('/api/security/policies').send({ name: 'self', document: doc() }).expect(403);
  });

  it('a user with only ComputeReadOnlyAccess lists but cannot create; the denial is audited', async () => {
    const u = await bareUser('reader');
    await attach(u.id, managedPolicyId('ComputeReadOnlyAccess'));
    const { flavor, image } = await catalogue(app);
    await u.as.get('/api/compute/instances').expect(200);
    await u.as.get(`/api/compute/flavors/${flavor.id}`).expect(200);
    const r = await u.as
      .post('/api/compute/instances')
      .send({ name: 'nope', flavor_id: flavor.id, image_id: image.id })
      .expect(403);
    expect(r.body).to.include({
      code: 'AccessDenied',
      action: 'compute:CreateInstance',
      resource: `atx:compute:us-east-1:${u.id}:instance/*`,
      decision: 'implicit_deny',
    });
    await u.as.get('/api/networking/vpcs').expect(403); // another service: nothing allows it
    const audit = (await app.admin.get(`/api/security/audit-logs?user_id=${u.id}&status=failure&limit=10`).expect(200))
      .body.items;
    const actions = audit.map((a: any) => [a.action, a.details.code]);
    expect(actions).to.deep.include.members([
      ['compute:CreateInstance', 'AccessDenied'],
      ['networking:ListVpcs', 'AccessDenied'],
    ]);
  });

  it('an explicit deny on compute:DeleteInstance beats allows that come through a group', async () => {
    const u = await bareUser('grouped');
    const group = (await app.admin.post('/api/security/groups').send({ name: 'ops' }).expect(201)).body;
    await app.admin.post(`/api/security/groups/${group.id}/members`).send({ user_id: u.id }).expect(201);
    const deny = await policy(doc({ Sid: 'NoDeletes', Effect: 'Deny', Action: 'compute:DeleteInstance' }));
    for (const p of [managedPolicyId('AdministratorAccess'), deny.id])
      await app.admin.post(`/api/security/groups/${group.id}/policies`).send({ policy_id: p }).expect(201);
    const { flavor, image } = await catalogue(app);
    const inst = (
      await u.as.post('/api/compute/instances').send({ name: 'kept', flavor_id: flavor.id, image_id: image.id })
    ).body;
    expect(inst.id).to.match(/^inst-/);
    const r = await u.as.delete(`/api/compute/instances/${inst.id}`).expect(403);
    expect(r.body.decision).to.equal('explicit_deny');
    expect(r.body.deciding_statement).to.deep.equal({
      policy_id: deny.id,
      policy_name: deny.name,
      sid: 'NoDeletes',
      index: 0,
    });
    expect(r.body.resource).to.equal(`atx:compute:us-east-1:${u.id}:instance/${inst.id}`);
    // The simulator says the same, and why.
    const sim = await u.as
      .post('/api/security/policies/simulate')
      .send({
        user_id: u.id,
        actions: ['compute:DeleteInstance', 'compute:GetInstance'],
        resources: [r.body.resource],
      })
      .expect(200);
    expect(sim.body.results.map((x: any) => x.decision)).to.deep.equal(['explicit_deny', 'allowed']);
    expect(sim.body.results[0].deciding_statement.sid).to.equal('NoDeletes');
    // Another owner's instance stays a 404, never a 403: tenancy is the outer wall.
    const other = await bareUser('other-owner');
    await attach(other.id, managedPolicyId('OwnerFullAccess'));
    await other.as.get(`/api/compute/instances/${inst.id}`).expect(404);
    await other.as
      .post('/api/security/policies/simulate')
      .send({ user_id: u.id, actions: ['compute:GetInstance'] })
      .expect(404);
    // Attachments and memberships are listable from every side; a member reads their own groups.
    const members = (await app.admin.get(`/api/security/groups/${group.id}/members`).expect(200)).body.items;
    expect(members.map((m: any) => m.user_id)).to.deep.equal([u.id]);
    const held = (await app.admin.get(`/api/security/groups/${group.id}/policies`).expect(200)).body.items;
    expect(held.map((a: any) => a.policy_id)).to.have.members([managedPolicyId('AdministratorAccess'), deny.id]);
    const mine = (await u.as.get(`/api/security/users/${u.id}/groups`).expect(200)).body.items;
    expect(mine.map((m: any) => m.group_id)).to.deep.equal([group.id]);
    const sides = (await app.admin.get(`/api/security/policies/${deny.id}/attachments`).expect(200)).body.items;
    expect(sides.map((a: any) => [a.principal_type, a.principal_id])).to.deep.equal([['group', group.id]]);
    // The group cannot go while it has members and policies.
    const blocked = await app.admin.delete(`/api/security/groups/${group.id}`).expect(409);
    expect(blocked.body.code).to.equal('ResourceInUse');
    const inUse = await app.admin.delete(`/api/security/policies/${deny.id}`).expect(409);
    expect(inUse.body.blocked_by[0].kind).to.equal('group_policy_attachment');
  });

  it('a condition on atx:SourceIp decides', async () => {
    const u = await bareUser('from-somewhere');
    const far = await policy(
      doc({
        Effect: 'Allow',
        Action: 'compute:ListFlavors',
        Condition: { IpAddress: { 'atx:SourceIp': '10.0.0.0/8' } },
      }),
    );
    const a = await attach(u.id, far.id);
    await u.as.get('/api/compute/flavors').expect(403);
    await app.admin.delete(`/api/security/user-policy-attachments/${a.id}`).expect(204);
    const near = await policy(
      doc({
        Effect: 'Allow',
        Action: 'compute:ListFlavors',
        Condition: { IpAddress: { 'atx:SourceIp': '127.0.0.0/8' } },
      }),
    );
    await attach(u.id, near.id);
    await u.as.get('/api/compute/flavors').expect(200);
  });

  it('a list holds only what Resource patterns allow; per-operation keys (compute:FlavorId) decide creates', async () => {
    const u = await bareUser('narrow');
    const { flavor, image } = await catalogue(app);
    const owner = await policy(
      doc(
        { Effect: 'Allow', Action: ['compute:*'], Resource: '*' },
        {
          Sid: 'OnlyTheSmallFlavor',
          Effect: 'Deny',
          Action: 'compute:CreateInstance',
          Condition: { StringNotEquals: { 'compute:FlavorId': flavor.id } },
        },
      ),
    );
    await attach(u.id, owner.id);
    const make = (name: string, f = flavor.id) =>
      u.as.post('/api/compute/instances').send({ name, flavor_id: f, image_id: image.id });
    const a = (await make('a').expect(202)).body;
    await make('b').expect(202);
    const flavors = (await u.as.get('/api/compute/flavors?limit=100').expect(200)).body.items;
    const bigger = flavors.find((f: any) => f.id !== flavor.id);
    const refused = await make('c', bigger.id).expect(403);
    expect(refused.body.deciding_statement.sid).to.equal('OnlyTheSmallFlavor');
    // Narrow the reading down to one instance: the list holds it alone, the other is a 403 to get.
    const only = await policy(
      doc({
        Effect: 'Allow',
        Action: ['compute:GetInstance', 'compute:ListInstances'],
        Resource: `atx:compute:*:\${atx:PrincipalId}:instance/${a.id}`,
      }),
    );
    const list = (await app.admin.get(`/api/security/users/${u.id}/policies`).expect(200)).body.items;
    await app.admin.delete(`/api/security/user-policy-attachments/${list[0].id}`).expect(204);
    await attach(u.id, only.id);
    const seen = (await u.as.get('/api/compute/instances').expect(200)).body.items.map((i: any) => i.id);
    expect(seen).to.deep.equal([a.id]);
  });

  it('a detach takes effect on the next request, in this process and in another one', async () => {
    const other = await startApp({}, app.databaseUrl);
    try {
      const u = await bareUser('detached');
      const a = await attach(u.id, managedPolicyId('ComputeReadOnlyAccess'));
      await u.as.get('/api/compute/flavors').expect(200);
      await other.as(u.token).get('/api/compute/flavors').expect(200); // cached there now
      await app.admin.delete(`/api/security/user-policy-attachments/${a.id}`).expect(204);
      await u.as.get('/api/compute/flavors').expect(403);
      await eventually(
        async () => (await other.as(u.token).get('/api/compute/flavors')).status === 403,
        'the other process to hear of the detach',
      );
    } finally {
      await other.close();
    }
  });

  it('the stack engine acts as the owner: a stack cannot do what its owner may not', async () => {
    const u = await bareUser('stack-owner');
    await attach(u.id, managedPolicyId('OwnerFullAccess'));
    await attach(u.id, (await policy(doc({ Sid: 'NoSubnets', Effect: 'Deny', Action: 'networking:CreateSubnet' }))).id);
    const template = {
      Resources: {
        Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'n', cidr_block: '10.60.0.0/16' } },
        Sub: {
          Type: 'Atonix::Networking::Subnet',
          Properties: { name: 's', vpc_id: { Ref: 'Net' }, cidr_block: '10.60.1.0/24' },
        },
      },
    };
    const s = (await u.as.post('/api/automation/stacks').send({ name: 'iam', template }).expect(202)).body;
    const done = await stackSettled(u.as, s.id);
    expect(done.status).to.equal('rollback_complete');
    expect(done.status_reason).to.match(/Sub: .*denied explicitly by statement NoSubnets/);
    expect((await u.as.get('/api/networking/vpcs').expect(200)).body.items).to.deep.equal([]);
  });

  it('a stack deploys policies, groups and their attachments (Atonix::Security::*), in dependency order', async () => {
    const template = {
      Resources: {
        Readers: { Type: 'Atonix::Security::Group', Properties: { name: 'stack-readers' } },
        Rule: {
          Type: 'Atonix::Security::Policy',
          Properties: {
            name: 'stack-rule',
            document: doc({ Effect: 'Allow', Action: 'compute:List*', Resource: '*' }),
          },
        },
        Link: {
          Type: 'Atonix::Security::GroupPolicyAttachment',
          Properties: { group_id: { Ref: 'Readers' }, policy_id: { Ref: 'Rule' } },
        },
      },
    };
    const s = (await app.admin.post('/api/automation/stacks').send({ name: 'iam-stack', template }).expect(202)).body;
    const done = await stackSettled(app.admin, s.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const group = (await app.admin.get('/api/security/groups?name=stack-readers').expect(200)).body.items[0];
    const held = (await app.admin.get(`/api/security/groups/${group.id}/policies`).expect(200)).body.items;
    const rule = (await app.admin.get('/api/security/policies?name=stack-rule').expect(200)).body.items[0];
    expect(held.map((a: any) => a.policy_id)).to.deep.equal([rule.id]);
    await app.admin.delete(`/api/automation/stacks/${s.id}`).expect(202);
    await eventually(
      async () => (await app.admin.get(`/api/security/policies/${rule.id}`)).status === 404,
      'the stack to delete its policy after the attachment',
    );
  });

  it('the event stream carries only events of resources the user may read', async () => {
    const u = await bareUser('watcher');
    await attach(u.id, managedPolicyId('OwnerFullAccess'));
    await attach(
      u.id,
      (await policy(doc({ Effect: 'Deny', Action: 'networking:GetVpc', Resource: 'atx:networking:*:*:vpc/*' }))).id,
    );
    const events: any[] = [];
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/api/events`, {
      headers: { Authorization: `Bearer ${u.token}` },
    });
    await new Promise((ok) => ws.on('message', (d) => (events.push(JSON.parse(String(d))), ok(undefined))));
    try {
      const vpc = (
        await u.as.post('/api/networking/vpcs').send({ name: 'hidden', cidr_block: '10.70.0.0/16' }).expect(202)
      ).body;
      await eventually(
        async () => (await app.admin.get(`/api/networking/vpcs/${vpc.id}`)).body.state === 'available',
        'the VPC',
      );
      const { flavor, image } = await catalogue(app);
      const inst = (
        await u.as.post('/api/compute/instances').send({ name: 'shown', flavor_id: flavor.id, image_id: image.id })
      ).body;
      await eventually(async () => events.some((e) => e.id === inst.id && e.status === 'running'), 'instance events');
      expect(events.filter((e) => e.kind === 'vpc')).to.deep.equal([]);
    } finally {
      ws.close();
    }
  });
});
