// Backups on demand under the manual platform clock: vaults and their refusals, a bucket's backup (bytes copied into
// the vault, restored into a new bucket read back with the AWS S3 client), a volume's (its snapshot, restored into a
// new volume), and the refusals of backup and restore jobs.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { backupHelpers, type BackupWorld } from '../../support/backups.js';
import { bodyBytes, s3As, type S3User } from '../../support/s3.js';

describe('storage: backups', () => {
  let app: TestApp;
  let me: ReturnType<TestApp['as']>;
  let user: S3User;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_SNAPSHOT_MS_PER_GIB: '1000' });
    const u = await newUser(app, 'backups');
    me = app.as(u.token);
    user = await s3As(app, u);
    Object.assign(w, { app, me });
  });
  after(() => app.close());
  const w = {} as BackupWorld;
  const { stamp, vault, bucket, volume, backup, point, job } = backupHelpers(w);

  describe('backup vaults', () => {
    it('creates, reads and patches a vault; an unknown key is a 422 naming kms_key_id', async () => {
      const v = await vault();
      expect(v.id).to.match(/^bv-/);
      await me.patch(`/api/storage/backup-vaults/${v.id}`).send({ description: 'nightly' }).expect(200);
      const bad = await me
        .post('/api/storage/backup-vaults')
        .send({ name: 'k', kms_key_id: 'key-nope0000' })
        .expect(422);
      expect(bad.body.errors[0].pointer).to.equal('/kms_key_id');
    });
    it('refuses to delete a vault holding recovery points (409 naming them), then deletes it empty', async () => {
      const v = await vault();
      const b = await bucket();
      const j = (await backup(b.id, v.id).expect(202)).body;
      expect(j.status).to.equal('completed');
      const refused = await me.delete(`/api/storage/backup-vaults/${v.id}`).expect(409);
      expect(JSON.stringify(refused.body)).to.contain(j.recovery_point_id);
      await me.delete(`/api/storage/recovery-points/${j.recovery_point_id}`).expect(204);
      await me.delete(`/api/storage/backup-vaults/${v.id}`).expect(204);
    });
  });

  describe('on-demand backups and restores', () => {
    it('copies a bucket into the vault and restores it into a new bucket with the same objects', async () => {
      const v = await vault();
      const b = await bucket();
      const j = (await backup(b.id, v.id).expect(202)).body;
      expect(j).to.include({ status: 'completed', resource_id: b.id, vault_id: v.id });
      const rp = await point(j.recovery_point_id);
      expect(rp).to.include({ resource_type: 'bucket', status: 'completed', object_count: 2, size_bytes: 12 });
      const listed = (await me.get(`/api/storage/backup-vaults/${v.id}/recovery-points`).expect(200)).body.items;
      expect(listed.map((p: { id: string }) => p.id)).to.deep.equal([rp.id]);
      const all = (await me.get(`/api/storage/recovery-points?resource_id=${b.id}`).expect(200)).body.items;
      expect(all.map((p: { id: string }) => p.id)).to.deep.equal([rp.id]);
      // The copy is the vault's own: the source's objects may go.
      await me.delete(`/api/storage/buckets/${b.id}?key=a.txt`).expect(204);
      const name = `restored-${stamp()}`;
      const r = (await me.post('/api/storage/restore-jobs').send({ recovery_point_id: rp.id, name }).expect(202)).body;
      const done = await job(`/api/storage/restore-jobs/${r.id}`);
      expect(done).to.include({ resource_type: 'bucket' });
      const got = await user.s3.send(new GetObjectCommand({ Bucket: name, Key: 'a.txt' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('alpha');
      const other = await user.s3.send(new GetObjectCommand({ Bucket: name, Key: 'dir/b.json' }));
      expect((await bodyBytes(other.Body)).toString()).to.equal('{"b":2}');
    });

    it('snapshots a volume through the snapshot operation (pending -> completed) and restores a new volume', async () => {
      const v = await vault();
      const vol = await volume();
      // No Prefer: wait here: the job waits for the snapshot, which completes only as the platform clock moves.
      const j = (await me.post('/api/storage/backup-jobs').send({ resource_id: vol.id, vault_id: v.id }).expect(202))
        .body;
      expect(j.status).to.equal('running');
      const pid = await eventually(async () => {
        const cur = (await me.get(`/api/storage/backup-jobs/${j.id}`).expect(200)).body;
        return cur.recovery_point_id && (await point(cur.recovery_point_id)).snapshot_id && cur.recovery_point_id;
      }, 'a snapshot taken');
      const pending = await point(pid);
      expect(pending).to.include({ resource_type: 'volume', status: 'pending' });
      const snap = (await me.get(`/api/storage/snapshots/${pending.snapshot_id}`).expect(200)).body;
      expect(snap.status).to.equal('pending');
      await advanceClock(app, 2);
      await job(`/api/storage/backup-jobs/${j.id}`);
      expect(await point(pending.id)).to.include({ status: 'completed', size_bytes: 1024 ** 3 });
      const r = (
        await me.post('/api/storage/restore-jobs').send({ recovery_point_id: pending.id, name: 'back' }).expect(202)
      ).body;
      const done = await job(`/api/storage/restore-jobs/${r.id}`);
      const made = (await me.get(`/api/storage/volumes/${done.created_resource_id}`).expect(200)).body;
      expect(made).to.include({ snapshot_id: pending.snapshot_id, status: 'available', size_gb: 1 });
      await me.delete(`/api/storage/recovery-points/${pending.id}`).expect(204);
      await eventually(
        async () => (await me.get(`/api/storage/snapshots/${pending.snapshot_id}`)).status === 404,
        'snapshot gone',
      );
    });

    it("refuses a resource or vault that is not the caller's, and restores without a name or from a pending point", async () => {
      const v = await vault();
      const unknown = await backup('vol-nope0000', v.id).expect(422);
      expect(unknown.body.errors[0].pointer).to.equal('/resource_id');
      const b = await bucket();
      expect((await backup(b.id, 'bv-nope0000').expect(422)).body.errors[0].pointer).to.equal('/vault_id');
      const j = (await backup(b.id, v.id).expect(202)).body;
      const noName = await me
        .post('/api/storage/restore-jobs')
        .send({ recovery_point_id: j.recovery_point_id })
        .expect(422);
      expect(noName.body.errors[0].pointer).to.equal('/name');
      const vol = await volume();
      const pj = (await me.post('/api/storage/backup-jobs').send({ resource_id: vol.id, vault_id: v.id }).expect(202))
        .body;
      const pid = await eventually(
        async () => (await me.get(`/api/storage/backup-jobs/${pj.id}`)).body.recovery_point_id,
        'point',
      );
      const early = await me.post('/api/storage/restore-jobs').send({ recovery_point_id: pid }).expect(422);
      expect(early.body.code).to.equal('ValidationFailed');
    });
  });
});
