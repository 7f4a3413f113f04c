// A bucket's row is read from the row cache on every S3 call: a change made through either door is what the very
// next call sees, in this process at once (not only once the change event comes back from PostgreSQL).
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  HeadBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { s3As, type S3User } from '../../support/s3.js';

describe('S3 door: bucket changes are seen by the next call', function () {
  this.timeout(60_000);
  let app: TestApp;
  let user: S3User;

  before(async () => {
    app = await startApp();
    user = await s3As(app, await newUser(app, 'cache-user'));
  });
  after(() => app.close());

  it('versioning switched through S3 governs the next PutObject, every time', async () => {
    await user.s3.send(new CreateBucketCommand({ Bucket: 'cache-versioning' }));
    for (let i = 0; i < 20; i++) {
      const Status = i % 2 ? 'Suspended' : 'Enabled';
      await user.s3.send(
        new PutBucketVersioningCommand({ Bucket: 'cache-versioning', VersioningConfiguration: { Status } }),
      );
      const put = await user.s3.send(new PutObjectCommand({ Bucket: 'cache-versioning', Key: 'k', Body: `${i}` }));
      expect(put.VersionId === 'null', `round ${i}: ${Status}`).to.equal(Status === 'Suspended');
    }
  });

  it('versioning switched through S3 is what REST reads next', async () => {
    await user.s3.send(new CreateBucketCommand({ Bucket: 'cache-s3-then-rest' }));
    for (let i = 0; i < 10; i++) {
      const Status = i % 2 ? 'Suspended' : 'Enabled';
      await user.s3.send(
        new PutBucketVersioningCommand({ Bucket: 'cache-s3-then-rest', VersioningConfiguration: { Status } }),
      );
      const b = (await app.as(user.token).get('/api/storage/buckets/cache-s3-then-rest').expect(200)).body;
      expect(b.versioning_status, `round ${i}`).to.equal(Status);
    }
  });

  it('versioning switched through REST governs the next PutObject', async () => {
    await user.s3.send(new CreateBucketCommand({ Bucket: 'cache-rest' }));
    const b = (await app.as(user.token).get('/api/storage/buckets/cache-rest').expect(200)).body;
    await user.s3.send(new PutObjectCommand({ Bucket: 'cache-rest', Key: 'k', Body: 'unversioned' }));
    await app.as(user.token).patch(`/api/storage/buckets/${b.id}`).send({ versioning_enabled: true }).expect(200);
    const put = await user.s3.send(new PutObjectCommand({ Bucket: 'cache-rest', Key: 'k', Body: 'versioned' }));
    expect(put.VersionId).to.be.a('string').and.not.equal('null');
  });

  it('a deleted bucket, and its name taken again by another owner, are never served from the cache', async () => {
    const other = await s3As(app, await newUser(app, 'cache-other'));
    await user.s3.send(new CreateBucketCommand({ Bucket: 'cache-reused' }));
    await user.s3.send(new HeadBucketCommand({ Bucket: 'cache-reused' }));
    await user.s3.send(new DeleteBucketCommand({ Bucket: 'cache-reused' }));
    await other.s3.send(new CreateBucketCommand({ Bucket: 'cache-reused' }));
    const head = await user.s3.send(new HeadBucketCommand({ Bucket: 'cache-reused' })).catch((e) => e);
    expect(head.$metadata.httpStatusCode).to.equal(404);
    await other.s3.send(new HeadBucketCommand({ Bucket: 'cache-reused' }));
  });
});
