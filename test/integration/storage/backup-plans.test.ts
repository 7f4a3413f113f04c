// Backup plans under the manual platform clock: refusals of rules and selections, runs at their cron times backing up
// what the selections name (by id, by bucket metadata), exactly one run per due time with sweeps racing, and
// retention by count and by days enforced by the worker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { backupScheduler } from '../../../api/src/storage/backups/plan-runner.js';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { backupHelpers, type BackupWorld } from '../../support/backups.js';

describe('storage: backup plans', () => {
  let app: TestApp;
  let me: ReturnType<TestApp['as']>;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_SNAPSHOT_MS_PER_GIB: '1000' });
    const u = await newUser(app, 'backups');
    me = app.as(u.token);
    Object.assign(w, { app, me });
  });
  after(() => app.close());
  const w = {} as BackupWorld;
  const { stamp, vault, bucket, volume, backup, point, clockNow, nextHour } = backupHelpers(w);

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

    it('records a due time the platform slept through as missed, and runs the one on time', async () => {
      const v = await vault();
      const p = await plan({ target_vault_id: v.id, start_window_minutes: 5 });
      const now = await clockNow();
      const first = Math.ceil((now + 1) / 3_600_000) * 3_600_000;
      await advanceClock(app, Math.ceil((first + 3_600_000 - now) / 1000) + 1);
      const got = await eventually(async () => {
        const r = await runs(p.id);
        return r.length === 2 && r;
      }, 'two runs');
      expect(got.map((r: { status: string; due_at: string }) => [r.status, r.due_at])).to.have.deep.members([
        ['missed', new Date(first).toISOString()],
        ['started', new Date(first + 3_600_000).toISOString()],
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

    it('starts the jobs of a run whose process died after recording it, once a grace has passed', async () => {
      const v = await vault();
      const b = await bucket();
      const p = await plan({ target_vault_id: v.id });
      await me
        .post(`/api/storage/backup-plans/${p.id}/selections`)
        .send({ name: 'one', resource_ids: [b.id] })
        .expect(201);
      const now = await clockNow();
      // As a sweep leaves it when its process is killed between the claim's commit and the jobs.
      await app.platform.db('backup_plan_runs').insert({
        id: `bpr-died${Date.now().toString(36)}`,
        plan_id: p.id,
        rule_name: 'hourly',
        due_at: new Date(now - 3_600_000),
        status: 'started',
        created_at: new Date(now - 600_000),
        claimed_at: new Date(now - 600_000),
      });
      const sweep = backupScheduler(app.platform);
      await Promise.all([sweep(now), sweep(now)]);
      const [run] = await runs(p.id);
      expect(run.job_ids).to.have.length(1);
      const job = (await me.get(`/api/storage/backup-jobs/${run.job_ids[0]}`).expect(200)).body;
      expect(job).to.include({ resource_id: b.id, plan_id: p.id });
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
      let files: string[] = [];
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
        if (i > 0) continue;
        // The first copy's files, read from its row (the API does not show where a copy lives), go with it.
        const { manifest } = await app.platform.db('recovery_points').where({ id: ids[0] }).first('manifest');
        files = manifest.map((e: { file: string }) => join(app.platform.config.dataDir, 'backups', e.file));
        expect(files.filter((f: string) => existsSync(f))).to.have.length(2);
      }
      await advanceClock(app, 1);
      const kept = await eventually(async () => {
        const items = (await me.get(`/api/storage/backup-vaults/${v.id}/recovery-points`)).body.items;
        return items.length === 2 && items.map((x: { id: string }) => x.id);
      }, 'two kept');
      expect(kept).to.deep.equal(made.slice(0, 2));
      await me.get(`/api/storage/recovery-points/${made[2]}`).expect(404);
      await eventually(async () => files.every((f: string) => !existsSync(f)), 'the copy removed');
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
