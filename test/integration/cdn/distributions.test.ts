// CDN distributions: statuses and config versions, the edge's view of them, every refusal with its pointer, aliases
// unique across distributions, and the delete rule (disable first). The conformance suite covers the shared checks.
import { expect } from 'chai';
import { distributionIdForHost, edgeDistribution, edgeDistributions } from '../../../api/src/cdn/edge-config.js';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';

const base = (extra: object = {}) => ({
  name: 'site',
  origins: [{ id: 'web', url: 'http://127.0.0.1:8081' }],
  default_cache_behavior: { target_origin_id: 'web', cache_policy_id: 'cp-cachingoptimized' },
  ...extra,
});

describe('cdn: distributions', function () {
  this.timeout(30_000);
  let app: TestApp;
  let alice: TestApp['admin'];
  let bob: TestApp['admin'];
  before(async () => {
    app = await startApp();
    alice = app.as((await newUser(app, 'cd-alice')).token);
    bob = app.as((await newUser(app, 'cd-bob')).token);
  });
  after(() => app.close());
  const post = (body: object, as = alice) => as.post('/api/networking/cdn/distributions').send(body);
  /** The distribution once its deployment job has run (a poll: the job runs as soon as it is due). */
  const deployed = (id: string, as = alice) =>
    eventually(async () => {
      const r = await as.get(`/api/networking/cdn/distributions/${id}`).expect(200);
      return r.body.status === 'deployed' && r;
    }, `${id} deployed`);
  const refused = async (r: any, status: number, pointer: string, code?: string) => {
    const res = await r;
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    expect(res.headers['content-type']).to.match(/problem\+json/);
    expect(res.body.errors?.[0]?.pointer, JSON.stringify(res.body)).to.equal(pointer);
    if (code) expect(res.body.errors[0].code).to.equal(code);
  };

  describe('createCdnDistribution', () => {
    it('answers 202 in_progress with its domain name and edge locations; a job deploys it', async () => {
      const r = await post(base({ price_class: 'PriceClass_100', aliases: ['WWW.Example.com'] })).expect(202);
      expect(r.body).to.include({ status: 'in_progress', config_version: 1, enabled: true, default_root_object: '' });
      expect(r.body.domain_name).to.equal(`${r.body.id}.cdn.atonix.local`);
      expect(r.body.aliases).to.deep.equal(['www.example.com']);
      expect(r.body.edge_locations).to.include('fra1').and.not.include('nrt1');
      expect(r.headers.location).to.equal(`/api/networking/cdn/distributions/${r.body.id}`);
      expect(await edgeDistribution(app.platform.db, r.body.id)).to.equal(undefined);
      expect((await deployed(r.body.id)).body.status).to.equal('deployed');
    });

    it('keeps what it was sent and gives the edge its whole configuration: defaults filled, policies resolved, default last', async () => {
      const r = await post(
        base({
          origins: [
            { id: 'a', url: 'https://127.0.0.1:8443/', custom_headers: { 'x-secret': 's' } },
            { id: 'b', url: 'http://127.0.0.1:8082', origin_path: '/v1' },
          ],
          origin_groups: [{ id: 'g', members: ['a', 'b'], failover_status_codes: [500, 503] }],
          default_cache_behavior: { target_origin_id: 'g', cache_policy_id: 'cp-cachingoptimized' },
          ordered_cache_behaviors: [
            { path_pattern: '/api/*', target_origin_id: 'b', cache_policy_id: 'cp-cachingdisabled', compress: true },
          ],
          custom_error_responses: [{ error_code: 404, response_code: 200, response_page_path: '/index.html' }],
          geo_restriction: { restriction_type: 'blacklist', locations: ['KP'] },
          geo_origin_routes: [{ match: 'EU', target_origin_id: 'b' }],
        }),
      ).expect(202);
      // Stored as sent (defaults are the edge's), so a client reads back what it wrote.
      expect(r.body.origins[0]).to.deep.equal({
        id: 'a',
        url: 'https://127.0.0.1:8443/',
        custom_headers: { 'x-secret': 's' },
      });
      expect(r.body.default_cache_behavior).to.deep.equal({
        target_origin_id: 'g',
        cache_policy_id: 'cp-cachingoptimized',
      });
      await deployed(r.body.id);
      const edge = (await edgeDistribution(app.platform.db, r.body.id))!;
      expect(edge.config_version).to.equal(1);
      expect(edge.origins[0]).to.deep.equal({
        id: 'a',
        type: 'http',
        url: 'https://127.0.0.1:8443',
        origin_path: '',
        custom_headers: { 'x-secret': 's' },
        connect_timeout_ms: 10000,
        read_timeout_ms: 30000,
      });
      expect(edge.behaviors.map((b) => [b.path_pattern, b.cache_policy.name])).to.deep.equal([
        ['/api/*', 'CachingDisabled'],
        ['*', 'CachingOptimized'],
      ]);
      expect(edge.behaviors[1]!.cache_policy.default_ttl).to.equal(86400);
      expect(edge.behaviors[1]).to.include({ viewer_protocol_policy: 'allow-all', compress: false });
      expect(edge.behaviors[1]!.allowed_methods).to.deep.equal(['GET', 'HEAD']);
      expect(edge.geo).to.deep.equal({
        restriction: { type: 'deny', countries: ['KP'] },
        origin_routes: [{ match: 'EU', target_origin_id: 'b' }],
      });
      expect(edge.custom_error_responses).to.deep.equal([
        { error_code: 404, response_code: 200, response_page_path: '/index.html', error_caching_min_ttl: 10 },
      ]);
      expect((await edgeDistributions(app.platform.db)).map((d) => d.id)).to.include(r.body.id);
    });

    it('takes a bucket origin of its owner only', async () => {
      const b = await alice
        .post('/api/storage/buckets')
        .send({ name: `cdn-origin-${Date.now()}` })
        .expect(201);
      const r = await post(base({ origins: [{ id: 'web', bucket_id: b.body.id }] })).expect(202);
      await deployed(r.body.id);
      expect((await edgeDistribution(app.platform.db, r.body.id))!.origins[0]).to.deep.equal({
        id: 'web',
        type: 'bucket',
        bucket_id: b.body.id,
        origin_path: '',
      });
      await refused(
        post(base({ origins: [{ id: 'web', bucket_id: b.body.id }] }), bob),
        422,
        '/origins/0/bucket_id',
        'ReferenceNotFound',
      );
    });

    it('refuses what does not hold together, pointing at the field', async () => {
      const o = { id: 'web', url: 'http://127.0.0.1:8081' };
      const dcb = base().default_cache_behavior;
      const cases: [object, string, string?][] = [
        [{ origins: [{ id: 'web', url: 'http://x.test', bucket_id: 'bkt-x0000' }] }, '/origins/0', 'OneOrigin'],
        [{ origins: [{ id: 'web' }] }, '/origins/0', 'OneOrigin'],
        [{ origins: [{ id: 'web', url: 'ftp://x.test' }] }, '/origins/0/url'],
        [{ origins: [{ id: 'web', url: 'http://x.test/path' }] }, '/origins/0/url'],
        [{ origins: [{ ...o, origin_path: 'v1/' }] }, '/origins/0/origin_path'],
        [{ origins: [o, o] }, '/origins/1/id', 'DuplicateId'],
        [
          { origins: [o], origin_groups: [{ id: 'g', members: ['web', 'nope'], failover_status_codes: [500] }] },
          '/origin_groups/0/members/1',
          'UnknownOrigin',
        ],
        [
          { origins: [o], origin_groups: [{ id: 'web', members: ['web', 'web2'], failover_status_codes: [500] }] },
          '/origin_groups/0/id',
          'DuplicateId',
        ],
        [
          { default_cache_behavior: { ...dcb, target_origin_id: 'nope' } },
          '/default_cache_behavior/target_origin_id',
          'UnknownOrigin',
        ],
        [
          { default_cache_behavior: { ...dcb, cache_policy_id: 'cp-nope0000' } },
          '/default_cache_behavior/cache_policy_id',
          'ReferenceNotFound',
        ],
        [{ default_cache_behavior: { ...dcb, path_pattern: '/x' } }, '/default_cache_behavior/path_pattern'],
        [
          { default_cache_behavior: { ...dcb, allowed_methods: ['GET'] } },
          '/default_cache_behavior/allowed_methods',
          'MethodSet',
        ],
        [
          { default_cache_behavior: { ...dcb, cached_methods: ['GET', 'HEAD', 'OPTIONS'] } },
          '/default_cache_behavior/cached_methods',
          'MethodSet',
        ],
        [{ ordered_cache_behaviors: [{ ...dcb }] }, '/ordered_cache_behaviors/0/path_pattern'],
        [
          {
            ordered_cache_behaviors: [
              { ...dcb, path_pattern: '/a' },
              { ...dcb, path_pattern: '/a' },
            ],
          },
          '/ordered_cache_behaviors/1/path_pattern',
          'DuplicatePattern',
        ],
        [
          { custom_error_responses: [{ error_code: 404, response_code: 200 }] },
          '/custom_error_responses/0',
          'PagePathAndCode',
        ],
        [
          { custom_error_responses: [{ error_code: 404, response_code: 200, response_page_path: 'x' }] },
          '/custom_error_responses/0/response_page_path',
        ],
        [
          { custom_error_responses: [{ error_code: 404 }, { error_code: 404 }] },
          '/custom_error_responses/1/error_code',
          'DuplicateCode',
        ],
        [
          { geo_restriction: { restriction_type: 'whitelist', locations: ['XX'] } },
          '/geo_restriction/locations/0',
          'UnknownCountry',
        ],
        [{ geo_restriction: { restriction_type: 'whitelist', locations: [] } }, '/geo_restriction/locations'],
        [{ geo_restriction: { restriction_type: 'none', locations: ['DE'] } }, '/geo_restriction/locations'],
        [
          { geo_origin_routes: [{ match: 'ZZ', target_origin_id: 'web' }] },
          '/geo_origin_routes/0/match',
          'UnknownCountry',
        ],
        [
          { geo_origin_routes: [{ match: 'DE', target_origin_id: 'nope' }] },
          '/geo_origin_routes/0/target_origin_id',
          'UnknownOrigin',
        ],
        [{ default_root_object: '/index.html' }, '/default_root_object'],
        [{ aliases: ['not a host'] }, '/aliases/0', 'InvalidAlias'],
        [{ aliases: ['x.cdn.atonix.local'] }, '/aliases/0', 'InvalidAlias'],
        [{ price_class: 'PriceClass_Cheap' }, '/price_class'],
      ];
      for (const [extra, pointer, code] of cases) await refused(post(base(extra)), 422, pointer, code);
    });

    it("refuses another owner's custom cache policy as if it did not exist", async () => {
      const p = await bob.post('/api/cdn/cache-policies').send({ name: 'bobs' }).expect(201);
      await refused(
        post(base({ default_cache_behavior: { target_origin_id: 'web', cache_policy_id: p.body.id } })),
        422,
        '/default_cache_behavior/cache_policy_id',
        'ReferenceNotFound',
      );
    });
  });

  describe('aliases', () => {
    it("are unique across distributions: 409 naming the owner's own, not naming another owner's", async () => {
      const first = await post(base({ aliases: ['shop.example.org'] })).expect(202);
      const again = await post(base({ aliases: ['a.example.org', 'SHOP.example.org'] }));
      await refused(again, 409, '/aliases/1', 'AliasTaken');
      expect(again.body.conflicts_with).to.equal(first.body.id);
      const other = await post(base({ aliases: ['shop.example.org'] }), bob);
      await refused(other, 409, '/aliases/0', 'AliasTaken');
      expect(other.body.detail).to.not.include(first.body.id);
      expect(await distributionIdForHost(app.platform.db, 'Shop.Example.org:443')).to.equal(first.body.id);
      expect(await distributionIdForHost(app.platform.db, first.body.domain_name)).to.equal(first.body.id);
    });

    it('two owners racing for one alias: exactly one gets it, the other a 409, never a 500', async () => {
      const race = await Promise.all(
        [alice, bob, alice, bob].map((as) => post(base({ aliases: ['race.example.io'] }), as)),
      );
      expect(race.map((r) => r.status).sort()).to.deep.equal([202, 409, 409, 409]);
      for (const r of race.filter((r) => r.status === 409)) {
        expect(r.headers['content-type']).to.match(/problem\+json/);
        expect(r.body.errors[0].pointer, JSON.stringify(r.body)).to.equal('/aliases/0');
      }
      const winner = race.find((r) => r.status === 202)!.body.id;
      expect(await distributionIdForHost(app.platform.db, 'race.example.io')).to.equal(winner);
    });

    it('move with a patch: the old name is free for another distribution at once', async () => {
      const a = await post(base({ aliases: ['old.example.net'] })).expect(202);
      await alice
        .patch(`/api/networking/cdn/distributions/${a.body.id}`)
        .send({ aliases: ['new.example.net'] })
        .expect(200);
      await post(base({ aliases: ['old.example.net'] }), bob).expect(202);
      await refused(post(base({ aliases: ['new.example.net'] }), bob), 409, '/aliases/0', 'AliasTaken');
    });
  });

  describe('updateCdnDistribution', () => {
    it('goes back to in_progress with a new config_version, and the edge sees the change once deployed', async () => {
      const r = await post(base()).expect(202);
      await deployed(r.body.id);
      const p = await alice
        .patch(`/api/networking/cdn/distributions/${r.body.id}`)
        .send({ default_root_object: 'index.html', price_class: 'PriceClass_200' })
        .expect(200);
      expect(p.body).to.include({ status: 'in_progress', config_version: 2, default_root_object: 'index.html' });
      expect(p.body.edge_locations).to.include('nrt1').and.not.include('gru1');
      const d = await deployed(r.body.id);
      expect(d.body.status).to.equal('deployed');
      expect((await edgeDistribution(app.platform.db, r.body.id))!).to.include({
        config_version: 2,
        default_root_object: 'index.html',
      });
    });

    it('changes only the API for a new name (no redeployment), and checks the distribution whole', async () => {
      const r = await post(base()).expect(202);
      await deployed(r.body.id);
      const p = await alice
        .patch(`/api/networking/cdn/distributions/${r.body.id}`)
        .send({ name: 'renamed' })
        .expect(200);
      expect(p.body).to.include({ status: 'deployed', config_version: 1 });
      await refused(
        alice
          .patch(`/api/networking/cdn/distributions/${r.body.id}`)
          .send({ origins: [{ id: 'other', url: 'http://x.test' }] }),
        422,
        '/default_cache_behavior/target_origin_id',
      );
    });
  });

  describe('a cache policy change', () => {
    it('deploys every distribution using the policy again, and the edge sees the new TTLs', async () => {
      const p = await alice.post('/api/cdn/cache-policies').send({ name: 'short', default_ttl: 60 }).expect(201);
      const r = await post(
        base({
          ordered_cache_behaviors: [{ path_pattern: '/a/*', target_origin_id: 'web', cache_policy_id: p.body.id }],
        }),
      ).expect(202);
      await deployed(r.body.id);
      await alice.patch(`/api/cdn/cache-policies/${p.body.id}`).send({ comment: 'words only' }).expect(200);
      expect(
        (await alice.get(`/api/networking/cdn/distributions/${r.body.id}`).expect(200)).body.config_version,
      ).to.equal(1);
      await alice.patch(`/api/cdn/cache-policies/${p.body.id}`).send({ default_ttl: 120, max_ttl: 600 }).expect(200);
      const moved = (await alice.get(`/api/networking/cdn/distributions/${r.body.id}`).expect(200)).body;
      expect(moved.config_version).to.equal(2);
      await deployed(r.body.id);
      const edge = (await edgeDistribution(app.platform.db, r.body.id))!;
      expect(edge.config_version).to.equal(2);
      expect(edge.behaviors[0]!.cache_policy).to.include({ default_ttl: 120, max_ttl: 600 });
    });
  });

  describe('deleteCdnDistribution', () => {
    it('refuses an enabled distribution (disable it first), then deletes it with its aliases', async () => {
      const r = await post(base({ aliases: ['gone.example.com'] })).expect(202);
      await refused(
        alice.delete(`/api/networking/cdn/distributions/${r.body.id}`),
        409,
        '/enabled',
        'DistributionEnabled',
      );
      await alice.patch(`/api/networking/cdn/distributions/${r.body.id}`).send({ enabled: false }).expect(200);
      await alice.delete(`/api/networking/cdn/distributions/${r.body.id}`).expect(204);
      await alice.get(`/api/networking/cdn/distributions/${r.body.id}`).expect(404);
      expect(await distributionIdForHost(app.platform.db, 'gone.example.com')).to.equal(undefined);
      await post(base({ aliases: ['gone.example.com'] }), bob).expect(202);
    });
  });
});
