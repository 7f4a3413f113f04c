// Load balancers and what hangs off them: the kinds' own rules (the conformance suite covers the shared ones).
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { activeLb, forward, listener, targetGroup } from '../../support/lb.js';

describe('networking: load balancers', function () {
  this.timeout(30_000);
  let app: TestApp;
  let net: Awaited<ReturnType<typeof activeLb>>;
  before(async () => {
    app = await startApp();
    net = await activeLb(app);
  });
  after(() => app.close());
  const post = (path: string, body: object) => app.admin.post(path).send(body);

  describe('createLoadBalancer', () => {
    it('answers 202 provisioning, then a job makes it active with its dns name and no endpoints yet', async () => {
      const r = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: net.vpc,
        subnets: net.subnets,
      }).expect(202);
      expect(r.body).to.include({
        state: 'provisioning',
        type: 'application',
        scheme: 'internal',
        dns_name: '127.0.0.1',
      });
      const ready = await app.admin.get(`/api/networking/load-balancers/${r.body.id}`).set('Prefer', 'wait=10');
      expect(ready.body.endpoints).to.deep.equal({});
    });

    it('refuses an application load balancer in one zone, a subnet of another VPC and an unknown VPC', async () => {
      const one = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: net.vpc,
        subnets: [net.subnets[0]],
      });
      expect(one.status).to.equal(422);
      expect(one.body.errors[0]).to.include({ pointer: '/subnets', code: 'TooFewZones' });
      const other = await app.admin
        .post('/api/networking/vpcs')
        .set('Prefer', 'wait=10')
        .send({ name: 'o', cidr_block: '10.9.0.0/16' })
        .expect(202);
      const sub = await post(`/api/networking/vpcs/${other.body.id}/subnets`, { name: 's', cidr_block: '10.9.0.0/24' });
      const wrong = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: net.vpc,
        subnets: [net.subnets[0], sub.body.id],
      });
      expect(wrong.status).to.equal(422);
      expect(wrong.body.errors[0]).to.include({ pointer: '/subnets/1', code: 'WrongVpc' });
      const missing = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: 'vpc-nothere00',
        subnets: ['s'],
      });
      expect(missing.status).to.equal(422);
      expect(missing.body.errors[0].pointer).to.equal('/vpc_id');
      const badSg = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: net.vpc,
        subnets: net.subnets,
        security_group_ids: ['web'],
      });
      expect(badSg.status).to.equal(422);
      expect(badSg.body.errors[0].pointer).to.equal('/security_group_ids/0');
    });

    it("takes the VPC's default group when none is given, refuses another VPC's group, and needs public subnets to face the internet", async () => {
      const groups = (await app.admin.get(`/api/networking/security-groups?vpc_id=${net.vpc}`).expect(200)).body.items;
      const defaultGroup = groups.find((g: any) => g.is_default).id;
      const plain = await post('/api/networking/load-balancers', {
        name: 'd',
        vpc_id: net.vpc,
        subnets: net.subnets,
      }).expect(202);
      expect(plain.body.security_group_ids).to.deep.equal([defaultGroup]);
      const other = await app.admin
        .post('/api/networking/vpcs')
        .set('Prefer', 'wait=10')
        .send({ name: 'o2', cidr_block: '10.19.0.0/16' })
        .expect(202);
      const foreign = (await app.admin.get(`/api/networking/security-groups?vpc_id=${other.body.id}`).expect(200)).body
        .items[0].id;
      const wrong = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: net.vpc,
        subnets: net.subnets,
        security_group_ids: [defaultGroup, foreign],
      }).expect(422);
      expect(wrong.body.errors[0]).to.include({ pointer: '/security_group_ids/1', code: 'NotInVpc' });
      const facing = await post('/api/networking/load-balancers', {
        name: 'x',
        vpc_id: net.vpc,
        subnets: net.subnets,
        scheme: 'internet-facing',
      }).expect(422);
      expect(facing.body.errors[0]).to.include({ pointer: '/subnets/0', code: 'SubnetNotPublic' });
    });

    it('takes a network load balancer in one subnet', async () => {
      await post('/api/networking/load-balancers', {
        name: 'n',
        type: 'network',
        vpc_id: net.vpc,
        subnets: [net.subnets[0]],
      }).expect(202);
    });
  });

  describe('deleteVpc', () => {
    it('is refused with 409 naming the load balancers in it', async () => {
      const r = await app.admin.delete(`/api/networking/vpcs/${net.vpc}`).expect(409);
      expect(r.body.detail).to.include(net.lb);
    });
  });

  describe('deleteSubnet', () => {
    it('is refused with 409 naming the load balancers in it', async () => {
      const r = await app.admin.delete(`/api/networking/subnets/${net.subnets[0]}`).expect(409);
      expect(r.body.detail).to.include(net.lb);
    });
  });

  describe('deleteLoadBalancer', () => {
    it('deletes its listeners, rules, target groups and registrations with it', async () => {
      const own = await activeLb(app, 'application', 'gone');
      const { tg, targets } = await targetGroup(app, own.lb, [8080]);
      const l = await listener(app, own.lb, { port: 80, default_action: forward(tg) });
      await app.admin.delete(`/api/networking/load-balancers/${own.lb}`).expect(204);
      await app.admin.get(`/api/networking/listeners/${l.id}`).expect(404);
      await app.admin.get(`/api/networking/target-groups/${tg}`).expect(404);
      await app.admin.get(`/api/networking/targets/${targets[0]}`).expect(404);
    });
  });

  describe('createTargetGroup', () => {
    it('refuses a timeout not under the interval, and stickiness or HTTP on a network load balancer', async () => {
      const base = `/api/networking/load-balancers/${net.lb}/target-groups`;
      const slow = await post(base, {
        name: 't',
        port: 80,
        health_check_interval_seconds: 5,
        health_check_timeout_seconds: 5,
      });
      expect(slow.status).to.equal(422);
      expect(slow.body.errors[0].pointer).to.equal('/health_check_timeout_seconds');
      const nlb = await activeLb(app, 'network', 'nlb');
      const tcp = await post(`/api/networking/load-balancers/${nlb.lb}/target-groups`, { name: 't', port: 80 }).expect(
        201,
      );
      expect(tcp.body).to.include({ protocol: 'TCP', health_check_protocol: 'TCP' });
      const sticky = await post(`/api/networking/load-balancers/${nlb.lb}/target-groups`, {
        name: 't',
        port: 80,
        stickiness_enabled: true,
      });
      expect(sticky.body.errors[0].pointer).to.equal('/stickiness_enabled');
      const http = await post(`/api/networking/load-balancers/${nlb.lb}/target-groups`, {
        name: 't',
        port: 80,
        protocol: 'HTTP',
      });
      expect(http.body.errors[0]).to.include({ pointer: '/protocol', code: 'ProtocolMismatch' });
    });
  });

  describe('deleteTargetGroup', () => {
    it('is refused with 409 while a listener forwards to it', async () => {
      const { tg } = await targetGroup(app, net.lb, []);
      const l = await listener(app, net.lb, { port: 90, default_action: forward(tg) });
      const r = await app.admin.delete(`/api/networking/target-groups/${tg}`).expect(409);
      expect(r.body.detail).to.include(l.id);
    });
  });

  describe('registerTarget', () => {
    it('refuses an ip target that is no address, a duplicate, and an instance of another VPC', async () => {
      const { tg } = await targetGroup(app, net.lb, [7000]);
      const bad = await post(`/api/networking/target-groups/${tg}/targets`, { target_id: 'web-1' });
      expect(bad.body.errors[0]).to.include({ pointer: '/target_id', code: 'InvalidAddress' });
      const dup = await post(`/api/networking/target-groups/${tg}/targets`, { target_id: '127.0.0.1', port: 7000 });
      expect(dup.status).to.equal(409);
      const it = await post(`/api/networking/load-balancers/${net.lb}/target-groups`, {
        name: 'i',
        port: 80,
        target_type: 'instance',
      });
      const flavor = (await app.admin.get('/api/compute/flavors?name=t1.small')).body.items[0].id;
      const image = (await app.admin.get('/api/compute/images?name=debian-12')).body.items[0].id;
      const loose = await post('/api/compute/instances', { name: 'v', flavor_id: flavor, image_id: image });
      const r = await post(`/api/networking/target-groups/${it.body.id}/targets`, { target_id: loose.body.id });
      expect(r.body.errors[0]).to.include({ pointer: '/target_id', code: 'WrongVpc' });
    });

    it('shows a target of a group no listener uses as unused, and deregisters it at once', async () => {
      const { tg, targets } = await targetGroup(app, net.lb, [7001]);
      const t = (await app.admin.get(`/api/networking/targets/${targets[0]}`).expect(200)).body;
      expect(t).to.include({ health: 'unused', port: 7001 });
      await app.admin.delete(`/api/networking/targets/${targets[0]}`).expect(204);
      expect((await app.admin.get(`/api/networking/target-groups/${tg}/targets`)).body.items).to.deep.equal([]);
    });
  });

  describe('createListener', () => {
    it('refuses a port taken, TCP on an application load balancer and a target group of another', async () => {
      await listener(app, net.lb, {
        port: 91,
        default_action: { type: 'fixed-response', fixed_response: { status_code: 200 } },
      });
      const taken = await post(`/api/networking/load-balancers/${net.lb}/listeners`, {
        port: 91,
        default_action: { type: 'fixed-response', fixed_response: { status_code: 200 } },
      });
      expect(taken.status).to.equal(409);
      expect(taken.body.errors[0].pointer).to.equal('/port');
      const tcp = await post(`/api/networking/load-balancers/${net.lb}/listeners`, {
        port: 92,
        protocol: 'TCP',
        default_action: { type: 'fixed-response', fixed_response: { status_code: 200 } },
      });
      expect(tcp.body.errors[0]).to.include({ pointer: '/protocol', code: 'ProtocolMismatch' });
      const other = await activeLb(app, 'application', 'other');
      const { tg } = await targetGroup(app, other.lb, []);
      const foreign = await post(`/api/networking/load-balancers/${net.lb}/listeners`, {
        port: 93,
        default_action: forward(tg),
      });
      expect(foreign.body.errors[0].pointer).to.equal('/default_action/target_groups/0/target_group_id');
      const noBody = await post(`/api/networking/load-balancers/${net.lb}/listeners`, {
        port: 94,
        default_action: { type: 'redirect' },
      });
      expect(noBody.body.errors[0].pointer).to.equal('/default_action/redirect');
    });
  });

  describe('createListenerRule', () => {
    it('refuses a priority taken, and rules on a network load balancer', async () => {
      const l = await listener(app, net.lb, {
        port: 95,
        default_action: { type: 'fixed-response', fixed_response: { status_code: 200 } },
      });
      const body = {
        priority: 5,
        conditions: { path_patterns: ['/a'] },
        action: { type: 'fixed-response', fixed_response: { status_code: 201 } },
      };
      await post(`/api/networking/listeners/${l.id}/rules`, body).expect(201);
      const again = await post(`/api/networking/listeners/${l.id}/rules`, body).expect(409);
      expect(again.body.errors[0].pointer).to.equal('/priority');
      const nlb = await activeLb(app, 'network', 'nlb2');
      const tcp = await app.admin
        .post(`/api/networking/load-balancers/${nlb.lb}/target-groups`)
        .send({ name: 't', port: 80 });
      const nl = await listener(app, nlb.lb, { port: 96, default_action: forward(tcp.body.id) });
      const r = await post(`/api/networking/listeners/${nl.id}/rules`, body);
      expect(r.body.errors[0]).to.include({ pointer: '/listener_id', code: 'NotSupported' });
    });
  });

  describe('IAM', () => {
    it('refuses a deregistration an explicit deny names, with the IAM action, and lets the rest through', async () => {
      const u = await newUser(app, 'lb-operator');
      const as = app.as(u.token);
      const own = await as
        .post('/api/networking/vpcs')
        .set('Prefer', 'wait=10')
        .send({ name: 'n', cidr_block: '10.0.0.0/16' });
      const subnets = [];
      for (const [i, z] of ['a', 'b'].entries())
        subnets.push(
          (
            await as
              .post(`/api/networking/vpcs/${own.body.id}/subnets`)
              .send({ name: z, cidr_block: `10.0.${i}.0/24`, availability_zone: `us-east-1${z}` })
              .expect(201)
          ).body.id,
        );
      const lb = await as
        .post('/api/networking/load-balancers')
        .set('Prefer', 'wait=10')
        .send({ name: 'l', vpc_id: own.body.id, subnets })
        .expect(202);
      const tg = await as
        .post(`/api/networking/load-balancers/${lb.body.id}/target-groups`)
        .send({ name: 't', port: 80 })
        .expect(201);
      const t = await as
        .post(`/api/networking/target-groups/${tg.body.id}/targets`)
        .send({ target_id: '10.0.0.9' })
        .expect(201);
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-deregister',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'networking:DeregisterTargets', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const denied = await as.delete(`/api/networking/targets/${t.body.id}`).expect(403);
      expect(denied.body).to.include({ code: 'AccessDenied', action: 'networking:DeregisterTargets' });
      await as.get(`/api/networking/targets/${t.body.id}`).expect(200);
    });
  });
});
