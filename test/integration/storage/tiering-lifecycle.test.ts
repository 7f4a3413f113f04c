// Lifecycle over 400 days of platform time, seen through the AWS SDK and REST alike: the configuration through both
// doors, transitions (the class in listings and HEAD, the bytes in the class's directory, usage per class),
// expirations, multipart aborts, ARCHIVE reads refused until a restore, and the restore's own life.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  RestoreObjectCommand,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { advanceClock, newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, type S3User } from '../../support/s3.js';

const DAY = 86_400;

describe('tiering: a bucket lifecycle over 400 days, through S3 and REST', function () {
  this.timeout(120_000);
  let app: TestApp;
  let alice: S3User;
  const bucket = 'tier-main';
  const rest = () => app.as(alice.token);
  const classes = async () => {
    const page = await alice.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return Object.fromEntries((page.Contents ?? []).map((o) => [o.Key, o.StorageClass]));
  };
  const fileOf = async (key: string) => {
    const versions = await app.platform.db('objects').where({ key }).select('segments');
    return versions[0]?.segments[0]?.file as string | undefined;
  };
  const objectDir = () => app.platform.config.storage.objectDir;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_RESTORE_DELAY_SECONDS: String(4 * 3600) });
    alice = await s3As(app, await newUser(app, 'tier-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => app.close());

  describe('the configuration through both doors', () => {
    it('is NoSuchLifecycleConfiguration over S3 and 404 over REST before one is put', async () => {
      const f = await failure(alice.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })));
      expect(f.name).to.equal('NoSuchLifecycleConfiguration');
      expect(f.$metadata.httpStatusCode).to.equal(404);
      await rest().get(`/api/storage/lifecycle-configurations/${bucket}`).expect(404);
    });

    it('reads back over S3 and REST as put over S3, with S3 class names mapped', async () => {
      await alice.s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: bucket,
          LifecycleConfiguration: {
            Rules: [
              {
                ID: 'logs',
                Status: 'Enabled',
                Filter: { Prefix: 'logs/' },
                Transitions: [
                  { Days: 30, StorageClass: 'STANDARD_IA' },
                  { Days: 90, StorageClass: 'DEEP_ARCHIVE' },
                ],
                Expiration: { Days: 365 },
              },
              {
                ID: 'scratch',
                Status: 'Enabled',
                Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'kind', Value: 'scratch' }] } },
                Expiration: { Days: 7 },
              },
              {
                ID: 'uploads',
                Status: 'Enabled',
                Filter: {},
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
              },
            ],
          },
        }),
      );
      const got = await alice.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
      expect(got.Rules![0]).to.deep.include({ ID: 'logs', Status: 'Enabled', Expiration: { Days: 365 } });
      expect(got.Rules![0]!.Transitions).to.deep.equal([
        { Days: 30, StorageClass: 'STANDARD_IA' },
        { Days: 90, StorageClass: 'GLACIER' },
      ]);
      expect(got.Rules![1]!.Filter).to.deep.equal({
        And: { Prefix: 'tmp/', Tags: [{ Key: 'kind', Value: 'scratch' }] },
      });
      const r = await rest().get(`/api/storage/lifecycle-configurations/${bucket}`).expect(200);
      expect(r.body.rules[0]).to.deep.include({
        id: 'logs',
        prefix: 'logs/',
        transition_infrequent_days: 30,
        transition_archive_days: 90,
        expiration_days: 365,
      });
      expect(r.body.rules[1]).to.deep.include({ prefix: 'tmp/', tags: { kind: 'scratch' }, expiration_days: 7 });
      expect(r.body.rules[2].abort_incomplete_multipart_upload_days).to.equal(7);
    });

    it('lists by bucket over REST, and refuses a bad page size', async () => {
      const b = (await rest().get(`/api/storage/buckets/${bucket}`).expect(200)).body;
      const page = await rest().get(`/api/storage/lifecycle-configurations?bucket_id=${b.id}`).expect(200);
      expect(page.body.items.map((c: { bucket_id: string }) => c.bucket_id)).to.deep.equal([b.id]);
      await rest().get('/api/storage/lifecycle-configurations?limit=0').expect(400);
    });

    it('refuses rules out of order over REST with a pointer per refusal, and over S3 as InvalidArgument', async () => {
      const b = await rest().post('/api/storage/buckets').send({ name: 'tier-refusals' }).expect(201);
      const r = await rest()
        .post('/api/storage/lifecycle-configurations')
        .send({
          bucket_id: b.body.id,
          rules: [
            { id: 'a', status: 'Enabled', transition_infrequent_days: 60, transition_archive_days: 40 },
            { id: 'a', status: 'Enabled', tags: { k: 'v' }, abort_incomplete_multipart_upload_days: 3 },
            { id: 'c', status: 'Enabled' },
          ],
        })
        .expect(422);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).to.have.members([
        '/rules/0/transition_archive_days',
        '/rules/1/id',
        '/rules/1/abort_incomplete_multipart_upload_days',
        '/rules/2',
      ]);
      const low = await rest()
        .post('/api/storage/lifecycle-configurations')
        .send({ bucket_id: b.body.id, rules: [{ id: 'a', status: 'Enabled', transition_infrequent_days: 10 }] })
        .expect(422);
      expect(low.body.errors[0].pointer).to.equal('/rules/0/transition_infrequent_days');
      const f = await failure(
        alice.s3.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket: 'tier-refusals',
            LifecycleConfiguration: {
              Rules: [
                { ID: 'x', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 5, StorageClass: 'STANDARD_IA' }] },
              ],
            },
          }),
        ),
      );
      expect(f.name).to.equal('InvalidArgument');
      const twice = await rest()
        .post('/api/storage/lifecycle-configurations')
        .send({ bucket_id: bucket, rules: [{ id: 'x', status: 'Enabled', expiration_days: 3 }] })
        .expect(409);
      expect(twice.body.errors[0].pointer).to.equal('/bucket_id');
    });
  });

  describe('400 days', () => {
    const put = (Key: string, Body: string, Tagging?: string) =>
      alice.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, Tagging }));

    before(async () => {
      await put('logs/a.log', 'alpha log');
      await put('logs/b.log', 'bravo log');
      await put('data/keep.bin', 'kept forever');
      await put('tmp/x', 'scratch', 'kind=scratch');
      await put('tmp/y', 'not scratch', 'kind=other');
      await alice.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'big/upload' }));
    });

    it('day 8: expires the tagged scratch object only, and aborts the unfinished upload', async () => {
      await advanceClock(app, 8 * DAY);
      expect(Object.keys(await classes())).to.have.members(['data/keep.bin', 'logs/a.log', 'logs/b.log', 'tmp/y']);
      const uploads = await alice.s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      expect(uploads.Uploads ?? []).to.have.length(0);
    });

    it('day 31: logs are STANDARD_IA in listings and HEAD, INFREQUENT over REST, their bytes in infrequent/', async () => {
      await advanceClock(app, 23 * DAY);
      expect(await classes()).to.deep.equal({
        'data/keep.bin': 'STANDARD',
        'logs/a.log': 'STANDARD_IA',
        'logs/b.log': 'STANDARD_IA',
        'tmp/y': 'STANDARD',
      });
      const head = await alice.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a.log' }));
      expect(head.StorageClass).to.equal('STANDARD_IA');
      const file = (await fileOf('logs/a.log'))!;
      expect(file).to.match(/^infrequent\//);
      expect(existsSync(join(objectDir(), file))).to.equal(true);
      expect(existsSync(join(objectDir(), file.replace(/^infrequent/, 'data')))).to.equal(false);
      const list = await rest().get(`/api/storage/buckets/${bucket}/objects?prefix=logs/`).expect(200);
      expect(list.body.items.map((o: { storage_class: string }) => o.storage_class)).to.deep.equal([
        'INFREQUENT',
        'INFREQUENT',
      ]);
      const b = await rest().get(`/api/storage/buckets/${bucket}`).expect(200);
      expect(b.body.usage_by_class).to.deep.equal({ STANDARD: 23, INFREQUENT: 18, ARCHIVE: 0 });
      // INFREQUENT stays readable.
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/a.log' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('alpha log');
    });

    it('day 91: logs are GLACIER; reading one is InvalidObjectState over S3 and REST until restored', async () => {
      await advanceClock(app, 60 * DAY);
      expect((await classes())['logs/a.log']).to.equal('GLACIER');
      expect(await fileOf('logs/a.log')).to.match(/^archive\//);
      const f = await failure(alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/a.log' })));
      expect(f.name).to.equal('InvalidObjectState');
      expect(f.$metadata.httpStatusCode).to.equal(403);
      const r = await rest().get(`/api/storage/buckets/${bucket}?key=logs/a.log`).expect(403);
      expect(r.body.code).to.equal('InvalidObjectState');
      const b = await rest().get(`/api/storage/buckets/${bucket}`).expect(200);
      expect(b.body.usage_by_class).to.deep.equal({ STANDARD: 23, INFREQUENT: 0, ARCHIVE: 18 });
    });

    it('restores over S3: ongoing, then readable for its days, then archived again', async () => {
      const started = await alice.s3.send(
        new RestoreObjectCommand({ Bucket: bucket, Key: 'logs/a.log', RestoreRequest: { Days: 2 } }),
      );
      expect(started.$metadata.httpStatusCode).to.equal(202);
      const again = await failure(
        alice.s3.send(new RestoreObjectCommand({ Bucket: bucket, Key: 'logs/a.log', RestoreRequest: { Days: 2 } })),
      );
      expect(again.name).to.equal('RestoreAlreadyInProgress');
      let head = await alice.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a.log' }));
      expect(head.Restore).to.equal('ongoing-request="true"');
      expect((await failure(alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/a.log' })))).name).to.equal(
        'InvalidObjectState',
      );
      await advanceClock(app, 4 * 3600 + 60);
      head = await alice.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a.log' }));
      expect(head.Restore).to.match(/^ongoing-request="false", expiry-date=".+GMT"$/);
      expect(head.StorageClass).to.equal('GLACIER');
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/a.log' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('alpha log');
      const r = await rest().get(`/api/storage/buckets/${bucket}/objects?prefix=logs/a`).expect(200);
      expect(r.body.items[0].restore.ongoing).to.equal(false);
      await advanceClock(app, 2 * DAY);
      expect((await failure(alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'logs/a.log' })))).name).to.equal(
        'InvalidObjectState',
      );
      head = await alice.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'logs/a.log' }));
      expect(head.Restore).to.equal(undefined);
    });

    it('restores over REST too, and refuses a restore of an object that is not ARCHIVE', async () => {
      const r = await rest()
        .post(`/api/storage/buckets/${bucket}/restore?key=logs/b.log`)
        .send({ days: 1 })
        .expect(202);
      expect(r.body.restore).to.deep.equal({ ongoing: true, expires_at: null });
      const no = await rest().post(`/api/storage/buckets/${bucket}/restore?key=tmp/y`).send({ days: 1 }).expect(403);
      expect(no.body.code).to.equal('InvalidObjectState');
      await advanceClock(app, 5 * 3600);
      await rest().get(`/api/storage/buckets/${bucket}?key=logs/b.log`).expect(200);
    });

    it('day 366: the logs expire; what no rule names stays, in STANDARD', async () => {
      await advanceClock(app, 275 * DAY);
      expect(await classes()).to.deep.equal({ 'data/keep.bin': 'STANDARD', 'tmp/y': 'STANDARD' });
      const b = await rest().get(`/api/storage/buckets/${bucket}`).expect(200);
      expect(b.body.usage_by_class).to.deep.equal({ STANDARD: 23, INFREQUENT: 0, ARCHIVE: 0 });
      expect(b.body.used_bytes).to.equal(23);
    });

    it('day 400: DeleteBucketLifecycle over S3 removes the configuration REST serves', async () => {
      await advanceClock(app, 34 * DAY);
      await alice.s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
      await rest().get(`/api/storage/lifecycle-configurations/${bucket}`).expect(404);
    });
  });
});
