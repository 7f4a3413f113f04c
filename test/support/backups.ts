// What the backup tests share: a user's vaults, buckets with two objects, volumes, backups, and the manual clock
// moved to the next whole hour (a due time of `0 * * * *`).
import { advanceClock, eventually, type TestApp } from './app.js';

export interface BackupWorld {
  app: TestApp;
  me: ReturnType<TestApp['as']>;
}

/** Helpers over `w`, which the test file's before() fills in. */
export function backupHelpers(w: BackupWorld) {
  let n = 0;
  const stamp = () => `${++n}-${Date.now().toString(36)}`;
  const vault = async () =>
    (
      await w.me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}` })
        .expect(201)
    ).body;
  const bucket = async (metadata: Record<string, string> = {}) => {
    const b = (
      await w.me
        .post('/api/storage/buckets')
        .send({ name: `bk-${stamp()}`, metadata })
        .expect(201)
    ).body;
    for (const [key, text] of [
      ['a.txt', 'alpha'],
      ['dir/b.json', '{"b":2}'],
    ])
      await w.me
        .put(`/api/storage/buckets/${b.id}?key=${encodeURIComponent(key!)}`)
        .set('Content-Type', 'text/plain')
        .send(text)
        .expect(200);
    return b;
  };
  const volume = async () =>
    (await w.me.post('/api/storage/volumes').set('Prefer', 'wait=10').send({ name: 'src', size_gb: 1 }).expect(202))
      .body;
  const backup = (resource_id: string, vault_id: string, extra: object = {}) =>
    w.me
      .post('/api/storage/backup-jobs')
      .set('Prefer', 'wait=10')
      .send({ resource_id, vault_id, ...extra });
  const point = async (id: string) => (await w.me.get(`/api/storage/recovery-points/${id}`).expect(200)).body;
  const job = async (path: string, status = 'completed') =>
    eventually(async () => {
      const r = (await w.me.get(path).expect(200)).body;
      return r.status === status && r;
    }, `${path} ${status}`);
  const clockNow = async () => new Date((await w.app.admin.get('/api/admin/clock').expect(200)).body.now).getTime();
  /** Moves the clock just past the next whole hour (a due time of `0 * * * *`). */
  const nextHour = async () => {
    const now = await clockNow();
    const due = Math.ceil((now + 1) / 3_600_000) * 3_600_000;
    await advanceClock(w.app, Math.ceil((due - now) / 1000) + 1);
    return due;
  };

  return { stamp, vault, bucket, volume, backup, point, job, clockNow, nextHour };
}
