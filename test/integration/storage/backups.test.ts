// Backups end to end under the manual platform clock, by operation: vaults and their refusals, on-demand backups of a
// bucket (bytes really copied, restored into a new bucket read back with the AWS S3 client) and of a volume (through
// its snapshot, restored into a new volume), plans firing at their cron times (exactly one run per due time with two
// sweeps racing), retention by count and by days, and the refusals of plans, selections and restores.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { backupScheduler } from '../../../api/src/storage/backups/plan-runner.js';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
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
  });
  after(() => app.close());

  let n = 0;
  const stamp = () => `${++n}-${Date.now().toString(36)}`;
  const vault = async () =>
    (
      await me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}` })
        .expect(201)
    ).body;
  const bucket = async (metadata: Record<string, string> = {}) => {
    const b = (
      await me
        .post('/api/storage/buckets')
        .send({ name: `bk-${stamp()}`, metadata })
        .expect(201)
    ).body;
    for (const [key, text] of [
      ['a.txt', 'alpha'],
      ['dir/b.json', '{"b":2}'],
    ])
      await me
        .put(`/api/storage/buckets/${b.id}?key=${encodeURIComponent(key!)}`)
        .set('Content-Type', 'text/plain')
        .send(text)
        .expect(200);
    return b;
  };
  const volume = async () =>
    (await me.post('/api/storage/volumes').set('Prefer', 'wait=10').send({ name: 'src', size_gb: 1 }).expect(202)).body;
  const backup = (resource_id: string, vault_id: string, extra: object = {}) =>
    me
      .post('/api/storage/backup-jobs')
      .set('Prefer', 'wait=10')
      .send({ resource_id, vault_id, ...extra });
  const point = async (id: string) => (await me.get(`/api/storage/recovery-points/${id}`).expect(200)).body;
  const job = async (path: string, status = 'completed') =>
    eventually(async () => {
      const r = (await me.get(path).expect(200)).body;
      return r.status === status && r;
    }, `${path} ${status}`);
  const clockNow = async () => new Date((await app.admin.get('/api/admin/clock').expect(200)).body.now).getTime();
  /** Moves the clock just past the next whole hour (a due time of `0 * * * *`). */
  const nextHour = async () => {
    const now = await clockNow();
    const due = Math.ceil((now + 1) / 3_600_000) * 3_600_000;
    await advanceClock(app, Math.ceil((due - now) / 1000) + 1);
    return due;
  };

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
      // The copy is the vault's own: the source's objects may go, the restore still has them.
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
      // Deleting the point deletes its snapshot, as the owner.
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

  describe('backup plans', () => {
    const plan = async (rule: object, name = `p${stamp()}`) =>
      (
        await me
          .post('/api/storage/backup-plans')
          .send({ name, rules: [{ name: 'hourly', schedule: '0 * * * *', ...rule }] })
          .expect(201)
      ).body;
    const runs = async (id: string) => (await me.get(`/api/storage/backup-plans/${id}/runs`).expect(200)).body.items;

    it("refuses a bad cron, a zone IANA does not know, a one-time schedule and a vault not the caller's (422 with pointers)", async () => {
      const v = await vault();
      const bad = await me
        .post('/api/storage/backup-plans')
        .send({
          name: 'bad',
          rules: [
            { name: 'a', schedule: '61 * * * *', target_vault_id: v.id },
            { name: 'b', schedule: '0 * * * *', timezone: 'Mars/Olympus', target_vault_id: v.id },
            { name: 'c', schedule: 'at(2030-01-01T00:00:00)', target_vault_id: v.id },
            { name: 'c', schedule: 'rate(1 day)', target_vault_id: 'bv-nope0000' },
          ],
        })
        .expect(422);
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer)).to.have.members([
        '/rules/0/schedule',
        '/rules/1/timezone',
        '/rules/2/schedule',
        '/rules/3/name',
        '/rules/3/target_vault_id',
      ]);
      const p = await plan({ target_vault_id: v.id });
      const sel = await me
        .post(`/api/storage/backup-plans/${p.id}/selections`)
        .send({ name: 's', resource_ids: ['vol-nope0000'] })
        .expect(422);
      expect(sel.body.errors[0].pointer).to.equal('/resource_ids/0');
    });

    it('fires at its cron times, backing up what its selections name by id and by bucket metadata', async () => {
      const v = await vault();
      const tagged = await bucket({ backup: 'hourly' });
      await bucket({ backup: 'never' });
      const vol = await volume();
      const p = await plan({ target_vault_id: v.id });
      await me
        .post(`/api/storage/backup-plans/${p.id}/selections`)
        .send({ name: 'ids', resource_ids: [vol.id] })
        .expect(201);
      await me
        .post(`/api/storage/backup-plans/${p.id}/selections`)
        .send({ name: 'tags', tags: { backup: 'hourly' } })
        .expect(201);
      expect((await me.get(`/api/storage/backup-plans/${p.id}/selections`).expect(200)).body.items).to.have.length(2);
      expect(await runs(p.id)).to.deep.equal([]);
      const due = await nextHour();
      const [run] = await eventually(async () => {
        const r = await runs(p.id);
        return r.length === 1 && r[0].job_ids.length === 2 && r;
      }, 'one run with two jobs');
      expect(run).to.include({ rule_name: 'hourly', status: 'started', due_at: new Date(due).toISOString() });
      const jobs = await Promise.all(
        run.job_ids.map(async (id: string) => (await me.get(`/api/storage/backup-jobs/${id}`)).body),
      );
      expect(
        jobs.map((j: { resource_id: string; plan_id: string }) => [j.resource_id, j.plan_id]),
      ).to.have.deep.members([
        [vol.id, p.id],
        [tagged.id, p.id],
      ]);
    });

    it('runs each due time exactly once when two sweeps race for it', async () => {
      const v = await vault();
      const b = await bucket();
      const p = await plan({ target_vault_id: v.id });
      await me
        .post(`/api/storage/backup-plans/${p.id}/selections`)
        .send({ name: 'one', resource_ids: [b.id] })
        .expect(201);
      const now = await clockNow();
      const due = Math.ceil((now + 1) / 3_600_000) * 3_600_000;
      const sweep = backupScheduler(app.platform);
      await Promise.all([sweep(due + 1000), sweep(due + 1000), sweep(due + 2000)]);
      const all = await runs(p.id);
      expect(all).to.have.length(1);
      expect(all[0].job_ids).to.have.length(1);
      await eventually(
        async () => (await me.get(`/api/storage/backup-jobs?resource_id=${b.id}`)).body.items.length === 1,
        'one job',
      );
    });

    it('keeps only the newest retention_count points of each resource, deleting the others and their copies', async () => {
      const v = await vault();
      const b = await bucket();
      const p = await plan({ target_vault_id: v.id, retention_count: 2 });
      await me
        .post(`/api/storage/backup-plans/${p.id}/selections`)
        .send({ name: 'one', resource_ids: [b.id] })
        .expect(201);
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        await nextHour();
        const ids = await eventually(
          async () => {
            const items = (await me.get(`/api/storage/backup-jobs?resource_id=${b.id}&status=completed`)).body.items;
            return items.length === i + 1 && items.map((j: { recovery_point_id: string }) => j.recovery_point_id);
          },
          `${i + 1} backups`,
        );
        made.splice(0, made.length, ...ids);
      }
      await advanceClock(app, 1);
      const kept = await eventually(async () => {
        const items = (await me.get(`/api/storage/backup-vaults/${v.id}/recovery-points`)).body.items;
        return items.length === 2 && items.map((x: { id: string }) => x.id);
      }, 'two kept');
      expect(kept).to.deep.equal(made.slice(0, 2));
      await me.get(`/api/storage/recovery-points/${made[2]}`).expect(404);
    });

    it('deletes recovery points past their retention days', async () => {
      const v = await vault();
      const b = await bucket();
      const j = (await backup(b.id, v.id, { retention_days: 1 }).expect(202)).body;
      const rp = await point(j.recovery_point_id);
      expect(new Date(rp.expires_at).getTime() - new Date(rp.created_at).getTime()).to.be.within(
        86_399_000,
        86_401_000,
      );
      await advanceClock(app, 86_000);
      await me.get(`/api/storage/recovery-points/${rp.id}`).expect(200);
      await advanceClock(app, 500);
      await eventually(async () => (await me.get(`/api/storage/recovery-points/${rp.id}`)).status === 404, 'expired');
    });
  });
});
