// Lifecycle in a versioned bucket (expiry behind a delete marker, noncurrent versions past their days with the
// newest kept, a lone expired delete marker removed) and intelligent tiering (idle objects move down, a read brings
// an object back to STANDARD, a restore brings an ARCHIVE one back), over REST and the AWS SDK; and PutObject's
// storage class.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { advanceClock, newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, type S3User } from '../../support/s3.js';

const DAY = 86_400;

describe('tiering: versions and intelligent mode', function () {
  this.timeout(120_000);
  let app: TestApp;
  let alice: S3User;
  const rest = () => app.as(alice.token);
  const put = (Bucket: string, Key: string, Body: string) => alice.s3.send(new PutObjectCommand({ Bucket, Key, Body }));
  const versions = async (Bucket: string) => {
    const page = await alice.s3.send(new ListObjectVersionsCommand({ Bucket }));
    return {
      versions: (page.Versions ?? []).map((v) => [v.Key, v.IsLatest]),
      markers: (page.DeleteMarkers ?? []).map((m) => [m.Key, m.IsLatest]),
    };
  };

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_RESTORE_DELAY_SECONDS: '3600' });
    alice = await s3As(app, await newUser(app, 'tierv-alice'));
  });
  after(() => app.close());

  describe('a versioned bucket', () => {
    const bucket = 'tier-versions';
    before(async () => {
      await rest().post('/api/storage/buckets').send({ name: bucket, versioning_enabled: true }).expect(201);
      await rest()
        .post('/api/storage/lifecycle-configurations')
        .send({
          bucket_id: bucket,
          rules: [
            {
              id: 'docs',
              status: 'Enabled',
              prefix: 'docs/',
              expiration_days: 100,
              noncurrent_version_expiration_days: 30,
              newer_noncurrent_versions: 1,
            },
            { id: 'gone', status: 'Enabled', prefix: 'gone/', noncurrent_version_expiration_days: 10 },
            { id: 'markers', status: 'Enabled', prefix: 'gone/', expired_object_delete_marker: true },
            { id: 'off', status: 'Disabled', expiration_days: 1 },
          ],
        })
        .expect(201);
      for (const n of [1, 2, 3]) {
        await put(bucket, 'docs/a', `a${n}`);
        await advanceClock(app, DAY);
      }
      await put(bucket, 'other', 'a disabled rule never runs');
    });

    it('expires noncurrent versions past their days, keeping the newest noncurrent one', async () => {
      await advanceClock(app, 30 * DAY);
      expect(await versions(bucket)).to.deep.equal({
        versions: [
          ['docs/a', true],
          ['docs/a', false],
          ['other', true],
        ],
        markers: [],
      });
    });

    it('expires the current version behind a delete marker, keeping the newest noncurrent version', async () => {
      await advanceClock(app, 70 * DAY);
      // Day 103: a3 (written day 2) is past 100 days: a delete marker hides it; it and a2 are noncurrent now.
      let v = await versions(bucket);
      expect(v.markers).to.deep.equal([['docs/a', true]]);
      expect((await failure(alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/a' })))).name).to.equal(
        'NoSuchKey',
      );
      // 31 days on, both noncurrent versions are past their days: newer_noncurrent_versions keeps the newest.
      await advanceClock(app, 31 * DAY);
      v = await versions(bucket);
      expect(v.versions).to.deep.equal([
        ['docs/a', false],
        ['other', true],
      ]);
      expect(v.markers).to.deep.equal([['docs/a', true]]);
    });

    it('removes a delete marker once the versions behind it have expired (expired_object_delete_marker)', async () => {
      await put(bucket, 'gone/x', 'soon gone');
      await rest().delete(`/api/storage/buckets/${bucket}?key=gone/x`).expect(204);
      expect((await versions(bucket)).markers).to.deep.include(['gone/x', true]);
      await advanceClock(app, 11 * DAY);
      const v = await versions(bucket);
      expect(v.markers).to.not.deep.include(['gone/x', true]);
      expect(v.versions.map((e) => e[0])).to.not.include('gone/x');
    });

    it('keeps what a Disabled rule names', async () => {
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'other' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('a disabled rule never runs');
    });
  });

  describe('intelligent tiering', () => {
    const bucket = 'tier-smart';
    const cls = async () => {
      const page = await alice.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      return Object.fromEntries((page.Contents ?? []).map((o) => [o.Key, o.StorageClass]));
    };
    before(async () => {
      await rest()
        .post('/api/storage/buckets')
        .send({ name: bucket, versioning_enabled: false, intelligent_tiering: true })
        .expect(201);
      await put(bucket, 'hot', 'read often');
      await put(bucket, 'cold', 'never read');
    });

    it('moves objects not read for 30 days to INFREQUENT', async () => {
      await advanceClock(app, 31 * DAY);
      expect(await cls()).to.deep.equal({ hot: 'STANDARD_IA', cold: 'STANDARD_IA' });
    });

    it('brings an object back to STANDARD when it is read, and records the read', async () => {
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hot' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('read often');
      expect(await cls()).to.deep.equal({ hot: 'STANDARD', cold: 'STANDARD_IA' });
      const list = await rest().get(`/api/storage/buckets/${bucket}/objects?prefix=hot`).expect(200);
      expect(list.body.items[0].last_accessed).to.be.a('string');
      // HEAD is not a read of the bytes.
      await alice.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cold' }));
      expect((await cls()).cold).to.equal('STANDARD_IA');
    });

    it('moves objects idle for 90 days to ARCHIVE; the one read at day 31 only to INFREQUENT', async () => {
      await advanceClock(app, 60 * DAY);
      expect(await cls()).to.deep.equal({ hot: 'STANDARD_IA', cold: 'GLACIER' });
      const b = await rest().get(`/api/storage/buckets/${bucket}`).expect(200);
      expect(b.body.usage_by_class).to.deep.equal({ STANDARD: 0, INFREQUENT: 10, ARCHIVE: 10 });
    });

    it('brings an ARCHIVE object back to STANDARD once its restore completes', async () => {
      await rest().post(`/api/storage/buckets/${bucket}/restore?key=cold`).send({ days: 3 }).expect(202);
      await advanceClock(app, 3601);
      expect((await cls()).cold).to.equal('STANDARD');
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'cold' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('never read');
    });

    it('is a bucket field that PATCH turns off', async () => {
      const r = await rest().patch(`/api/storage/buckets/${bucket}`).send({ intelligent_tiering: false }).expect(200);
      expect(r.body.intelligent_tiering).to.equal(false);
      await advanceClock(app, 200 * DAY);
      expect((await cls()).cold).to.equal('STANDARD');
    });
  });

  describe('PutObject with a storage class', () => {
    const other = 'tier-put-class';
    before(() => alice.s3.send(new CreateBucketCommand({ Bucket: other })));

    it('stores STANDARD_IA and GLACIER in their classes, and refuses INTELLIGENT_TIERING and unknown names', async () => {
      await alice.s3.send(new PutObjectCommand({ Bucket: other, Key: 'ia', Body: 'x', StorageClass: 'STANDARD_IA' }));
      await alice.s3.send(
        new PutObjectCommand({ Bucket: other, Key: 'cold', Body: 'y', StorageClass: 'DEEP_ARCHIVE' }),
      );
      const page = await alice.s3.send(new ListObjectsV2Command({ Bucket: other }));
      expect(Object.fromEntries((page.Contents ?? []).map((o) => [o.Key, o.StorageClass]))).to.deep.equal({
        cold: 'GLACIER',
        ia: 'STANDARD_IA',
      });
      expect((await failure(alice.s3.send(new GetObjectCommand({ Bucket: other, Key: 'cold' })))).name).to.equal(
        'InvalidObjectState',
      );
      for (const StorageClass of ['INTELLIGENT_TIERING', 'BOGUS'] as const) {
        const f = await failure(
          alice.s3.send(
            new PutObjectCommand({ Bucket: other, Key: 'no', Body: 'z', StorageClass: StorageClass as never }),
          ),
        );
        expect(f.name).to.equal('InvalidStorageClass');
        expect(f.$metadata.httpStatusCode).to.equal(400);
      }
    });
  });
});
