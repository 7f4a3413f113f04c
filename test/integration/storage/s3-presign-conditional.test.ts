// Presigned URLs fetched with plain fetch (expiry, tampering, revocation) and S3's conditional writes under races.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  UploadPartCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { expect } from 'chai';
import { advanceClock, newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, type S3User } from '../../support/s3.js';

/** S3's error code in an XML error body. */
const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];

describe('S3 door: presigned URLs and conditional writes', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  const Bucket = 'pre-main';
  const put = (input: Omit<PutObjectCommandInput, 'Bucket'>) =>
    alice.s3.send(new PutObjectCommand({ Bucket, ...input }));
  const read = async (Key: string) =>
    (await bodyBytes((await alice.s3.send(new GetObjectCommand({ Bucket, Key }))).Body)).toString();

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    alice = await s3As(app, await newUser(app, 'pre-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => app.close());

  describe('presigned URLs', () => {
    it('PUTs real bytes with a presigned PUT (default checksums: a CRC32 of nothing in the query) and GETs them back', async () => {
      const body = Buffer.from('uploaded through a presigned URL');
      const putUrl = await getSignedUrl(
        alice.s3,
        new PutObjectCommand({ Bucket, Key: 'pre/put.txt', ContentType: 'text/plain' }),
        { expiresIn: 300 },
      );
      // The SDK bakes the CRC32 of an empty body into the URL; the bytes sent later are what count.
      expect(new URL(putUrl).searchParams.get('x-amz-checksum-crc32')).to.equal('AAAAAA==');
      const stored = await fetch(putUrl, { method: 'PUT', body, headers: { 'Content-Type': 'text/plain' } });
      expect(stored.status, await stored.clone().text()).to.equal(200);
      expect(stored.headers.get('etag')).to.be.a('string');
      const getUrl = await getSignedUrl(alice.s3, new GetObjectCommand({ Bucket, Key: 'pre/put.txt' }), {
        expiresIn: 300,
      });
      const got = await fetch(getUrl);
      expect(got.status).to.equal(200);
      expect(got.headers.get('content-type')).to.equal('text/plain');
      expect(Buffer.from(await got.arrayBuffer()).equals(body)).to.equal(true);
      expect(await read('pre/put.txt')).to.equal(body.toString());
    });

    it('signs keys that need encoding (spaces, plus, colon, percent, unicode) for GET and PUT alike', async () => {
      for (const Key of ['a b+c.txt', 'env:/dev/state', '100%/x', 'é/ü ö.bin', 'a//b']) {
        const url = await getSignedUrl(alice.s3, new PutObjectCommand({ Bucket, Key }), { expiresIn: 60 });
        expect((await fetch(url, { method: 'PUT', body: `body of ${Key}` })).status, Key).to.equal(200);
        const got = await fetch(await getSignedUrl(alice.s3, new GetObjectCommand({ Bucket, Key }), { expiresIn: 60 }));
        expect(await got.text(), Key).to.equal(`body of ${Key}`);
      }
    });

    it('stops honouring URLs signed by a key once it is deactivated', async () => {
      const other = await s3As(app, alice);
      await put({ Key: 'pre/by-other', Body: 'x' });
      const url = await getSignedUrl(other.s3, new GetObjectCommand({ Bucket, Key: 'pre/by-other' }), {
        expiresIn: 300,
      });
      expect((await fetch(url)).status).to.equal(200);
      await app
        .as(alice.token)
        .patch(`/api/security/access-keys/${other.accessKeyId}`)
        .send({ status: 'Inactive' })
        .expect(200);
      const r = await fetch(url);
      expect([r.status, codeOf(await r.text())]).to.deep.equal([403, 'InvalidAccessKeyId']);
    });

    it('refuses a URL past its expiry (platform time) with 403 AccessDenied, and a tampered one with 403', async () => {
      await put({ Key: 'pre/get.txt', Body: 'secret' });
      const url = await getSignedUrl(alice.s3, new GetObjectCommand({ Bucket, Key: 'pre/get.txt' }), {
        expiresIn: 120,
      });
      expect((await fetch(url)).status).to.equal(200);
      // Another key, or another signature, under the same query: neither is what was signed.
      const otherKey = url.replace('/pre/get.txt?', '/pre/put.txt?');
      const sig = new URL(url).searchParams.get('X-Amz-Signature')!;
      const flipped = url.replace(sig, `${sig[0] === '0' ? '1' : '0'}${sig.slice(1)}`);
      for (const tampered of [otherKey, flipped]) {
        const r = await fetch(tampered);
        expect(r.status).to.equal(403);
        expect(codeOf(await r.text())).to.equal('SignatureDoesNotMatch');
      }
      // To one second past the expiry the URL states (its X-Amz-Date is the signer's clock, not the platform's).
      const signed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
        new URL(url).searchParams.get('X-Amz-Date')!,
      )!;
      const signedAt = Date.UTC(+signed[1]!, +signed[2]! - 1, +signed[3]!, +signed[4]!, +signed[5]!, +signed[6]!);
      await advanceClock(app, Math.max(1, Math.ceil((signedAt + 121_000 - app.platform.clock.now()) / 1000)));
      const expired = await fetch(url);
      expect(expired.status).to.equal(403);
      const xml = await expired.text();
      expect(codeOf(xml)).to.equal('AccessDenied');
      expect(xml).to.include('Request has expired');
    });
  });

  describe('conditional writes', () => {
    it('lets exactly one of 20 concurrent If-None-Match: * PUTs on one key win; the others are refused', async () => {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => put({ Key: 'lock.tflock', Body: `writer ${i}`, IfNoneMatch: '*' })),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(won).to.have.length(1);
      for (const o of outcomes)
        if (o.status === 'rejected') {
          const err = o.reason as { name: string; $metadata: { httpStatusCode: number } };
          expect(`${err.$metadata.httpStatusCode} ${err.name}`).to.be.oneOf([
            '412 PreconditionFailed',
            '409 ConditionalRequestConflict',
          ]);
        }
      expect(await read('lock.tflock')).to.equal(`writer ${won[0]}`);
      // The lock is held until it is deleted; then the next writer takes it.
      expect((await failure(put({ Key: 'lock.tflock', Body: 'late', IfNoneMatch: '*' }))).name).to.equal(
        'PreconditionFailed',
      );
    });

    it('swaps with If-Match on the current ETag, refuses a stale one with 412, and a missing key with 404', async () => {
      const first = await put({ Key: 'cas', Body: 'v1' });
      const second = await put({ Key: 'cas', Body: 'v2', IfMatch: first.ETag });
      expect(await read('cas')).to.equal('v2');
      const stale = await failure(put({ Key: 'cas', Body: 'v3', IfMatch: first.ETag }));
      expect(stale.name).to.equal('PreconditionFailed');
      expect(stale.$metadata.httpStatusCode).to.equal(412);
      expect(await read('cas')).to.equal('v2');
      await put({ Key: 'cas', Body: 'v3', IfMatch: second.ETag });
      expect(await read('cas')).to.equal('v3');
      const missing = await failure(put({ Key: 'never-written', Body: 'x', IfMatch: first.ETag }));
      expect(missing.name).to.equal('NoSuchKey');
      expect(missing.$metadata.httpStatusCode).to.equal(404);
      const head = await failure(alice.s3.send(new HeadObjectCommand({ Bucket, Key: 'never-written' })));
      expect(head.$metadata.httpStatusCode).to.equal(404);
    });

    it('lets exactly one of 10 concurrent If-Match swaps from the same ETag win', async () => {
      const base = await put({ Key: 'cas-race', Body: 'base' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => put({ Key: 'cas-race', Body: `swap ${i}`, IfMatch: base.ETag })),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(won).to.have.length(1);
      expect(await read('cas-race')).to.equal(`swap ${won[0]}`);
    });

    it('applies If-None-Match: * to CompleteMultipartUpload, and takes a delete marker for no object', async () => {
      await alice.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      const mpu = async (Key: string) => {
        const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
        const { ETag } = await alice.s3.send(
          new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'only part' }),
        );
        return () =>
          alice.s3.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId,
              IfNoneMatch: '*',
              MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
            }),
          );
      };
      await put({ Key: 'taken', Body: 'here first' });
      const refused = await failure((await mpu('taken'))());
      expect(refused.$metadata.httpStatusCode).to.equal(412);
      expect(await read('taken')).to.equal('here first');
      await alice.s3.send(new DeleteObjectCommand({ Bucket, Key: 'taken' }));
      await (
        await mpu('taken')
      )();
      expect(await read('taken')).to.equal('only part');
      // A delete marker reads as absent for PutObject too.
      await alice.s3.send(new DeleteObjectCommand({ Bucket, Key: 'taken' }));
      await put({ Key: 'taken', Body: 'again', IfNoneMatch: '*' });
      expect(await read('taken')).to.equal('again');
    });

    it('answers If-None-Match with an ETag on a write 501 NotImplemented, as S3 does', async () => {
      const r = await failure(put({ Key: 'cas', Body: 'x', IfNoneMatch: '"abc"' }));
      expect(r.name).to.equal('NotImplemented');
      expect(r.$metadata.httpStatusCode).to.equal(501);
    });
  });
});
