// Bucket copies in a vault: encrypted on disk under the vault's KMS key (or the platform-managed storage key), restored
// with their content type, user metadata, stored headers and tags (read back with the AWS S3 client), a disabled
// vault key failing the restore until it is enabled again, and a delete cut short (a row left `deleting`) finished by
// the tick's sweep.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { backupSettler } from '../../../api/src/storage/backups/settle.js';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { backupHelpers, type BackupWorld } from '../../support/backups.js';
import { bodyBytes, s3As, type S3User } from '../../support/s3.js';

describe('storage: bucket copies in backup vaults', function () {
  this.timeout(60_000);
  let app: TestApp;
  let me: ReturnType<TestApp['as']>;
  let user: S3User;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    const u = await newUser(app, 'bk-copies');
    me = app.as(u.token);
    user = await s3As(app, u);
    Object.assign(w, { app, me });
  });
  after(() => app.close());
  const w = {} as BackupWorld;
  const { stamp, backup, point, job } = backupHelpers(w);

  const secret = `plaintext-${randomBytes(8).toString('hex')}-`.repeat(40);
  /** A bucket with one object carrying metadata, a content type, a cache-control and tags, put through S3. */
  const sourceBucket = async () => {
    const b = (
      await me
        .post('/api/storage/buckets')
        .send({ name: `src-${stamp()}` })
        .expect(201)
    ).body;
    await user.s3.send(
      new PutObjectCommand({
        Bucket: b.name,
        Key: 'doc.txt',
        Body: secret,
        ContentType: 'text/x-secret',
        CacheControl: 'max-age=60',
        Metadata: { owner: 'ops', color: 'blue' },
        Tagging: 'team=storage&tier=gold',
      }),
    );
    return b;
  };
  const manifestOf = async (id: string) =>
    (await app.platform.db('recovery_points').where({ id }).first('manifest')).manifest as {
      file: string;
      encryption?: { kms_key_id: string };
    }[];
  const onDisk = (file: string) => join(app.platform.config.dataDir, 'backups', file);
  const restore = async (rpId: string) => {
    const name = `restored-${stamp()}`;
    const r = (await me.post('/api/storage/restore-jobs').send({ recovery_point_id: rpId, name }).expect(202)).body;
    const done = await eventually(async () => {
      const cur = (await me.get(`/api/storage/restore-jobs/${r.id}`).expect(200)).body;
      return cur.status !== 'running' && cur;
    }, 'restore ended');
    return { name, done };
  };

  /** What sourceBucket() gave doc.txt, read back from a restored bucket with the S3 client. */
  const expectAttributes = async (Bucket: string) => {
    const head = await user.s3.send(new HeadObjectCommand({ Bucket, Key: 'doc.txt' }));
    expect(head.ContentType).to.equal('text/x-secret');
    expect(head.CacheControl).to.equal('max-age=60');
    expect(head.Metadata).to.deep.equal({ owner: 'ops', color: 'blue' });
    const tags = await user.s3.send(new GetObjectTaggingCommand({ Bucket, Key: 'doc.txt' }));
    expect(tags.TagSet).to.have.deep.members([
      { Key: 'team', Value: 'storage' },
      { Key: 'tier', Value: 'gold' },
    ]);
  };

  it('restores each object with its content type, user metadata, cache-control and tags', async () => {
    const v = (
      await me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}` })
        .expect(201)
    ).body;
    const b = await sourceBucket();
    const j = (await backup(b.id, v.id).expect(202)).body;
    const { name, done } = await restore(j.recovery_point_id);
    expect(done.status).to.equal('completed');
    await expectAttributes(name);
  });

  it("encrypts a copy under the vault's key, restores it with its attributes, and fails while the key is disabled", async () => {
    const key = (
      await me
        .post('/api/security/keys')
        .send({ name: `vault-key-${stamp()}` })
        .expect(201)
    ).body;
    const v = (
      await me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}`, kms_key_id: key.id })
        .expect(201)
    ).body;
    const b = await sourceBucket();
    const j = (await backup(b.id, v.id).expect(202)).body;
    expect(j.status).to.equal('completed');
    const [entry] = await manifestOf(j.recovery_point_id);
    expect(entry!.encryption?.kms_key_id).to.equal(key.id);
    const bytes = readFileSync(onDisk(entry!.file));
    expect(bytes.length).to.be.greaterThan(0);
    expect(bytes.includes(Buffer.from('plaintext-'))).to.equal(false, 'the copy on disk is ciphertext');

    const { name } = await restore(j.recovery_point_id).then(async (r) => {
      expect(r.done.status).to.equal('completed');
      return r;
    });
    const got = await user.s3.send(new GetObjectCommand({ Bucket: name, Key: 'doc.txt' }));
    expect((await bodyBytes(got.Body)).toString()).to.equal(secret);
    await expectAttributes(name);

    await me.post(`/api/security/keys/${key.id}/disable`).expect(200);
    const refused = await restore(j.recovery_point_id);
    expect(refused.done.status).to.equal('failed');
    expect(refused.done.status_reason)
      .to.match(/KMSDisabledException/)
      .and.include(key.id);
    await me.post(`/api/security/keys/${key.id}/enable`).expect(200);
    const again = await restore(j.recovery_point_id);
    expect(again.done.status).to.equal('completed');
    const back = await user.s3.send(new GetObjectCommand({ Bucket: again.name, Key: 'doc.txt' }));
    expect((await bodyBytes(back.Body)).toString()).to.equal(secret);
  });

  it("encrypts a keyless vault's copy under the owner's platform-managed storage key", async () => {
    const v = (
      await me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}` })
        .expect(201)
    ).body;
    const b = await sourceBucket();
    const j = (await backup(b.id, v.id).expect(202)).body;
    const managed = (await me.get('/api/security/keys').expect(200)).body.items.find(
      (k: { name: string }) => k.name === 'atonix/storage',
    );
    const [entry] = await manifestOf(j.recovery_point_id);
    expect(entry!.encryption?.kms_key_id).to.equal(managed.id);
    expect(readFileSync(onDisk(entry!.file)).includes(Buffer.from('plaintext-'))).to.equal(false);
    const { name, done } = await restore(j.recovery_point_id);
    expect(done.status).to.equal('completed');
    const got = await user.s3.send(new GetObjectCommand({ Bucket: name, Key: 'doc.txt' }));
    expect((await bodyBytes(got.Body)).toString()).to.equal(secret);
  });

  it('finishes on the next tick a delete whose process died after marking the point deleting', async () => {
    const v = (
      await me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}` })
        .expect(201)
    ).body;
    const b = await sourceBucket();
    const j = (await backup(b.id, v.id).expect(202)).body;
    const files = (await manifestOf(j.recovery_point_id)).map((e) => onDisk(e.file));
    expect(files.every((f) => existsSync(f))).to.equal(true);
    // As a DELETE (or retention) leaves it when its process is killed between the mark's commit and the cleanup.
    await app.platform.db('recovery_points').where({ id: j.recovery_point_id }).update({ status: 'deleting' });
    expect((await point(j.recovery_point_id)).status).to.equal('deleting');
    await backupSettler(app.platform)(Date.now());
    expect(files.some((f) => existsSync(f))).to.equal(false, 'the copy removed');
    expect(await app.platform.db('recovery_points').where({ id: j.recovery_point_id }).first()).to.equal(undefined);
    await me.get(`/api/storage/recovery-points/${j.recovery_point_id}`).expect(404);
    // And the vault, empty now, may go.
    await me.delete(`/api/storage/backup-vaults/${v.id}`).expect(204);
  });

  it('answers a DELETE at once with the point deleting, then removes its row and files', async () => {
    const v = (
      await me
        .post('/api/storage/backup-vaults')
        .send({ name: `v${stamp()}` })
        .expect(201)
    ).body;
    const b = await sourceBucket();
    const j = (await backup(b.id, v.id).expect(202)).body;
    const files = (await manifestOf(j.recovery_point_id)).map((e) => onDisk(e.file));
    await me.delete(`/api/storage/recovery-points/${j.recovery_point_id}`).expect(204);
    await eventually(
      async () => (await me.get(`/api/storage/recovery-points/${j.recovery_point_id}`)).status === 404,
      'point gone',
    );
    expect(files.some((f) => existsSync(f))).to.equal(false);
    await job(`/api/storage/backup-jobs/${j.id}`);
  });
});
