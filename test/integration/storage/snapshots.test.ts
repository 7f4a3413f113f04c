// Snapshots end to end under the manual platform clock, by operation: pending -> completed after a time proportional
// to the size (progress counting), lists, volumes restored from them (size, encryption), and the refusals.
import { expect } from 'chai';
import { advanceClock, catalogue, eventually, startApp, type TestApp } from '../../support/app.js';

describe('storage: snapshots', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_SNAPSHOT_MS_PER_GIB: '1000' });
  });
  after(() => app.close());

  const volume = async (body: object = {}) =>
    (
      await app.admin
        .post('/api/storage/volumes')
        .set('Prefer', 'wait=10')
        .send({ name: 'src', size_gb: 100, ...body })
        .expect(202)
    ).body;
  const snapshot = async (vol: string, name = 'snap') =>
    (await app.admin.post(`/api/storage/volumes/${vol}/snapshots`).send({ name }).expect(202)).body;
  const get = async (id: string) => (await app.admin.get(`/api/storage/snapshots/${id}`).expect(200)).body;
  const completed = (id: string) => eventually(async () => (await get(id)).status === 'completed', `${id} completed`);

  describe('createSnapshot', () => {
    it('is pending with progress counting on the platform clock, and completes after 1 s per GiB (here)', async () => {
      const v = await volume();
      const s = await snapshot(v.id);
      expect(s).to.include({ status: 'pending', progress: 0, volume_id: v.id, size_gb: 100, encrypted: false });
      expect(s.id).to.match(/^snap-/);
      expect(new Date(s.completed_at).getTime() - new Date(s.created_at).getTime()).to.equal(100_000);
      await advanceClock(app, 50);
      const half = await get(s.id);
      expect(half.status).to.equal('pending');
      expect(half.progress).to.be.within(49, 51);
      await advanceClock(app, 51);
      await completed(s.id);
      expect(await get(s.id)).to.include({ status: 'completed', progress: 100 });
    });
    it("snapshots an in-use volume; refuses an unknown volume, another volume_id than the path's, and a volume still being created", async () => {
      const missing = await app.admin.post('/api/storage/volumes/vol-nothing0000/snapshots').send({ name: 'x' });
      expect(missing.status).to.equal(404);
      const mismatch = await app.admin
        .post(`/api/storage/volumes/${(await volume()).id}/snapshots`)
        .send({ name: 'x', volume_id: 'vol-other0000' })
        .expect(422);
      expect(mismatch.body.errors[0].pointer).to.equal('/volume_id');
      const { flavor, image } = await catalogue(app);
      const vm = await app.admin
        .post('/api/compute/instances')
        .set('Prefer', 'wait=10')
        .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id })
        .expect(202);
      const used = await volume({ size_gb: 1 });
      await app.admin
        .post(`/api/storage/volumes/${used.id}/attach`)
        .send({ instance_id: vm.body.id, device: '/dev/sdf' })
        .expect(200);
      expect((await snapshot(used.id)).status).to.equal('pending');
      await app.platform.db('volumes').where({ id: used.id }).update({ status: 'creating' });
      const early = await app.admin.post(`/api/storage/volumes/${used.id}/snapshots`).send({ name: 'x' }).expect(409);
      expect(early.body).to.include({ code: 'InvalidStateTransition', current_status: 'creating' });
    });
  });

  describe('listSnapshots and listVolumeSnapshots', () => {
    it("lists a volume's snapshots under it and all of them at the top, filtered by volume and status", async () => {
      const [a, b] = [await volume(), await volume()];
      const sa = await snapshot(a.id, 'a1');
      const sb = await snapshot(b.id, 'b1');
      const under = (await app.admin.get(`/api/storage/volumes/${a.id}/snapshots`).expect(200)).body.items;
      expect(under.map((x: any) => x.id)).to.deep.equal([sa.id]);
      const all = (await app.admin.get('/api/storage/snapshots?limit=100').expect(200)).body.items;
      expect(all.map((x: any) => x.id)).to.include.members([sa.id, sb.id]);
      const byVol = (await app.admin.get(`/api/storage/snapshots?volume_id=${b.id}`).expect(200)).body.items;
      expect(byVol.map((x: any) => x.id)).to.deep.equal([sb.id]);
      const pending = (await app.admin.get('/api/storage/snapshots?status=pending&limit=100').expect(200)).body.items;
      expect(pending.every((x: any) => x.status === 'pending')).to.equal(true);
    });
  });

  describe('createVolume from a snapshot', () => {
    it("gets the snapshot's size (or larger, never smaller) and its encryption", async () => {
      const key = (await app.admin.post('/api/security/keys').send({ name: 'snap-key' }).expect(201)).body;
      const v = await volume({ size_gb: 30, kms_key_id: key.id });
      const s = await snapshot(v.id);
      expect(s).to.include({ encrypted: true, kms_key_id: key.id, size_gb: 30 });
      const early = await app.admin.post('/api/storage/volumes').send({ name: 'r', snapshot_id: s.id }).expect(422);
      expect(early.body.errors[0]).to.include({ pointer: '/snapshot_id', code: 'SnapshotNotCompleted' });
      await advanceClock(app, 31);
      await completed(s.id);
      const same = await volume({ name: 'restored', size_gb: undefined, snapshot_id: s.id });
      expect(same).to.include({ size_gb: 30, encrypted: true, kms_key_id: key.id, snapshot_id: s.id });
      expect(same.status).to.equal('available');
      expect((await volume({ size_gb: 40, snapshot_id: s.id })).size_gb).to.equal(40);
      const smaller = await app.admin
        .post('/api/storage/volumes')
        .send({ name: 'r', size_gb: 20, snapshot_id: s.id })
        .expect(422);
      expect(smaller.body.errors[0]).to.include({ pointer: '/size_gb', code: 'SmallerThanSnapshot' });
      const plain = await app.admin
        .post('/api/storage/volumes')
        .send({ name: 'r', snapshot_id: s.id, encrypted: false })
        .expect(422);
      expect(plain.body.errors[0]).to.include({ pointer: '/encrypted', code: 'EncryptionRequired' });
      const unknown = await app.admin
        .post('/api/storage/volumes')
        .send({ name: 'r', snapshot_id: 'snap-nothing0000' })
        .expect(422);
      expect(unknown.body.errors[0]).to.include({ pointer: '/snapshot_id', code: 'ReferenceNotFound' });
    });
  });

  describe('deleteSnapshot', () => {
    it('deletes a snapshot (which outlives its volume), but not while a volume is being created from it', async () => {
      const v = await volume({ size_gb: 2 });
      const s = await snapshot(v.id);
      await advanceClock(app, 3);
      await completed(s.id);
      await app.admin.delete(`/api/storage/volumes/${v.id}`).expect(204);
      expect((await get(s.id)).status).to.equal('completed');
      // A volume still `creating` from it (put back there once its job ran, as a slow provisioning would hold it).
      const r = await app.admin
        .post('/api/storage/volumes')
        .set('Prefer', 'wait=10')
        .send({ name: 'from', snapshot_id: s.id })
        .expect(202);
      expect(r.body.status).to.equal('available');
      await app.platform.db('volumes').where({ id: r.body.id }).update({ status: 'creating' });
      const refused = await app.admin.delete(`/api/storage/snapshots/${s.id}`).expect(409);
      expect(refused.body.code).to.equal('ResourceInUse');
      expect(refused.body.blocked_by).to.deep.equal([{ kind: 'volume', id: r.body.id }]);
      await app.platform.db('volumes').where({ id: r.body.id }).update({ status: 'available' });
      await app.admin.delete(`/api/storage/snapshots/${s.id}`).expect(204);
      await app.admin.get(`/api/storage/snapshots/${s.id}`).expect(404);
    });
  });
});
