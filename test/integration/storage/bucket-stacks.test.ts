// The stack engine deploys buckets through the registry: Atonix::Storage::Bucket in a native template is created,
// updated in place, replaced on a rename, and deleted with the stack (force_destroy empties it first); a bucket's
// lifecycle configuration likewise.
import { expect } from 'chai';
import { stackSettled, startApp, type TestApp } from '../../support/app.js';

const template = (name: string, sizeGb: number) => ({
  Resources: {
    Assets: {
      Type: 'Atonix::Storage::Bucket',
      Properties: { name, size_gb: sizeGb, force_destroy: true, metadata: { app: 'web' } },
    },
  },
  Outputs: {
    BucketId: { Value: { Ref: 'Assets' } },
    Versioning: { Value: { 'Fn::GetAtt': ['Assets', 'versioning_status'] } },
  },
});

describe('storage: buckets in stacks', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('creates, updates in place, replaces on a rename and deletes an Atonix::Storage::Bucket', async () => {
    const r = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'assets', template: template('stack-assets', 5) })
      .expect(202);
    const created = await stackSettled(app.admin, r.body.id);
    expect(created.status, created.status_reason).to.equal('create_complete');
    const id = created.outputs.BucketId;
    expect(id).to.match(/^bkt-/);
    expect(created.outputs.Versioning).to.equal('Enabled');
    expect((await app.admin.get(`/api/storage/buckets/${id}`).expect(200)).body).to.deep.include({
      name: 'stack-assets',
      size_gb: 5,
      force_destroy: true,
      metadata: { app: 'web' },
    });

    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ template: template('stack-assets', 7) })
      .expect(202);
    const updated = await stackSettled(app.admin, r.body.id);
    expect(updated.status, updated.status_reason).to.equal('update_complete');
    expect(updated.outputs.BucketId).to.equal(id);
    expect((await app.admin.get(`/api/storage/buckets/${id}`).expect(200)).body.size_gb).to.equal(7);

    // A bucket's name is immutable: a rename is a new bucket, and the old one goes.
    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ template: template('stack-assets-2', 7) })
      .expect(202);
    const renamed = await stackSettled(app.admin, r.body.id);
    expect(renamed.status, renamed.status_reason).to.equal('update_complete');
    const newId = renamed.outputs.BucketId;
    expect(newId).to.not.equal(id);
    await app.admin.get(`/api/storage/buckets/${id}`).expect(404);

    // Holding objects does not keep the stack from being deleted: the template asked for force_destroy.
    await app.admin.put('/api/storage/buckets/stack-assets-2?key=index.html').send('<h1>hi</h1>').expect(200);
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.equal('gone');
    await app.admin.get(`/api/storage/buckets/${newId}`).expect(404);
  });

  it('deploys an Atonix::Storage::BucketLifecycleConfiguration on its bucket, changes its rules, deletes it with the stack', async () => {
    const lifecycle = (days: number) => ({
      Resources: {
        Logs: { Type: 'Atonix::Storage::Bucket', Properties: { name: 'stack-logs', force_destroy: true } },
        Rules: {
          Type: 'Atonix::Storage::BucketLifecycleConfiguration',
          Properties: {
            bucket_id: { Ref: 'Logs' },
            rules: [{ id: 'logs', status: 'Enabled', prefix: 'logs/', expiration_days: days }],
          },
        },
      },
      Outputs: { RulesId: { Value: { Ref: 'Rules' } } },
    });
    const r = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'logs', template: lifecycle(30) })
      .expect(202);
    const created = await stackSettled(app.admin, r.body.id);
    expect(created.status, created.status_reason).to.equal('create_complete');
    const id = created.outputs.RulesId;
    expect(id).to.match(/^lcc-/);
    const byBucket = (await app.admin.get('/api/storage/lifecycle-configurations/stack-logs').expect(200)).body;
    expect(byBucket.id).to.equal(id);
    expect(byBucket.rules[0].expiration_days).to.equal(30);

    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ template: lifecycle(60) })
      .expect(202);
    const updated = await stackSettled(app.admin, r.body.id);
    expect(updated.status, updated.status_reason).to.equal('update_complete');
    expect((await app.admin.get(`/api/storage/lifecycle-configurations/${id}`).expect(200)).body.rules[0]).to.include({
      expiration_days: 60,
    });

    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.equal('gone');
    await app.admin.get(`/api/storage/lifecycle-configurations/${id}`).expect(404);
  });
});
