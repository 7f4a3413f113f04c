// The backup examples through the real terraform binary, applied together (a vault, a plan of two rules, a selection
// naming a volume and a bucket tag): the API holds what they say, a re-plan is empty, and destroy removes them. Each
// kind's own lifecycle (import, update, replace, drift) is a case of resources.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

const example = (type: string) => readFileSync(join(ROOT, `examples/terraform/resources/${type}/resource.tf`), 'utf8');

describe('terraform: the backup examples through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp();
  });
  after(() => app.close());

  it('applies the vault, plan and selection examples, re-plans empty and destroys them', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const volume = 'resource "atonix_volume" "data" {\n  name    = "data"\n  size_gb = 8\n}\n';
      ws.write(
        [
          volume,
          example('atonix_backup_vault'),
          example('atonix_backup_plan'),
          example('atonix_backup_selection'),
        ].join('\n'),
      );
      await ws.apply();
      await ws.plan(0);
      const plan = (await app.admin.get(`/api/storage/backup-plans/${await ws.stateId('atonix_backup_plan.standard')}`))
        .body;
      expect(plan.rules.map((r: { name: string }) => r.name)).to.have.members(['daily', 'hourly']);
      const sel = (
        await app.admin.get(`/api/storage/backup-selections/${await ws.stateId('atonix_backup_selection.data')}`)
      ).body;
      expect(sel).to.deep.include({ plan_id: plan.id, tags: { backup: 'standard' } });
      expect(sel.resource_ids).to.deep.equal([await ws.stateId('atonix_volume.data')]);
      await ws.destroy();
      await app.admin.get(`/api/storage/backup-plans/${plan.id}`).expect(404);
    } finally {
      ws.remove();
    }
  });
});
