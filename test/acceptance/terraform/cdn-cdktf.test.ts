// A CDN distribution declared with the typed CDKTF classes (nested origins, group, behaviours, error responses, geo
// restriction): synthesized to Terraform JSON with nested objects, deployed by the stack engine, and applied by the
// real terraform binary with an empty second plan.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TerraformOutput, TerraformStack, Testing } from '../../../provider/cdktf/constructs/cdktf.js';
import { bucket, cdnDistribution, provider } from '../../../provider/cdktf/lib/index.js';
import { ADMIN_TOKEN, stackSettled, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

/** The stack's Terraform JSON: a bucket and a distribution with every nested part, through the typed classes. */
function synth(prefix: string, nestedReference = true): any {
  const stack = new TerraformStack(Testing.app({ stackTraces: false }), 'cdn');
  new provider.AtonixProvider(stack, 'atonix');
  const assets = new bucket.Bucket(stack, 'assets', { name: `${prefix}-assets` });
  const site = new cdnDistribution.CdnDistribution(stack, 'site', {
    name: `${prefix}-site`,
    enabled: false,
    origins: [
      { id: 'assets', bucketId: assets.id },
      { id: 'app', url: 'http://127.0.0.1:9', customHeaders: { 'x-from-cdn': '1' }, readTimeoutMs: 5000 },
    ],
    originGroups: [{ id: 'ha', members: ['app', 'assets'], failoverStatusCodes: [502, 503] }],
    defaultCacheBehavior: { targetOriginId: 'assets', cachePolicyId: 'cp-cachingoptimized', compress: true },
    orderedCacheBehaviors: [
      {
        pathPattern: '/api/*',
        targetOriginId: 'ha',
        cachePolicyId: 'cp-cachingdisabled',
        allowedMethods: ['GET', 'HEAD', 'OPTIONS'],
      },
    ],
    customErrorResponses: [{ errorCode: 404, responseCode: 200, responsePagePath: '/index.html' }],
    geoRestriction: { restrictionType: 'blacklist', locations: ['KP'] },
  });
  new TerraformOutput(stack, 'site_id', { value: site.id });
  if (nestedReference) new TerraformOutput(stack, 'first_origin', { value: site.origins.get(0).id });
  return JSON.parse(Testing.synth(stack));
}

describe('cdktf: a CDN distribution of typed nested classes', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '100' });
  });
  after(() => app.close());

  it('synthesizes nested objects (not JSON text), with references into a nested list', () => {
    const json = synth('synth');
    const site = json.resource.atonix_cdn_distribution.site;
    expect(site.origins).to.deep.equal([
      { id: 'assets', bucket_id: '${atonix_bucket.assets.id}' },
      { id: 'app', url: 'http://127.0.0.1:9', custom_headers: { 'x-from-cdn': '1' }, read_timeout_ms: 5000 },
    ]);
    expect(site.default_cache_behavior).to.deep.equal({
      target_origin_id: 'assets',
      cache_policy_id: 'cp-cachingoptimized',
      compress: true,
    });
    expect(site.geo_restriction).to.deep.equal({ restriction_type: 'blacklist', locations: ['KP'] });
    expect(site.origin_groups[0]).to.deep.equal({
      id: 'ha',
      members: ['app', 'assets'],
      failover_status_codes: [502, 503],
    });
    expect(json.output.first_origin.value).to.equal('${atonix_cdn_distribution.site.origins[0].id}');
  });

  it('the stack engine deploys the synthesized JSON as it is', async () => {
    // The stack engine resolves `<type>.<name>.<attribute>` references, not an index into a nested list (a 422).
    const template = synth('stacked', false);
    const r = await app.admin.post('/api/automation/stacks').send({ name: 'cdn-cdktf', template });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await stackSettled(app.admin, r.body.id, 60_000);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const live = (await app.admin.get(`/api/networking/cdn/distributions/${done.outputs.site_id}`).expect(200)).body;
    expect(live.status).to.equal('deployed');
    expect(live.origins[1]).to.deep.equal({
      id: 'app',
      url: 'http://127.0.0.1:9',
      custom_headers: { 'x-from-cdn': '1' },
      read_timeout_ms: 5000,
    });
    expect(live.ordered_cache_behaviors[0].allowed_methods).to.deep.equal(['GET', 'HEAD', 'OPTIONS']);
    // A nested field changed in the template: the stack updates the distribution in place.
    template.resource.atonix_cdn_distribution.site.default_cache_behavior.compress = false;
    const u = await app.admin.patch(`/api/automation/stacks/${r.body.id}`).send({ template });
    expect(u.status, JSON.stringify(u.body)).to.be.oneOf([200, 202]);
    const updated = await stackSettled(app.admin, r.body.id, 60_000);
    expect(updated.status, updated.status_reason).to.equal('update_complete');
    const after = (await app.admin.get(`/api/networking/cdn/distributions/${done.outputs.site_id}`).expect(200)).body;
    expect(after.default_cache_behavior.compress).to.equal(false);
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id, 60_000)).status).to.match(/gone|delete_complete/);
    await app.admin.get(`/api/networking/cdn/distributions/${done.outputs.site_id}`).expect(404);
  });

  it('terraform applies the synthesized JSON and plans nothing more', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const json = synth('applied');
      delete json.terraform.backend;
      writeFileSync(join(ws.dir, 'main.tf.json'), JSON.stringify(json));
      expect(await ws.apply()).to.contain('Apply complete! Resources: 2 added');
      await ws.plan(0);
      expect(JSON.parse(await ws.must(['output', '-json'])).first_origin.value).to.equal('assets');
      const id = await ws.stateId('atonix_cdn_distribution.site');
      const live = (await app.admin.get(`/api/networking/cdn/distributions/${id}`).expect(200)).body;
      expect(live.origins[1]).to.include({ read_timeout_ms: 5000, connect_timeout_ms: 10000, origin_path: '' });
      await ws.destroy();
      await app.admin.get(`/api/networking/cdn/distributions/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });
});
