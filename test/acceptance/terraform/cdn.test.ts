// The CDN resources through the real terraform binary beyond the shared CASE loop: the examples/terraform/cdn
// scenario (a bucket served through a distribution, with an invalidation) applied, re-planned empty and destroyed
// (the enabled distribution is disabled first, as CloudFront requires); the invalidation is create-only (a new
// argument replaces it, destroy forgets it) and imports by id. And a distribution using every nested part (two
// origins, a group, behaviours, an error response, a geo restriction) as typed nested attributes: applied and served,
// planned empty, imported to the same state, a nested field updated in place, a removed one back to its default.
import { expect } from 'chai';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { testOrigin, type TestOrigin } from '../../support/cdn.js';
import { ROOT, prepareProvider, Workspace } from './workspace.js';

describe('terraform: CDN', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '300' });
  });
  after(() => app.close());

  it('examples/terraform/cdn: applies, plans empty, replaces and imports the invalidation, destroys', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      copyFileSync(join(ROOT, 'examples/terraform/cdn/main.tf'), join(ws.dir, 'main.tf'));
      const applied = await ws.must(['apply', '-auto-approve', '-no-color']);
      expect(applied).to.contain('Apply complete! Resources: 3 added');
      await ws.plan(0);
      const dist = await ws.stateId('atonix_cdn_distribution.site');
      const live = (await app.admin.get(`/api/networking/cdn/distributions/${dist}`).expect(200)).body;
      expect(live).to.include({ status: 'deployed', enabled: true, default_root_object: 'index.html' });
      const inv = await ws.stateId('atonix_cdn_invalidation.index');
      expect((await app.admin.get(`/api/networking/cdn/invalidations/${inv}`).expect(200)).body).to.include({
        status: 'completed',
        distribution_id: dist,
      });

      await ws.must(['state', 'rm', 'atonix_cdn_invalidation.index']);
      await ws.must(['import', '-no-color', 'atonix_cdn_invalidation.index', inv]);
      await ws.plan(0);

      const main = join(ws.dir, 'main.tf');
      writeFileSync(main, readFileSync(main, 'utf8').replace('"first-release"', '"second-release"'));
      const replace = await ws.plan(2);
      expect(replace).to.match(/must be replaced/);
      await ws.apply();
      await ws.plan(0);
      const second = await ws.stateId('atonix_cdn_invalidation.index');
      expect(second).to.not.equal(inv);
      // The first invalidation stays (invalidations are never deleted): the replace only forgot it.
      await app.admin.get(`/api/networking/cdn/invalidations/${inv}`).expect(200);

      await ws.destroy();
      await app.admin.get(`/api/networking/cdn/distributions/${dist}`).expect(404);
    } finally {
      ws.remove();
    }
  });

  it('a distribution of nested attributes: applies, plans empty, imports the same state, updates in place', async () => {
    const origin: TestOrigin = await testOrigin();
    origin.route('/v1/hello', { body: 'hello from the app' });
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    const config = (step: 0 | 1) => `
resource "atonix_bucket" "assets" {
  name = "nested-cdn-assets"
}

resource "atonix_cdn_distribution" "site" {
  name = "nested"
  origins = [
    { id = "assets", bucket_id = atonix_bucket.assets.id },
    {
      id           = "app"
      url          = "${origin.url}"
      origin_path  = "/v1"
      ${step === 0 ? 'custom_headers = { "x-from-cdn" = "1" }' : 'read_timeout_ms = 5000'}
    },
  ]
  origin_groups = [{ id = "app-ha", members = ["app", "assets"], failover_status_codes = [502, 503] }]
  default_cache_behavior = { target_origin_id = "assets", cache_policy_id = "cp-cachingoptimized" }
  ordered_cache_behaviors = [
    { path_pattern = "/hello", target_origin_id = "app-ha", cache_policy_id = "cp-cachingdisabled", compress = ${step === 1} },
  ]
  custom_error_responses = [{ error_code = 404, response_code = 200, response_page_path = "/index.html" }]
  geo_restriction        = { restriction_type = "blacklist", locations = ["KP"] }
}
`;
    try {
      ws.write(config(0));
      expect(await ws.apply()).to.contain('Apply complete! Resources: 2 added');
      await ws.plan(0);
      const dist = await ws.stateId('atonix_cdn_distribution.site');
      const path = `/api/networking/cdn/distributions/${dist}`;
      const live = (await app.admin.get(path).expect(200)).body;
      expect(live.status).to.equal('deployed');
      // Unset nested fields went with the spec's defaults, which the plan showed.
      expect(live.origins[1]).to.deep.equal({
        id: 'app',
        bucket_id: null,
        url: origin.url,
        origin_path: '/v1',
        custom_headers: { 'x-from-cdn': '1' },
        connect_timeout_ms: 10000,
        read_timeout_ms: 30000,
      });
      expect(live.ordered_cache_behaviors[0]).to.deep.equal({
        path_pattern: '/hello',
        target_origin_id: 'app-ha',
        cache_policy_id: 'cp-cachingdisabled',
        allowed_methods: ['GET', 'HEAD'],
        cached_methods: ['GET', 'HEAD'],
        viewer_protocol_policy: 'allow-all',
        compress: false,
      });
      expect(live.custom_error_responses).to.deep.equal([
        { error_code: 404, response_code: 200, response_page_path: '/index.html', error_caching_min_ttl: 10 },
      ]);
      expect(live.geo_restriction).to.deep.equal({ restriction_type: 'blacklist', locations: ['KP'] });
      // The edge serves it: /hello goes to the app origin (through the group) under its origin_path.
      const served = await fetch(`${app.url}/cdn/${dist}/hello`);
      expect(served.status).to.equal(200);
      expect(await served.text()).to.equal('hello from the app');
      expect(origin.seen.get('/v1/hello')?.['x-from-cdn']).to.equal('1');

      const shown = async () => {
        const state = JSON.parse(await ws.must(['show', '-json', '-no-color']));
        const r = state.values.root_module.resources.find((x: any) => x.address === 'atonix_cdn_distribution.site');
        const { timeouts: _t, ...values } = r.values;
        return values;
      };
      const before = await shown();
      await ws.must(['state', 'rm', 'atonix_cdn_distribution.site']);
      await ws.must(['import', '-no-color', 'atonix_cdn_distribution.site', dist]);
      expect(await shown()).to.deep.equal(before);
      await ws.plan(0);

      // A nested field changed, one set, one removed (back to its default): one update in place.
      ws.write(config(1));
      const plan = await ws.plan(2);
      expect(plan).to.contain('1 to change, 0 to destroy');
      expect(plan).to.match(/~ compress\s+= false -> true/);
      expect(plan).to.match(/~ read_timeout_ms\s+= 30000 -> 5000/);
      await ws.apply();
      await ws.plan(0);
      expect(await ws.stateId('atonix_cdn_distribution.site')).to.equal(dist);
      const updated = (await app.admin.get(path).expect(200)).body;
      expect(updated.origins[1]).to.include({ read_timeout_ms: 5000 });
      expect(updated.origins[1].custom_headers).to.deep.equal({});
      expect(updated.ordered_cache_behaviors[0].compress).to.equal(true);
      expect(updated.config_version).to.equal(live.config_version + 1);

      await ws.destroy();
      await app.admin.get(path).expect(404);

      // A nested value outside its enum fails the plan, pointing at it, before any call to the API.
      ws.write(config(1).replace('compress = true', 'compress = true, viewer_protocol_policy = "http-only"'));
      const refused = await ws.must(['plan', '-no-color'], 1);
      expect(refused).to.contain('Invalid value for viewer_protocol_policy');
      expect(refused).to.contain('ordered_cache_behaviors[0].viewer_protocol_policy: "http-only" is not one of');
    } finally {
      ws.remove();
      await origin.close();
    }
  });
});
