// The stack engine deploys block storage through the registry: an instance, a volume attached to it, and a
// snapshot of the volume, in dependency order; a larger size is a modification in place; the stack's deletion
// detaches and deletes them all.
import { expect } from 'chai';
import { catalogue, stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('storage: volumes in stacks', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_SNAPSHOT_MS_PER_GIB: '50' });
  });
  after(() => app.close());

  it('creates, grows in place and deletes Atonix::Storage::Volume, VolumeAttachment and Snapshot', async () => {
    const { flavor, image } = await catalogue(app);
    const template = (size: number) => ({
      Resources: {
        Vm: { Type: 'Atonix::Compute::Instance', Properties: { name: 'vm', flavor_id: flavor.id, image_id: image.id } },
        Data: { Type: 'Atonix::Storage::Volume', Properties: { name: 'data', size_gb: size, type: 'nvme' } },
        Attach: {
          Type: 'Atonix::Storage::VolumeAttachment',
          Properties: { volume_id: { Ref: 'Data' }, instance_id: { Ref: 'Vm' }, device: '/dev/vdb' },
        },
        Nightly: { Type: 'Atonix::Storage::Snapshot', Properties: { volume_id: { Ref: 'Data' }, name: 'nightly' } },
      },
      Outputs: {
        VolumeId: { Value: { Ref: 'Data' } },
        SnapshotSize: { Value: { 'Fn::GetAtt': ['Nightly', 'size_gb'] } },
      },
    });
    const r = await app.admin
      .post('/api/automation/stacks')
      .send({ name: 'disks', template: template(8) })
      .expect(202);
    const created = await stackSettled(app.admin, r.body.id);
    expect(created.status, created.status_reason).to.equal('create_complete');
    const vol = created.outputs.VolumeId;
    expect(created.outputs.SnapshotSize).to.equal('8'); // outputs are strings
    const v = (await app.admin.get(`/api/storage/volumes/${vol}`).expect(200)).body;
    expect(v).to.include({ status: 'in-use', device: '/dev/vdb', type: 'nvme' });
    const snaps = (await app.admin.get(`/api/storage/volumes/${vol}/snapshots`).expect(200)).body.items;
    expect(snaps.map((s: any) => s.status)).to.deep.equal(['completed']);

    await app.admin
      .patch(`/api/automation/stacks/${r.body.id}`)
      .send({ template: template(16) })
      .expect(202);
    const updated = await stackSettled(app.admin, r.body.id);
    expect(updated.status, updated.status_reason).to.equal('update_complete');
    expect((await app.admin.get(`/api/storage/volumes/${vol}`).expect(200)).body).to.include({
      size_gb: 16,
      status: 'in-use',
    });

    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.equal('gone');
    await app.admin.get(`/api/storage/volumes/${vol}`).expect(404);
    expect((await app.admin.get('/api/storage/snapshots').expect(200)).body.items).to.deep.equal([]);
    expect((await app.admin.get('/api/storage/volume-attachments').expect(200)).body.items).to.deep.equal([]);
  });
});
