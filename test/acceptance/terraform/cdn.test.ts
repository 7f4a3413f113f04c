// The CDN resources through the real terraform binary beyond the shared CASE loop: the examples/terraform/cdn
// scenario (a bucket served through a distribution, with an invalidation) applied, re-planned empty and destroyed
// (the enabled distribution is disabled first, as CloudFront requires); the invalidation is create-only (a new
// argument replaces it, destroy forgets it) and imports by id.
import { expect } from 'chai';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
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
});
