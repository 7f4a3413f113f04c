// Cache policies: the managed ones (seeded with CloudFront's values, seen by everyone, read-only), the TTL and key
// rules of custom ones, names, and the delete rules (the conformance suite covers the shared checks).
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

describe('cdn: cache policies', function () {
  this.timeout(30_000);
  let app: TestApp;
  let alice: TestApp['admin'];
  let bob: TestApp['admin'];
  before(async () => {
    app = await startApp();
    alice = app.as((await newUser(app, 'cp-alice')).token);
    bob = app.as((await newUser(app, 'cp-bob')).token);
  });
  after(() => app.close());

  const refused = async (r: Promise<any> | any, status: number, pointer: string, code?: string) => {
    const res = await r;
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers['content-type']).to.match(/problem\+json/);
    expect(res.body.errors?.[0]?.pointer, JSON.stringify(res.body)).to.equal(pointer);
    if (code) expect(res.body.errors[0].code).to.equal(code);
  };

  describe('managed policies', () => {
    it('are seeded with CloudFront values and listed for every owner', async () => {
      const r = await alice.get('/api/cdn/cache-policies?type=managed&limit=100').expect(200);
      const byName = Object.fromEntries(r.body.items.map((p: any) => [p.name, p]));
      expect(Object.keys(byName)).to.include.members([
        'CachingOptimized',
        'CachingDisabled',
        'CachingOptimizedForUncompressedObjects',
        'Elemental-MediaPackage',
      ]);
      expect(byName.CachingOptimized).to.include({
        id: 'cp-cachingoptimized',
        type: 'managed',
        owner: null,
        min_ttl: 1,
        default_ttl: 86400,
        max_ttl: 31536000,
        enable_gzip: true,
        enable_brotli: true,
      });
      expect(byName.CachingDisabled).to.include({ min_ttl: 0, default_ttl: 0, max_ttl: 0, enable_gzip: false });
      expect(byName['Elemental-MediaPackage'].query_strings).to.deep.equal({
        behavior: 'allow',
        names: ['aws.manifestfilter', 'start', 'end', 'm'],
      });
      await bob.get('/api/cdn/cache-policies/cp-cachingdisabled').expect(200);
    });

    it('refuse a change or a delete with 409, even from an admin', async () => {
      const p = await alice.patch('/api/cdn/cache-policies/cp-cachingoptimized').send({ default_ttl: 5 });
      expect(p.status).to.equal(409);
      expect(p.body.errors[0].code).to.equal('ManagedPolicy');
      const d = await app.admin.delete('/api/cdn/cache-policies/cp-cachingoptimized');
      expect(d.status).to.equal(409);
      const still = await alice.get('/api/cdn/cache-policies/cp-cachingoptimized').expect(200);
      expect(still.body.default_ttl).to.equal(86400);
    });

    it('reserve their names', async () => {
      await refused(
        alice.post('/api/cdn/cache-policies').send({ name: 'CachingOptimized' }),
        409,
        '/name',
        'AlreadyExists',
      );
    });
  });

  describe('createCdnCachePolicy', () => {
    it('fills CloudFront-like defaults and lowercases header names', async () => {
      const r = await alice
        .post('/api/cdn/cache-policies')
        .send({ name: 'by-lang', headers: { behavior: 'allow', names: ['Accept-Language'] } })
        .expect(201);
      expect(r.body).to.include({ type: 'custom', min_ttl: 1, default_ttl: 86400, max_ttl: 31536000 });
      expect(r.body.headers).to.deep.equal({ behavior: 'allow', names: ['accept-language'] });
      expect(r.body.query_strings).to.deep.equal({ behavior: 'none', names: [] });
    });

    it('refuses TTLs out of order, each pointing at its field', async () => {
      await refused(
        alice.post('/api/cdn/cache-policies').send({ name: 'a', min_ttl: 100, default_ttl: 10 }),
        422,
        '/min_ttl',
        'TtlOrder',
      );
      await refused(
        alice.post('/api/cdn/cache-policies').send({ name: 'a', default_ttl: 100, max_ttl: 10 }),
        422,
        '/max_ttl',
        'TtlOrder',
      );
      await refused(alice.post('/api/cdn/cache-policies').send({ name: 'a', max_ttl: -1 }), 422, '/max_ttl');
    });

    it('refuses key parts without names, with names they ignore, and all or deny for headers', async () => {
      const post = (b: object) => alice.post('/api/cdn/cache-policies').send({ name: 'k', ...b });
      await refused(post({ query_strings: { behavior: 'allow' } }), 422, '/query_strings/names', 'NamesRequired');
      await refused(post({ cookies: { behavior: 'all', names: ['x'] } }), 422, '/cookies/names', 'NamesNotAllowed');
      await refused(post({ headers: { behavior: 'all' } }), 422, '/headers/behavior');
      await refused(post({ headers: { behavior: 'sometimes' } }), 422, '/headers/behavior');
    });

    it('keeps names unique per owner only', async () => {
      await alice.post('/api/cdn/cache-policies').send({ name: 'dup' }).expect(201);
      await refused(alice.post('/api/cdn/cache-policies').send({ name: 'dup' }), 409, '/name', 'AlreadyExists');
      await bob.post('/api/cdn/cache-policies').send({ name: 'dup' }).expect(201);
    });
  });

  describe('updateCdnCachePolicy', () => {
    it('checks the policy whole after the patch', async () => {
      const p = await alice.post('/api/cdn/cache-policies').send({ name: 'patched', default_ttl: 60 }).expect(201);
      await refused(alice.patch(`/api/cdn/cache-policies/${p.body.id}`).send({ max_ttl: 30 }), 422, '/max_ttl');
      const ok = await alice
        .patch(`/api/cdn/cache-policies/${p.body.id}`)
        .send({ max_ttl: 60, min_ttl: 0 })
        .expect(200);
      expect(ok.body).to.include({ min_ttl: 0, default_ttl: 60, max_ttl: 60 });
    });
  });

  describe('deleteCdnCachePolicy', () => {
    it('refuses while a distribution uses it, naming the distribution', async () => {
      const p = await alice.post('/api/cdn/cache-policies').send({ name: 'used' }).expect(201);
      const d = await alice
        .post('/api/networking/cdn/distributions')
        .send({
          name: 'uses',
          enabled: false,
          origins: [{ id: 'o', url: 'http://127.0.0.1:9' }],
          default_cache_behavior: { target_origin_id: 'o', cache_policy_id: 'cp-cachingoptimized' },
          ordered_cache_behaviors: [{ path_pattern: '/api/*', target_origin_id: 'o', cache_policy_id: p.body.id }],
        })
        .expect(202);
      const r = await alice.delete(`/api/cdn/cache-policies/${p.body.id}`);
      expect(r.status).to.equal(409);
      expect(r.body.blocked_by).to.deep.equal([{ kind: 'cdn_distribution', id: d.body.id }]);
      await alice.delete(`/api/networking/cdn/distributions/${d.body.id}`).expect(204);
      await alice.delete(`/api/cdn/cache-policies/${p.body.id}`).expect(204);
    });

    it("is a 404 for another owner's policy", async () => {
      const p = await alice.post('/api/cdn/cache-policies').send({ name: 'mine' }).expect(201);
      await bob.get(`/api/cdn/cache-policies/${p.body.id}`).expect(404);
      await bob.delete(`/api/cdn/cache-policies/${p.body.id}`).expect(404);
    });
  });
});
