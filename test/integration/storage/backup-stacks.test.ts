// The stack engine deploys backups through the registry: a vault, a plan whose rule targets it, and a selection of the
// plan naming a volume, in dependency order; a renamed plan is an update in place; the stack's deletion removes them.
import { expect } from 'chai';
import { stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('storage: backups in stacks', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('creates, updates in place and deletes Atonix::Storage::BackupVault, BackupPlan and BackupSelection', async () => {
    const template = (name: string) => ({
      Resources: {
        Data: { Type: 'Atonix::Storage::Volume', Properties: { name: 'data', size_gb: 8 } },
        Vault: { Type: 'Atonix::Storage::BackupVault', Properties: { name: 'main' } },
        Plan: {
          Type: 'Atonix::Storage::BackupPlan',
          Properties: {
            name,
            rules: [{ name: 'daily', schedule: '0 2 * * *', target_vault_id: { Ref: 'Vault' }, retention_days: 7 }],
          },
        },
        Pick: {
          Type: 'Atonix::Storage::BackupSelection',
          Properties: { plan_id: { Ref: 'Plan' }, name: 'data', resource_ids: [{ Ref: 'Data' }] },
        },
      },
      Outputs: { PlanId: { Value: { Ref: 'Plan' } }, SelectionId: { Value: { Ref: 'Pick' } } },
    });
    const r = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'backups', template: template('std') })
      .expect(202);
    const created = await stackSettled(app.admin, r.body.id);
    expect(created.status, created.status_reason).to.equal('create_complete');
    const { PlanId: plan, SelectionId: sel } = created.outputs;
    const vault = (await app.admin.get(`/api/storage/backup-plans/${plan}`).expect(200)).body.rules[0].target_vault_id;
    const picked = (await app.admin.get(`/api/storage/backup-selections/${sel}`).expect(200)).body;
    expect(picked.plan_id).to.equal(plan);

    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ template: template('renamed') })
      .expect(202);
    const updated = await stackSettled(app.admin, r.body.id);
    expect(updated.status, updated.status_reason).to.equal('update_complete');
    expect((await app.admin.get(`/api/storage/backup-plans/${plan}`).expect(200)).body.name).to.equal('renamed');

    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.equal('gone');
    await app.admin.get(`/api/storage/backup-plans/${plan}`).expect(404);
    await app.admin.get(`/api/storage/backup-selections/${sel}`).expect(404);
    await app.admin.get(`/api/storage/backup-vaults/${vault}`).expect(404);
  });
});
