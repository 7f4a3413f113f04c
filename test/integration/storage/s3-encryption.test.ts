// Encryption at rest via S3: ciphertext on disk, SSE headers, bucket keys, ranges over frames, disabled keys.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, type S3User } from '../../support/s3.js';

/** Every stored file's bytes under an object directory. */
function storedFiles(root: string): Buffer[] {
  const out: Buffer[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.push(readFileSync(join(dir, e.name)));
  };
  walk(join(root, 'data'));
  return out;
}

/** [start, end) of a single `bytes=` range over `size` bytes. */
function rangeOf(header: string, size: number): [number, number] {
  const [, a, b] = /^bytes=(\d*)-(\d*)$/.exec(header)!;
  if (a === '') return [size - Number(b), size];
  return [Number(a), b === '' ? size : Number(b) + 1];
}

describe('S3 door: encryption at rest', function () {
  this.timeout(60_000);
  const objectDir = mkdtempSync(join(tmpdir(), 'atonix-s3-enc-'));
  let app: TestApp;
  let alice: S3User;
  const onDisk = (marker: Buffer) => storedFiles(objectDir).some((f) => f.includes(marker));
  const read = async (Bucket: string, Key: string, Range?: string) =>
    bodyBytes((await alice.s3.send(new GetObjectCommand({ Bucket, Key, Range }))).Body);
  const keys = () => app.as(alice.token);

  before(async () => {
    app = await startApp({ ATONIX_OBJECT_DIR: objectDir });
    alice = await s3As(app, await newUser(app, 'enc-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket: 'enc-default' }));
  });
  after(async () => {
    await app.close();
    rmSync(objectDir, { recursive: true, force: true });
  });

  it('stores ciphertext under the platform-managed key and says so in the SSE headers', async () => {
    const marker = Buffer.from(`plaintext-marker-${randomBytes(8).toString('hex')}`);
    const put = await alice.s3.send(
      new PutObjectCommand({ Bucket: 'enc-default', Key: 'secret.txt', Body: Buffer.concat([marker, marker]) }),
    );
    const managed = (await keys().get('/api/security/keys').expect(200)).body.items.find(
      (k: { name: string }) => k.name === 'atonix/storage',
    );
    expect(managed, 'the managed storage key').to.be.an('object');
    expect(put.ServerSideEncryption).to.equal('aws:kms');
    expect(put.SSEKMSKeyId).to.equal(managed.id);
    for (const r of [
      await alice.s3.send(new GetObjectCommand({ Bucket: 'enc-default', Key: 'secret.txt' })),
      await alice.s3.send(new HeadObjectCommand({ Bucket: 'enc-default', Key: 'secret.txt' })),
    ]) {
      expect(r.ServerSideEncryption).to.equal('aws:kms');
      expect(r.SSEKMSKeyId).to.equal(managed.id);
    }
    expect((await read('enc-default', 'secret.txt')).equals(Buffer.concat([marker, marker]))).to.equal(true);
    expect(storedFiles(objectDir)).to.not.have.length(0);
    expect(onDisk(marker)).to.equal(false);
  });

  describe('a bucket key of the user', () => {
    let key: { id: string };
    const Bucket = 'enc-own-key';
    const big = randomBytes(300_000); // five 64 KiB frames, the last one short

    before(async () => {
      key = (await keys().post('/api/security/keys').send({ name: 'bucket-key' }).expect(201)).body;
      await alice.s3.send(new CreateBucketCommand({ Bucket }));
    });

    it('is set and read back with Put/GetBucketEncryption, and encrypts new objects', async () => {
      await alice.s3.send(
        new PutBucketEncryptionCommand({
          Bucket,
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.id } }],
          },
        }),
      );
      const conf = await alice.s3.send(new GetBucketEncryptionCommand({ Bucket }));
      expect(conf.ServerSideEncryptionConfiguration!.Rules![0]!.ApplyServerSideEncryptionByDefault).to.deep.equal({
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: key.id,
      });
      const put = await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'big.bin', Body: big }));
      expect(put.SSEKMSKeyId).to.equal(key.id);
      expect(onDisk(big.subarray(70_000, 70_064))).to.equal(false);
      // A PUT may name the key itself, in a bucket whose default is another.
      const named = await alice.s3.send(
        new PutObjectCommand({
          Bucket: 'enc-default',
          Key: 'named-key.txt',
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: key.id,
        }),
      );
      expect(named.SSEKMSKeyId).to.equal(key.id);
      const head = await alice.s3.send(new HeadObjectCommand({ Bucket: 'enc-default', Key: 'named-key.txt' }));
      expect(head.SSEKMSKeyId).to.equal(key.id);
      // A key that is not the caller's is refused.
      const other = await failure(
        alice.s3.send(
          new PutBucketEncryptionCommand({
            Bucket,
            ServerSideEncryptionConfiguration: {
              Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'key-nope' } }],
            },
          }),
        ),
      );
      expect(other.$metadata.httpStatusCode).to.equal(400);
    });

    it('serves ranges of a multi-frame object: inside a frame, across frames, from a frame start, a suffix', async () => {
      const F = 65536;
      for (const [a, b] of [
        [10, 20],
        [F - 5, F + 5],
        [F, 2 * F - 1],
        [F - 1, 4 * F + 1],
        [4 * F, big.length - 1],
      ])
        expect((await read(Bucket, 'big.bin', `bytes=${a}-${b}`)).equals(big.subarray(a, b + 1)), `${a}-${b}`).to.equal(
          true,
        );
      expect((await read(Bucket, 'big.bin', 'bytes=-7')).equals(big.subarray(big.length - 7))).to.equal(true);
      expect((await read(Bucket, 'big.bin')).equals(big)).to.equal(true);
      // An object of whole frames: its last frame is full.
      const whole = randomBytes(2 * F);
      await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'whole.bin', Body: whole }));
      for (const range of ['bytes=-1', `bytes=${F - 1}-${F}`, `bytes=${F}-`, 'bytes=0-'])
        expect((await read(Bucket, 'whole.bin', range)).toString('hex'), range).to.equal(
          whole.subarray(...rangeOf(range, whole.length)).toString('hex'),
        );
    });

    it('refuses reads and writes with KMSDisabledException while the key is disabled, and serves them once enabled', async () => {
      await keys().post(`/api/security/keys/${key.id}/disable`).expect(200);
      const get = await failure(read(Bucket, 'big.bin'));
      expect([get.name, get.$metadata.httpStatusCode]).to.deep.equal(['KMSDisabledException', 400]);
      expect(get.message)
        .to.include(key.id)
        .and.match(/disabled/);
      const ranged = await failure(read(Bucket, 'big.bin', 'bytes=0-9'));
      expect(ranged.name).to.equal('KMSDisabledException');
      const put = await failure(alice.s3.send(new PutObjectCommand({ Bucket, Key: 'new.bin', Body: 'x' })));
      expect(put.name).to.equal('KMSDisabledException');
      await keys().post(`/api/security/keys/${key.id}/enable`).expect(200);
      expect((await read(Bucket, 'big.bin')).equals(big)).to.equal(true);
      await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'new.bin', Body: 'x' }));
    });
  });

  describe('plaintext', () => {
    it('stores plaintext in a bucket without encryption, with no SSE headers and no encryption configuration', async () => {
      await app
        .as(alice.token)
        .post('/api/storage/buckets')
        .send({ name: 'enc-off', encryption_enabled: false })
        .expect(201);
      const marker = Buffer.from(`clear-marker-${randomBytes(8).toString('hex')}`);
      const put = await alice.s3.send(new PutObjectCommand({ Bucket: 'enc-off', Key: 'clear.txt', Body: marker }));
      expect(put.ServerSideEncryption).to.equal(undefined);
      expect(onDisk(marker)).to.equal(true);
      const head = await alice.s3.send(new HeadObjectCommand({ Bucket: 'enc-off', Key: 'clear.txt' }));
      expect(head.ServerSideEncryption).to.equal(undefined);
      const conf = await failure(alice.s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc-off' })));
      expect(conf.name).to.equal('ServerSideEncryptionConfigurationNotFoundError');
      // Turning default encryption off (DeleteBucketEncryption) does the same for objects written after it.
      await alice.s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'enc-default' }));
      const later = Buffer.from(`later-marker-${randomBytes(8).toString('hex')}`);
      await alice.s3.send(new PutObjectCommand({ Bucket: 'enc-default', Key: 'later.txt', Body: later }));
      expect(onDisk(later)).to.equal(true);
      // Objects written before stay encrypted and readable.
      expect(
        (await alice.s3.send(new HeadObjectCommand({ Bucket: 'enc-default', Key: 'secret.txt' }))).ServerSideEncryption,
      ).to.equal('aws:kms');
    });
  });
});
