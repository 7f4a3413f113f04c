// Security groups and their rules: the default group of every VPC, rule checks with pointers, duplicates and the
// per-direction limit, the group's authoritative lists, instances' groups, in-use deletes and IAM, by operation.
import { expect } from 'chai';
import { catalogue, newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('networking: security groups', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  let cidrs = 20;
  const vpc = async () =>
    (
      await app.admin
        .post('/api/networking/vpcs')
        .send({ name: 'net', cidr_block: `10.${cidrs++}.0.0/16` })
        .expect(202)
    ).body;
  const group = async (vpcId: string, extra: object = {}) =>
    (
      await app.admin
        .post('/api/networking/security-groups')
        .send({ name: `g-${Math.random().toString(36).slice(2, 8)}`, vpc_id: vpcId, ...extra })
        .expect(201)
    ).body;
  const addRule = (groupId: string, body: object) =>
    app.admin.post(`/api/networking/security-groups/${groupId}/rules`).send(body);
  const defaultOf = async (vpcId: string) =>
    (await app.admin.get(`/api/networking/security-groups?vpc_id=${vpcId}&name=default`).expect(200)).body.items[0];
  const sshSpec = { protocol: 'tcp', from_port: 22, to_port: 22, cidr_block: '0.0.0.0/0' };
  const ssh = { direction: 'ingress', ...sshSpec };

  describe('createVpc and deleteVpc', () => {
    it('gives every VPC a default group (all egress, ingress from itself) that goes only with the VPC', async () => {
      const v = await vpc();
      const d = await defaultOf(v.id);
      expect(d).to.include({ name: 'default', is_default: true, vpc_id: v.id });
      expect(d.ingress).to.deep.equal([
        {
          protocol: 'all',
          from_port: null,
          to_port: null,
          cidr_block: null,
          source_security_group_id: d.id,
          description: null,
        },
      ]);
      expect(d.egress).to.deep.equal([
        {
          protocol: 'all',
          from_port: null,
          to_port: null,
          cidr_block: '0.0.0.0/0',
          source_security_group_id: null,
          description: null,
        },
      ]);
      const refused = await app.admin.delete(`/api/networking/security-groups/${d.id}`).expect(409);
      expect(refused.body).to.include({ code: 'DefaultResource', vpc_id: v.id });
      const custom = await group(v.id);
      const blocked = await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(409);
      expect(blocked.body.blocked_by).to.deep.equal([{ kind: 'security_group', id: custom.id }]);
      await app.admin.delete(`/api/networking/security-groups/${custom.id}`).expect(204);
      await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(204);
      await app.admin.get(`/api/networking/security-groups/${d.id}`).expect(404);
      const rules = await app.admin.get(`/api/networking/security-group-rules?security_group_id=${d.id}`).expect(200);
      expect(rules.body.items).to.deep.equal([]);
    });
  });

  describe('createSecurityGroup', () => {
    it('starts with all egress and no ingress unless lists are sent; names are unique in the VPC', async () => {
      const v = await vpc();
      const g = await group(v.id, { name: 'web' });
      expect(g.ingress).to.deep.equal([]);
      expect(g.egress).to.have.length(1);
      const dup = await app.admin
        .post('/api/networking/security-groups')
        .send({ name: 'web', vpc_id: v.id })
        .expect(409);
      expect(dup.body.code).to.equal('AlreadyExists');
      const locked = await group(v.id, {
        ingress: [{ protocol: 'tcp', from_port: 443, to_port: 443, cidr_block: '0.0.0.0/0' }],
        egress: [],
      });
      expect(locked.egress).to.deep.equal([]);
      expect(locked.ingress[0]).to.include({ protocol: 'tcp', from_port: 443, description: null });
      const unknown = await app.admin
        .post('/api/networking/security-groups')
        .send({ name: 'x', vpc_id: 'vpc-doesnotexist0' })
        .expect(422);
      expect(unknown.body.errors[0].pointer).to.equal('/vpc_id');
    });
    it('points at the bad field of the bad rule of a list', async () => {
      const v = await vpc();
      const bad = await app.admin
        .post('/api/networking/security-groups')
        .send({
          name: 'bad',
          vpc_id: v.id,
          ingress: [sshSpec, { protocol: 'tcp', from_port: 90, to_port: 80, cidr_block: '0.0.0.0/0' }],
        })
        .expect(422);
      expect(bad.body.errors[0]).to.include({ pointer: '/ingress/1/to_port', code: 'InvalidPortRange' });
      const none = await app.admin.get(`/api/networking/security-groups?vpc_id=${v.id}&name=bad`).expect(200);
      expect(none.body.items, 'nothing written').to.deep.equal([]);
    });
  });

  describe('createSecurityGroupRule', () => {
    const refusals: [string, object, string, string][] = [
      ['ports reversed', { from_port: 100, to_port: 10 }, '/to_port', 'InvalidPortRange'],
      ['a port out of range', { from_port: 1, to_port: 70000 }, '/to_port', 'ValidationFailed'],
      ['tcp without ports', { from_port: null, to_port: null }, '/from_port', 'InvalidPortRange'],
      ['all with ports', { protocol: 'all' }, '/from_port', 'InvalidPortRange'],
      [
        'an ICMP code without a type',
        { protocol: 'icmp', from_port: null, to_port: 3 },
        '/to_port',
        'InvalidPortRange',
      ],
      ['an ICMP type past 255', { protocol: 'icmp', from_port: 300, to_port: null }, '/from_port', 'InvalidPortRange'],
      ['a host address as CIDR', { cidr_block: '10.0.0.1/8' }, '/cidr_block', 'InvalidCidr'],
      ['no peer', { cidr_block: null }, '/cidr_block', 'InvalidPeer'],
      ['two peers', { source_security_group_id: 'sg-aaaaaaaaaaaaaaaa' }, '/cidr_block', 'InvalidPeer'],
    ];
    for (const [what, change, pointer, code] of refusals)
      it(`refuses ${what} with a 422 at ${pointer}`, async () => {
        const g = await group((await vpc()).id);
        const r = await addRule(g.id, { ...ssh, ...change }).expect(422);
        const err = r.body.errors[0];
        expect(err.pointer).to.equal(pointer);
        if (code !== 'ValidationFailed') expect(err.code).to.equal(code);
      });

    it('adds rules to the group lists, refuses a duplicate naming it, and a group of another VPC', async () => {
      const v = await vpc();
      const g = await group(v.id);
      const before = (await app.admin.get(`/api/networking/security-groups/${g.id}`).expect(200)).headers.etag;
      const r = (await addRule(g.id, { ...ssh, description: 'admins' }).expect(201)).body;
      expect(r).to.include({ security_group_id: g.id, direction: 'ingress', description: 'admins' });
      const after = await app.admin.get(`/api/networking/security-groups/${g.id}`).expect(200);
      expect(after.headers.etag).to.not.equal(before);
      expect(after.body.ingress).to.deep.equal([
        {
          protocol: 'tcp',
          from_port: 22,
          to_port: 22,
          cidr_block: '0.0.0.0/0',
          source_security_group_id: null,
          description: 'admins',
        },
      ]);
      const dup = await addRule(g.id, { ...ssh, description: 'again' }).expect(409);
      expect(dup.body).to.include({ code: 'Duplicate', conflicts_with: r.id });
      expect(dup.body.detail).to.contain(r.id);
      const icmp = await addRule(g.id, {
        direction: 'ingress',
        protocol: 'icmp',
        from_port: 8,
        to_port: null,
        cidr_block: '10.0.0.0/8',
      });
      expect(icmp.status).to.equal(201);
      const peer = await group(v.id);
      await addRule(g.id, { direction: 'ingress', protocol: 'all', source_security_group_id: peer.id }).expect(201);
      const elsewhere = await group((await vpc()).id);
      const outside = await addRule(g.id, {
        direction: 'ingress',
        protocol: 'all',
        source_security_group_id: elsewhere.id,
      }).expect(422);
      expect(outside.body.errors[0]).to.include({ pointer: '/source_security_group_id', code: 'GroupOutsideVpc' });
      const listed = await app.admin.get(`/api/networking/security-groups/${g.id}/rules?direction=ingress`).expect(200);
      expect(listed.body.items).to.have.length(3);
    });

    it('holds at most 60 rules per direction (409 LimitExceeded)', async () => {
      const g = await group((await vpc()).id);
      for (let p = 1; p <= 60; p++) await addRule(g.id, { ...ssh, from_port: p, to_port: p }).expect(201);
      const r = await addRule(g.id, { ...ssh, from_port: 61, to_port: 61 }).expect(409);
      expect(r.body.code).to.equal('LimitExceeded');
      await addRule(g.id, { ...ssh, direction: 'egress', from_port: 61, to_port: 61 }).expect(201);
    });

    it('is refused by an IAM deny, and nothing is written', async () => {
      const u = await newUser(app, 'sg-denied');
      const as = app.as(u.token);
      const v = (await as.post('/api/networking/vpcs').send({ name: 'n', cidr_block: '10.99.0.0/16' }).expect(202))
        .body;
      const g = (await as.post('/api/networking/security-groups').send({ name: 'g', vpc_id: v.id }).expect(201)).body;
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-rules',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'networking:CreateSecurityGroupRule', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const r = await as.post(`/api/networking/security-groups/${g.id}/rules`).send(ssh).expect(403);
      expect(r.body).to.include({ code: 'AccessDenied', action: 'networking:CreateSecurityGroupRule' });
      expect((await as.get(`/api/networking/security-groups/${g.id}`).expect(200)).body.ingress).to.deep.equal([]);
    });
  });

  describe('updateSecurityGroup', () => {
    it('replaces a direction when its list is sent (keeping the ids of rules that stay) and leaves it when not', async () => {
      const g = await group((await vpc()).id);
      const kept = (await addRule(g.id, ssh).expect(201)).body;
      const gone = (await addRule(g.id, { ...ssh, from_port: 80, to_port: 80 }).expect(201)).body;
      const r = await app.admin
        .patch(`/api/networking/security-groups/${g.id}`)
        .send({
          ingress: [
            { ...ssh, direction: undefined },
            { protocol: 'udp', from_port: 53, to_port: 53, cidr_block: '10.0.0.0/8' },
          ],
        })
        .expect(200);
      expect(r.body.ingress.map((x: any) => x.protocol)).to.deep.equal(['tcp', 'udp']);
      expect(r.body.egress, 'egress untouched').to.have.length(1);
      await app.admin.get(`/api/networking/security-group-rules/${kept.id}`).expect(200);
      await app.admin.get(`/api/networking/security-group-rules/${gone.id}`).expect(404);
      const renamed = await app.admin
        .patch(`/api/networking/security-groups/${g.id}`)
        .send({ name: 'renamed' })
        .expect(200);
      expect(renamed.body.ingress).to.have.length(2);
      const dup = await app.admin
        .patch(`/api/networking/security-groups/${g.id}`)
        .send({
          egress: [
            { protocol: 'all', cidr_block: '0.0.0.0/0' },
            { protocol: 'all', cidr_block: '0.0.0.0/0' },
          ],
        })
        .expect(422);
      expect(dup.body.errors[0]).to.include({ pointer: '/egress/1', code: 'DuplicateRule' });
    });
  });

  describe('updateSecurityGroupRule and deleteSecurityGroupRule', () => {
    it('changes a description in the group list too, and deletes a rule from it', async () => {
      const g = await group((await vpc()).id);
      const r = (await addRule(g.id, ssh).expect(201)).body;
      await app.admin
        .patch(`/api/networking/security-group-rules/${r.id}`)
        .send({ description: 'bastion' })
        .expect(200);
      const after = (await app.admin.get(`/api/networking/security-groups/${g.id}`).expect(200)).body;
      expect(after.ingress[0].description).to.equal('bastion');
      const imm = await app.admin
        .patch(`/api/networking/security-group-rules/${r.id}`)
        .send({ from_port: 23 })
        .expect(422);
      expect(imm.body.code).to.equal('FieldImmutable');
      await app.admin.delete(`/api/networking/security-group-rules/${r.id}`).expect(204);
      expect((await app.admin.get(`/api/networking/security-groups/${g.id}`).expect(200)).body.ingress).to.deep.equal(
        [],
      );
    });
  });

  describe('instances: security_group_ids', () => {
    it('puts an instance in its VPC default group, changes groups by PATCH, and refuses groups of another VPC', async () => {
      const { flavor, image } = await catalogue(app);
      const v = await vpc();
      const s = (
        await app.admin
          .post(`/api/networking/vpcs/${v.id}/subnets`)
          .send({ name: 's', cidr_block: `${v.cidr_block.split('.0.0/')[0]}.1.0/24` })
          .expect(201)
      ).body;
      const d = await defaultOf(v.id);
      const vm = (
        await app.admin
          .post('/api/compute/instances')
          .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
          .expect(202)
      ).body;
      expect(vm.security_group_ids).to.deep.equal([d.id]);
      const web = await group(v.id);
      const moved = await app.admin
        .patch(`/api/compute/instances/${vm.id}`)
        .send({ security_group_ids: [web.id, d.id] })
        .expect(200);
      expect(moved.body.security_group_ids).to.deep.equal([web.id, d.id]);
      const other = await group((await vpc()).id);
      const refused = await app.admin
        .patch(`/api/compute/instances/${vm.id}`)
        .send({ security_group_ids: [other.id] })
        .expect(422);
      expect(refused.body.errors[0]).to.include({ pointer: '/security_group_ids/0', code: 'GroupOutsideVpc' });
      const missing = await app.admin
        .patch(`/api/compute/instances/${vm.id}`)
        .send({ security_group_ids: ['sg-doesnotexist00'] })
        .expect(422);
      expect(missing.body.errors[0].pointer).to.equal('/security_group_ids/0');
      const loose = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'loose', flavor_id: flavor.id, image_id: image.id, security_group_ids: [web.id] })
        .expect(422);
      expect(loose.body.errors[0]).to.include({ pointer: '/security_group_ids', code: 'NoSubnet' });
      const plain = (
        await app.admin
          .post('/api/compute/instances')
          .send({ name: 'plain', flavor_id: flavor.id, image_id: image.id })
          .expect(202)
      ).body;
      expect(plain.security_group_ids).to.deep.equal([]);
    });
  });

  describe('deleteSecurityGroup', () => {
    it('is refused while an instance or another group rule uses the group, naming them', async () => {
      const { flavor, image } = await catalogue(app);
      const v = await vpc();
      const s = (
        await app.admin
          .post(`/api/networking/vpcs/${v.id}/subnets`)
          .send({ name: 's', cidr_block: `${v.cidr_block.split('.0.0/')[0]}.1.0/24` })
          .expect(201)
      ).body;
      const web = await group(v.id);
      const db = await group(v.id);
      await addRule(web.id, { direction: 'ingress', protocol: 'all', source_security_group_id: web.id }).expect(201);
      const ref = (
        await addRule(db.id, {
          direction: 'ingress',
          protocol: 'tcp',
          from_port: 5432,
          to_port: 5432,
          source_security_group_id: web.id,
        }).expect(201)
      ).body;
      const vm = (
        await app.admin
          .post('/api/compute/instances')
          .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id, security_group_ids: [web.id] })
          .expect(202)
      ).body;
      const r = await app.admin.delete(`/api/networking/security-groups/${web.id}`).expect(409);
      expect(r.body.code).to.equal('ResourceInUse');
      expect(r.body.blocked_by.map((b: any) => b.id)).to.have.members([vm.id, ref.id]);
      await app.admin.delete(`/api/compute/instances/${vm.id}`).expect(204);
      await app.admin.delete(`/api/networking/security-group-rules/${ref.id}`).expect(204);
      await app.admin.delete(`/api/networking/security-groups/${web.id}`).expect(204); // its self-reference goes with it
    });
  });

  describe('stacks', () => {
    it('deploys a template with a security group and a rule through the registry', async () => {
      const template = {
        Resources: {
          Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'stack-net', cidr_block: '10.98.0.0/16' } },
          Web: {
            Type: 'Atonix::Networking::SecurityGroup',
            Properties: { name: 'web', vpc_id: { Ref: 'Net' } },
          },
          Https: {
            Type: 'Atonix::Networking::SecurityGroupRule',
            Properties: {
              security_group_id: { Ref: 'Web' },
              direction: 'ingress',
              protocol: 'tcp',
              from_port: 443,
              to_port: 443,
              cidr_block: '0.0.0.0/0',
            },
          },
        },
      };
      const r = await app.admin.post('/api/automation/stacks').send({ name: 'sg-stack', template }).expect(202);
      const done = await stackSettled(app.admin, r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const res = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
      const web = res.find((x: any) => x.logical_id === 'Web').physical_id;
      const g = (await app.admin.get(`/api/networking/security-groups/${web}`).expect(200)).body;
      expect(g.ingress).to.deep.equal([
        {
          protocol: 'tcp',
          from_port: 443,
          to_port: 443,
          cidr_block: '0.0.0.0/0',
          source_security_group_id: null,
          description: null,
        },
      ]);
    });
  });
});
