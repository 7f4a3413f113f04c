// Identity and tenancy: tokens (hashed, shown once, revocable), admin-only operations, owner isolation.
import { expect } from 'chai';
import { catalogue, newUser, startApp, advanceClock, type TestApp } from '../../support/app.js';

describe('security: identity, tokens and tenancy', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(() => app.close());

  describe('authentication (every operation)', () => {
    it('answers 401 problems without a token, with a malformed header and with an unknown token', async () => {
      const none = await app.as('').get('/api/compute/instances').expect(401);
      expect(none.headers['content-type']).to.match(/application\/problem\+json/);
      expect(none.headers['www-authenticate']).to.match(/^Bearer/);
      expect(none.body).to.include({ code: 'Unauthenticated', status: 401 });
      expect(none.body.request_id).to.match(/^req-/);
      const basic = await app
        .as('')
        .get('/api/compute/instances')
        .set('Authorization', 'Basic Zm9vOmJhcg==')
        .expect(401);
      expect(basic.body.detail).to.match(/Bearer/);
      await app.as('atx_unknown').get('/api/compute/instances').expect(401);
    });
  });

  describe('createToken, listTokens and revokeToken', () => {
    it('keeps a new secret nowhere but the first answer: an idempotent replay answers the token without it', async () => {
      const owner = await newUser(app, 'replayed');
      const make = () =>
        app.admin
          .post(`/api/security/users/${owner.id}/tokens`)
          .set('Idempotency-Key', 'tok-once')
          .send({ name: 'ci' });
      const first = await make().expect(201);
      expect(first.body.token).to.be.a('string');
      const again = await make().expect(201);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.body.id).to.equal(first.body.id);
      expect(again.body).to.not.have.property('token');
      const stored = await app.platform.db('idempotency_keys').where({ key: 'tok-once' }).first('response_body');
      expect(JSON.stringify(stored.response_body)).to.not.contain(first.body.token);
    });

    it('stores tokens hashed, shows the secret once, lists without it and revokes at once', async () => {
      const u = await app.admin
        .post('/api/security/users')
        .send({ name: 'alice', email: 'alice@example.com' })
        .expect(201);
      expect(u.body).to.include({ name: 'alice', is_admin: false });
      const t = await app.admin.post(`/api/security/users/${u.body.id}/tokens`).send({ name: 'laptop' }).expect(201);
      expect(t.body.token).to.match(/^atx_[a-z2-7]{40}$/);
      expect(t.body.prefix).to.equal(t.body.token.slice(0, 8));
      const stored = await app.platform.db('tokens').where({ id: t.body.id }).first();
      expect(stored.token_hash).to.not.contain(t.body.token);
      expect(JSON.stringify(stored)).to.not.contain(t.body.token);
      await app.as(t.body.token).get('/api/compute/instances').expect(200);
      const own = await app.as(t.body.token).get(`/api/security/users/${u.body.id}/tokens`).expect(200);
      expect(own.body.items).to.have.length(1);
      expect(own.body.items[0]).to.not.have.property('token');
      await app.as(t.body.token).delete(`/api/security/users/${u.body.id}/tokens/${t.body.id}`).expect(204);
      await app.as(t.body.token).get('/api/compute/instances').expect(401);
    });
    it('refuses expired tokens and past expiry dates', async () => {
      const u = await newUser(app, 'expiring');
      const past = await app.admin
        .post(`/api/security/users/${u.id}/tokens`)
        .send({ name: 'x', expires_at: '2001-01-01T00:00:00Z' })
        .expect(422);
      expect(past.body.errors[0].pointer).to.equal('/expires_at');
      const soon = new Date(app.platform.clock.now() + 60_000).toISOString();
      const t = await app.admin
        .post(`/api/security/users/${u.id}/tokens`)
        .send({ name: 'short', expires_at: soon })
        .expect(201);
      await app.as(t.body.token).get('/api/compute/flavors').expect(200);
      await advanceClock(app, 59);
      await app.as(t.body.token).get('/api/compute/flavors').expect(200);
      await advanceClock(app, 1);
      const expired = await app.as(t.body.token).get('/api/compute/flavors').expect(401);
      expect(expired.body.detail).to.equal('The token has expired.');
    });
  });

  describe('tenancy (every kind)', () => {
    it("keeps users apart: another owner's resource is a 404, lists hold only one's own, the admin sees all", async () => {
      const { flavor, image } = await catalogue(app);
      const bob = await newUser(app, 'bob');
      const carol = await newUser(app, 'carol');
      const inst = (
        await app
          .as(bob.token)
          .post('/api/compute/instances')
          .send({ name: 'bobs', flavor_id: flavor.id, image_id: image.id })
          .expect(202)
      ).body;
      expect(inst.owner).to.equal(bob.id);
      const vpc = (
        await app
          .as(bob.token)
          .post('/api/networking/vpcs')
          .send({ name: 'bobnet', cidr_block: '10.9.0.0/16' })
          .expect(202)
      ).body;
      for (const path of [`/api/compute/instances/${inst.id}`, `/api/networking/vpcs/${vpc.id}`]) {
        const r = await app.as(carol.token).get(path).expect(404);
        expect(r.body.code).to.equal('NotFound');
        await app.as(carol.token).delete(path).expect(404);
        await app.as(carol.token).patch(path).send({ name: 'stolen' }).expect(404);
      }
      await app.as(carol.token).post(`/api/compute/instances/${inst.id}/stop`).expect(404);
      await app
        .as(carol.token)
        .post(`/api/networking/vpcs/${vpc.id}/subnets`)
        .send({ name: 's', cidr_block: '10.9.0.0/24' })
        .expect(404);
      expect((await app.as(carol.token).get('/api/compute/instances').expect(200)).body.items).to.deep.equal([]);
      expect(
        (await app.as(bob.token).get('/api/compute/instances').expect(200)).body.items.map((i: any) => i.id),
      ).to.deep.equal([inst.id]);
      expect((await app.admin.get(`/api/compute/instances/${inst.id}`).expect(200)).body.owner).to.equal(bob.id);
      // carol cannot place an instance into bob's subnet either
      const s = (
        await app
          .as(bob.token)
          .post(`/api/networking/vpcs/${vpc.id}/subnets`)
          .send({ name: 's', cidr_block: '10.9.0.0/24' })
          .expect(201)
      ).body;
      const r = await app
        .as(carol.token)
        .post('/api/compute/instances')
        .send({ name: 'x', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
        .expect(422);
      expect(r.body.errors[0]).to.include({ pointer: '/subnet_id', code: 'ReferenceNotFound' });
    });
  });

  describe('one kind per operation', () => {
    it("never answers another kind's id, even when that row is cached (images are public, instances are not)", async () => {
      const { flavor, image } = await catalogue(app);
      const victim = await newUser(app, 'cache-victim');
      const mallory = await newUser(app, 'cache-mallory');
      const inst = (
        await app
          .as(victim.token)
          .post('/api/compute/instances')
          .send({ name: 'payroll-db', flavor_id: flavor.id, image_id: image.id })
          .expect(202)
      ).body;
      await app.as(victim.token).get(`/api/compute/instances/${inst.id}`).expect(200); // now in the row cache
      const r = await app.as(mallory.token).get(`/api/compute/images/${inst.id}`).expect(404);
      expect(r.body.code).to.equal('NotFound');
      await app.as(mallory.token).get(`/api/compute/flavors/${inst.id}`).expect(404);
    });
  });

  describe('createUser and getUser', () => {
    it('lets only admins manage users; a user reads themself, another user is a 404', async () => {
      const dave = await newUser(app, 'dave');
      const erin = await newUser(app, 'erin');
      await app.as(dave.token).get(`/api/security/users/${dave.id}`).expect(200);
      await app.as(dave.token).get(`/api/security/users/${erin.id}`).expect(404);
      await app.as(dave.token).get(`/api/security/users/${erin.id}/tokens`).expect(404);
      await app.as(dave.token).post(`/api/security/users/${erin.id}/tokens`).send({ name: 'hijack' }).expect(404);
      const denied = await app.as(dave.token).post('/api/security/users').send({ name: 'mallory' }).expect(403);
      expect(denied.body.code).to.equal('Forbidden');
      await app.as(dave.token).get('/api/security/users').expect(403);
      await app.as(dave.token).patch(`/api/security/users/${dave.id}`).send({ is_admin: true }).expect(403);
      const dup = await app.admin.post('/api/security/users').send({ name: 'dave' }).expect(409);
      expect(dup.body.errors[0].pointer).to.equal('/name');
    });
  });

  describe('updateUser and deleteUser', () => {
    it('applies a role change at once and refuses to delete a user who owns resources', async () => {
      const frank = await newUser(app, 'frank');
      await app.as(frank.token).get('/api/security/users').expect(403);
      await app.admin.patch(`/api/security/users/${frank.id}`).send({ is_admin: true }).expect(200);
      await app.as(frank.token).get('/api/security/users').expect(200);
      await app.admin.patch(`/api/security/users/${frank.id}`).send({ is_admin: false }).expect(200);
      const v = (
        await app
          .as(frank.token)
          .post('/api/networking/vpcs')
          .send({ name: 'f', cidr_block: '10.8.0.0/16' })
          .expect(202)
      ).body;
      const r = await app.admin.delete(`/api/security/users/${frank.id}`).expect(409);
      // The VPC first; what comes with it (its default group and rules, its main route table) is named too.
      expect(r.body.blocked_by[0]).to.deep.equal({ kind: 'vpc', id: v.id });
      await app.as(frank.token).delete(`/api/networking/vpcs/${v.id}`).expect(204);
      await app.admin.delete(`/api/security/users/${frank.id}`).expect(204);
      await app.as(frank.token).get('/api/compute/flavors').expect(401);
    });
  });
});
