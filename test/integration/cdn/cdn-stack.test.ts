// The stack engine deploys the CDN kinds through the registry, like every other kind: a cache policy, a
// distribution using it, and an invalidation of the distribution, in dependency order.
import { expect } from 'chai';
import { stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('cdn: the kinds in a stack', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('creates a cache policy, a distribution and an invalidation, then deletes what can be deleted', async () => {
    const template = {
      Resources: {
        Policy: { Type: 'Atonix::Cdn::CdnCachePolicy', Properties: { name: 'stacked', default_ttl: 60 } },
        Site: {
          Type: 'Atonix::Cdn::CdnDistribution',
          Properties: {
            name: 'stacked',
            enabled: false,
            origins: [{ id: 'web', url: 'http://127.0.0.1:9' }],
            default_cache_behavior: { target_origin_id: 'web', cache_policy_id: { Ref: 'Policy' } },
          },
        },
        Flush: {
          Type: 'Atonix::Cdn::CdnInvalidation',
          Properties: { distribution_id: { Ref: 'Site' }, paths: ['/*'], caller_reference: 'stacked' },
        },
      },
      Outputs: { Site: { Value: { Ref: 'Site' } }, Flush: { Value: { Ref: 'Flush' } } },
    };
    const r = await app.admin.post('/api/automation/stacks').send({ name: 'cdn-stack', template });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await stackSettled(app.admin, r.body.id);
    expect(done.status, JSON.stringify(done)).to.equal('create_complete');
    const site = (await app.admin.get(`/api/networking/cdn/distributions/${done.outputs.Site}`).expect(200)).body;
    expect(site.status).to.equal('deployed');
    const flush = (await app.admin.get(`/api/networking/cdn/invalidations/${done.outputs.Flush}`).expect(200)).body;
    expect(flush).to.include({ status: 'completed', distribution_id: site.id });
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.match(/gone|delete_complete/);
    await app.admin.get(`/api/networking/cdn/distributions/${site.id}`).expect(404);
  });
});
