// atonix_dashboard's documented example (examples/terraform/resources/atonix_dashboard) through the real terraform
// binary, as a user: applied, re-planned empty, imported without a diff, its panels stored exactly as written.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

describe('terraform: the atonix_dashboard example', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp();
  });
  after(() => app.close());

  it('applies, re-plans empty, imports without a diff, and destroys', async () => {
    const user = await newUser(app, 'tf-dashboards');
    const ws = new Workspace(app.url, user.token);
    try {
      ws.write(readFileSync(join(ROOT, 'examples/terraform/resources/atonix_dashboard/resource.tf'), 'utf8'));
      await ws.apply();
      await ws.plan(0);
      const id = await ws.stateId('atonix_dashboard.web');
      const d = (await app.as(user.token).get(`/api/monitoring/dashboards/${id}`).expect(200)).body;
      expect(d).to.include({ name: 'web tier', refresh: '30s', owner: user.id });
      expect(d.time_range).to.deep.equal({ from: 'now-24h', to: 'now' });
      expect(d.panels.map((p: { type: string }) => p.type)).to.deep.equal(['timeseries', 'stat', 'stat', 'table']);
      expect(d.panels[0].queries[0].legend).to.equal('{{operation}}');
      await ws.must(['state', 'rm', 'atonix_dashboard.web']);
      await ws.must(['import', '-no-color', 'atonix_dashboard.web', id]);
      await ws.plan(0);
      await ws.destroy();
      await app.as(user.token).get(`/api/monitoring/dashboards/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });
});
