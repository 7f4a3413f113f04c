// Who may call the S3 door: SigV4 refusals, clock skew and its correction, IAM denials audited, others' buckets.
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { advanceClock, newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, recordExchanges, s3As, s3Client, type S3User } from '../../support/s3.js';

const MINUTE = 60_000;

describe('S3 door: authentication and IAM', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  let bob: S3User;
  const Bucket = 'auth-main';
  const list = (s3: S3User['s3'], B = Bucket) => s3.send(new ListObjectsV2Command({ Bucket: B }));

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    alice = await s3As(app, await newUser(app, 'auth-alice'));
    bob = await s3As(app, await newUser(app, 'auth-bob'));
    await alice.s3.send(new CreateBucketCommand({ Bucket }));
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'readme', Body: 'hello' }));
  });
  after(() => app.close());

  describe('signatures', () => {
    it('refuses a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId (403)', async () => {
      const wrong = s3Client(app, { accessKeyId: alice.accessKeyId, secretAccessKey: `${alice.secretAccessKey}x` });
      const bad = await failure(list(wrong));
      expect([bad.name, bad.$metadata.httpStatusCode]).to.deep.equal(['SignatureDoesNotMatch', 403]);
      const unknown = s3Client(app, { accessKeyId: 'AKAXAAAAAAAAAAAAAAAA', secretAccessKey: alice.secretAccessKey });
      const none = await failure(list(unknown));
      expect([none.name, none.$metadata.httpStatusCode]).to.deep.equal(['InvalidAccessKeyId', 403]);
    });

    it('refuses a request dated 16 minutes off with RequestTimeTooSkewed and the time to correct by', async () => {
      const credentials = { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey };
      const skewedClient = s3Client(app, credentials, { systemClockOffset: -16 * MINUTE, maxAttempts: 1 });
      const skewed = await failure(list(skewedClient));
      expect([skewed.name, skewed.$metadata.httpStatusCode]).to.deep.equal(['RequestTimeTooSkewed', 403]);
      expect(Date.parse(String(skewed.ServerTime))).to.be.closeTo(app.platform.clock.now(), MINUTE);
      expect(skewed.MaxAllowedSkewMilliseconds).to.equal('900000');
      // The refusal's Date let the SDK take the server's time: the same client is in step now.
      await list(skewedClient);
      // A client at the default settings, whose clock agrees with the server's, is never refused.
      const plain = await list(alice.s3);
      expect(plain.$metadata.attempts).to.equal(1);
    });

    it('refuses a deactivated key at once, and takes it back once reactivated', async () => {
      const key = `/api/security/access-keys/${alice.accessKeyId}`;
      await list(alice.s3);
      await app.as(alice.token).patch(key).send({ status: 'Inactive' }).expect(200);
      expect((await failure(list(alice.s3))).name).to.equal('InvalidAccessKeyId');
      await app.as(alice.token).patch(key).send({ status: 'Active' }).expect(200);
      await list(alice.s3);
    });
  });

  describe('IAM through S3', () => {
    let carol: S3User;
    before(async () => {
      carol = await s3As(app, await newUser(app, 'auth-carol'));
      await carol.s3.send(new CreateBucketCommand({ Bucket: 'auth-carol' }));
      await carol.s3.send(new PutObjectCommand({ Bucket: 'auth-carol', Key: 'kept', Body: 'still readable' }));
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-s3-writes',
          document: {
            Version: '2012-10-17',
            Statement: [{ Sid: 'NoPuts', Effect: 'Deny', Action: 'storage:PutObject', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${carol.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
    });

    it('refuses PutObject with AccessDenied under a Deny, still serves GetObject, and audits the refusal', async () => {
      const denied = await failure(
        carol.s3.send(new PutObjectCommand({ Bucket: 'auth-carol', Key: 'new', Body: 'nope' })),
      );
      expect([denied.name, denied.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      const got = await carol.s3.send(new GetObjectCommand({ Bucket: 'auth-carol', Key: 'kept' }));
      expect((await bodyBytes(got.Body)).toString()).to.equal('still readable');
      expect((await failure(carol.s3.send(new GetObjectCommand({ Bucket: 'auth-carol', Key: 'new' })))).name).to.equal(
        'NoSuchKey',
      );
      const logs = await app
        .as(carol.token)
        .get(`/api/security/audit-logs?user_id=${carol.id}&action=storage:PutObject&status=failure`)
        .expect(200);
      expect(logs.body.items).to.have.length(1);
      expect(logs.body.items[0]).to.include({ user_id: carol.id, action: 'storage:PutObject', status: 'failure' });
      expect(logs.body.items[0].details).to.include({ code: 'AccessDenied', door: 's3' });
      expect(logs.body.items[0].request_id).to.equal(denied.$metadata.requestId);
    });

    it('applies the same Deny to every way of writing an object: copies and multipart uploads', async () => {
      for (const call of [
        () =>
          carol.s3.send(new CopyObjectCommand({ Bucket: 'auth-carol', Key: 'copy', CopySource: 'auth-carol/kept' })),
        () => carol.s3.send(new CreateMultipartUploadCommand({ Bucket: 'auth-carol', Key: 'mp' })),
      ]) {
        const r = await failure(call());
        expect([r.name, r.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      }
      // Deleting is another action, which the policy leaves alone.
      await carol.s3.send(new DeleteObjectCommand({ Bucket: 'auth-carol', Key: 'kept' }));
    });

    it("answers NoSuchBucket for another owner's bucket, whatever the call and whatever the caller's policies", async () => {
      const calls = (s3: S3User['s3']) => [
        () => list(s3, Bucket),
        () => s3.send(new GetObjectCommand({ Bucket, Key: 'readme' })),
        () => s3.send(new PutObjectCommand({ Bucket, Key: 'intruder', Body: 'x' })),
        () => s3.send(new DeleteBucketCommand({ Bucket })),
      ];
      for (const s3 of [bob.s3, carol.s3])
        for (const call of calls(s3)) {
          const r = await failure(call());
          expect([r.name, r.$metadata.httpStatusCode]).to.deep.equal(['NoSuchBucket', 404]);
        }
      // HEAD has no body: a bare 404.
      const head = await failure(bob.s3.send(new HeadBucketCommand({ Bucket })));
      expect(head.$metadata.httpStatusCode).to.equal(404);
      expect((await list(alice.s3)).Contents!.map((c) => c.Key)).to.deep.equal(['readme']);
    });
  });

  describe('platform time', () => {
    it("signs by the platform's clock: a fresh client corrects to it once and then stays in step", async () => {
      // The server's clock runs 16 minutes ahead of this process's: every client here is skewed at first.
      await advanceClock(app, 16 * 60);
      const client = s3Client(app, { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey });
      const seen = recordExchanges(client);
      const first = await list(client);
      expect(first.$metadata.attempts).to.equal(2);
      expect(seen[0]!.statusCode).to.equal(403);
      // Every answer's Date is platform time, so the SDK's correction holds for the next call.
      for (const e of seen) expect(Date.parse(e.headers.date!)).to.be.closeTo(app.platform.clock.now(), MINUTE);
      expect((await list(client)).$metadata.attempts).to.equal(1);
      expect((await list(client)).$metadata.attempts).to.equal(1);
    });
  });
});
