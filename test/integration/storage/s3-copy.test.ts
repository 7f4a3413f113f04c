// S3 CopyObject with the AWS SDK: buckets, encoded sources, metadata directives, self-copy, conditions, versions.
import { createHash, randomBytes } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type CopyObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, type S3User } from '../../support/s3.js';

describe('S3 door: CopyObject with the AWS SDK', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  let bob: S3User;
  let srcEtag: string;
  const copy = (input: Omit<CopyObjectCommandInput, 'Bucket'> & { Bucket?: string }) =>
    alice.s3.send(new CopyObjectCommand({ Bucket: 'cp-a', ...input }));
  const read = async (Bucket: string, Key: string) => {
    const got = await alice.s3.send(new GetObjectCommand({ Bucket, Key }));
    return { ...got, text: (await bodyBytes(got.Body)).toString() };
  };

  before(async () => {
    app = await startApp();
    alice = await s3As(app, await newUser(app, 'cp-alice'));
    bob = await s3As(app, await newUser(app, 'cp-bob'));
    for (const Bucket of ['cp-a', 'cp-b']) await alice.s3.send(new CreateBucketCommand({ Bucket }));
    const put = await alice.s3.send(
      new PutObjectCommand({
        Bucket: 'cp-a',
        Key: 'src.txt',
        Body: 'copy me',
        ContentType: 'text/plain',
        Metadata: { colour: 'blue' },
        CacheControl: 'max-age=60',
      }),
    );
    srcEtag = put.ETag!;
  });
  after(() => app.close());

  it('copies within a bucket and into another, bytes and metadata alike (MetadataDirective COPY)', async () => {
    const same = await copy({ Key: 'copy.txt', CopySource: 'cp-a/src.txt' });
    expect(same.CopyObjectResult!.ETag).to.equal(srcEtag);
    expect(same.CopyObjectResult!.LastModified).to.be.instanceOf(Date);
    const other = await copy({ Bucket: 'cp-b', Key: 'nested/dest.txt', CopySource: '/cp-a/src.txt' });
    expect(other.CopyObjectResult!.ETag).to.equal(srcEtag);
    for (const [Bucket, Key] of [
      ['cp-a', 'copy.txt'],
      ['cp-b', 'nested/dest.txt'],
    ] as const) {
      const got = await read(Bucket, Key);
      expect(got.text).to.equal('copy me');
      expect(got.ContentType).to.equal('text/plain');
      expect(got.Metadata).to.deep.equal({ colour: 'blue' });
      expect(got.CacheControl).to.equal('max-age=60');
    }
    // With COPY, metadata sent with the request is ignored, as S3 does.
    await copy({ Key: 'copy2.txt', CopySource: 'cp-a/src.txt', Metadata: { colour: 'green' } });
    expect((await read('cp-a', 'copy2.txt')).Metadata).to.deep.equal({ colour: 'blue' });
  });

  it('reads keys that need URL-encoding in x-amz-copy-source, encoded whole or segment by segment', async () => {
    const keys = ['dir/a b+c.txt', 'env:/dev/terraform.tfstate', '100%/é ü?&=#.bin', 'a//b'];
    for (const Key of keys) {
      await alice.s3.send(new PutObjectCommand({ Bucket: 'cp-a', Key, Body: `body of ${Key}` }));
      const whole = `cp-a/${encodeURIComponent(Key)}`;
      const segments = `cp-a/${Key.split('/').map(encodeURIComponent).join('/')}`;
      for (const CopySource of [whole, segments]) {
        await copy({ Bucket: 'cp-b', Key: `copied/${Key}`, CopySource });
        expect((await read('cp-b', `copied/${Key}`)).text, CopySource).to.equal(`body of ${Key}`);
      }
    }
  });

  it('replaces content type and metadata with MetadataDirective REPLACE, keeping the bytes', async () => {
    const r = await copy({
      Bucket: 'cp-b',
      Key: 'replaced.txt',
      CopySource: 'cp-a/src.txt',
      MetadataDirective: 'REPLACE',
      ContentType: 'application/json',
      Metadata: { colour: 'red', size: 'large' },
      ContentDisposition: 'attachment; filename="x.json"',
    });
    expect(r.CopyObjectResult!.ETag).to.equal(srcEtag);
    const got = await read('cp-b', 'replaced.txt');
    expect(got.text).to.equal('copy me');
    expect(got.ContentType).to.equal('application/json');
    expect(got.Metadata).to.deep.equal({ colour: 'red', size: 'large' });
    expect(got.ContentDisposition).to.equal('attachment; filename="x.json"');
    // REPLACE replaces every stored header: the source's Cache-Control is not carried over.
    expect(got.CacheControl).to.equal(undefined);
  });

  it('refuses to copy an object onto itself unchanged (400 InvalidRequest), and allows it with REPLACE', async () => {
    const self = await failure(copy({ Key: 'src.txt', CopySource: 'cp-a/src.txt' }));
    expect(self.name).to.equal('InvalidRequest');
    expect(self.$metadata.httpStatusCode).to.equal(400);
    expect((await read('cp-a', 'src.txt')).Metadata).to.deep.equal({ colour: 'blue' });
    await copy({
      Key: 'self.txt',
      CopySource: 'cp-a/src.txt',
    });
    await copy({
      Key: 'self.txt',
      CopySource: 'cp-a/self.txt',
      MetadataDirective: 'REPLACE',
      ContentType: 'text/markdown',
      Metadata: { colour: 'gold' },
    });
    const got = await read('cp-a', 'self.txt');
    expect(got.text).to.equal('copy me');
    expect(got.ContentType).to.equal('text/markdown');
    expect(got.Metadata).to.deep.equal({ colour: 'gold' });
  });

  it('checks the copy-source conditions: a failing CopySourceIfMatch or IfNoneMatch is 412, nothing written', async () => {
    const failed = await failure(copy({ Key: 'cond.txt', CopySource: 'cp-a/src.txt', CopySourceIfMatch: '"0000"' }));
    expect(failed.name).to.equal('PreconditionFailed');
    expect(failed.$metadata.httpStatusCode).to.equal(412);
    const none = await failure(copy({ Key: 'cond.txt', CopySource: 'cp-a/src.txt', CopySourceIfNoneMatch: srcEtag }));
    expect(none.$metadata.httpStatusCode).to.equal(412);
    expect(
      (await failure(alice.s3.send(new HeadObjectCommand({ Bucket: 'cp-a', Key: 'cond.txt' })))).$metadata
        .httpStatusCode,
    ).to.equal(404);
    await copy({ Key: 'cond.txt', CopySource: 'cp-a/src.txt', CopySourceIfMatch: srcEtag });
    expect((await read('cp-a', 'cond.txt')).text).to.equal('copy me');
  });

  it('copies a named version of a versioned source and says which', async () => {
    await alice.s3.send(
      new PutBucketVersioningCommand({ Bucket: 'cp-b', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = (await alice.s3.send(new PutObjectCommand({ Bucket: 'cp-b', Key: 'v', Body: 'first' }))).VersionId!;
    await alice.s3.send(new PutObjectCommand({ Bucket: 'cp-b', Key: 'v', Body: 'second' }));
    const r = await copy({ Key: 'from-v1.txt', CopySource: `cp-b/v?versionId=${v1}` });
    expect(r.CopySourceVersionId).to.equal(v1);
    expect((await read('cp-a', 'from-v1.txt')).text).to.equal('first');
    expect((await failure(copy({ Key: 'x', CopySource: 'cp-b/v?versionId=nope' }))).name).to.equal('NoSuchVersion');
  });

  it('copies a multipart, encrypted source into a plaintext bucket and back, byte for byte', async () => {
    const MiB = 1024 * 1024;
    const data = randomBytes(5 * MiB + 77);
    await new Upload({
      client: alice.s3,
      params: { Bucket: 'cp-a', Key: 'mp-src', Body: data },
      partSize: 5 * MiB,
    }).done();
    await app
      .as(alice.token)
      .post('/api/storage/buckets')
      .send({ name: 'cp-plain', encryption_enabled: false })
      .expect(201);
    const out = await copy({ Bucket: 'cp-plain', Key: 'mp-copy', CopySource: 'cp-a/mp-src' });
    // A copy is one new object: its ETag is the MD5 of its bytes, not the source's composite one.
    expect(out.CopyObjectResult!.ETag).to.equal(`"${createHash('md5').update(data).digest('hex')}"`);
    expect(out.ServerSideEncryption).to.equal(undefined);
    const back = await copy({ Key: 'mp-back', CopySource: 'cp-plain/mp-copy' });
    expect(back.ServerSideEncryption).to.equal('aws:kms');
    for (const [Bucket, Key] of [
      ['cp-plain', 'mp-copy'],
      ['cp-a', 'mp-back'],
    ] as const) {
      const got = await alice.s3.send(new GetObjectCommand({ Bucket, Key, Range: `bytes=${5 * MiB - 3}-` }));
      expect((await bodyBytes(got.Body)).equals(data.subarray(5 * MiB - 3)), Key).to.equal(true);
    }
  });

  it("names a missing source NoSuchKey, and another owner's bucket NoSuchBucket either way", async () => {
    expect((await failure(copy({ Key: 'x', CopySource: 'cp-a/absent' }))).name).to.equal('NoSuchKey');
    await bob.s3.send(new CreateBucketCommand({ Bucket: 'cp-bob' }));
    const fromBob = await failure(
      bob.s3.send(new CopyObjectCommand({ Bucket: 'cp-bob', Key: 'x', CopySource: 'cp-a/src.txt' })),
    );
    expect(fromBob.name).to.equal('NoSuchBucket');
    const intoAlice = await failure(
      bob.s3.send(new CopyObjectCommand({ Bucket: 'cp-a', Key: 'x', CopySource: 'cp-bob/anything' })),
    );
    expect(intoAlice.name).to.equal('NoSuchBucket');
  });
});
