// The S3 door with the AWS SDK at its defaults (CRC32 checksums, aws-chunked streaming bodies): buckets, objects,
// ranges, conditionals, listings and batch deletes, and REST and S3 as two doors to the same objects.
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { s3As, type S3User } from '../../support/s3.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const text = async (body: unknown) =>
  Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as { name: string; $metadata: { httpStatusCode?: number }; Code?: string };
  }
  throw new Error('expected the call to fail');
};

describe('S3 door: buckets and objects with the AWS SDK', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  let bob: S3User;

  before(async () => {
    app = await startApp();
    alice = await s3As(app, await newUser(app, 's3-alice'));
    bob = await s3As(app, await newUser(app, 's3-bob'));
  });
  after(() => app.close());

  describe('buckets', () => {
    it('creates, heads, lists and locates a bucket; names are global across owners', async () => {
      await alice.s3.send(new CreateBucketCommand({ Bucket: 'alice-first' }));
      await alice.s3.send(new HeadBucketCommand({ Bucket: 'alice-first' }));
      const list = await alice.s3.send(new ListBucketsCommand({}));
      expect(list.Buckets!.map((b) => b.Name)).to.include('alice-first');
      const where = await alice.s3.send(new GetBucketLocationCommand({ Bucket: 'alice-first' }));
      expect(where.LocationConstraint ?? '').to.equal('');
      expect((await failure(alice.s3.send(new CreateBucketCommand({ Bucket: 'alice-first' })))).name).to.equal(
        'BucketAlreadyOwnedByYou',
      );
      expect((await failure(bob.s3.send(new CreateBucketCommand({ Bucket: 'alice-first' })))).name).to.equal(
        'BucketAlreadyExists',
      );
      // Another owner's bucket does not exist for bob.
      expect(
        (await failure(bob.s3.send(new HeadBucketCommand({ Bucket: 'alice-first' })))).$metadata.httpStatusCode,
      ).to.equal(404);
      expect((await bob.s3.send(new ListBucketsCommand({}))).Buckets ?? []).to.deep.equal([]);
    });

    it('refuses names S3 refuses', async () => {
      for (const name of ['ab', '192.168.1.1', 'bad..name', 'xn--punycode'])
        expect((await failure(alice.s3.send(new CreateBucketCommand({ Bucket: name })))).name, name).to.be.oneOf([
          'InvalidBucketName',
          'InvalidArgument',
        ]);
    });
  });

  describe('objects', () => {
    before(() => alice.s3.send(new CreateBucketCommand({ Bucket: 'alice-objects' })));

    it('stores a buffer body (CRC32 header) and returns identical bytes, type, metadata and a verified checksum', async () => {
      const put = await alice.s3.send(
        new PutObjectCommand({
          Bucket: 'alice-objects',
          Key: 'dir/hello.txt',
          Body: bytes('hello world'),
          ContentType: 'text/plain',
          Metadata: { colour: 'blue' },
          CacheControl: 'max-age=60',
        }),
      );
      expect(put.ETag).to.equal('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
      expect(put.ChecksumCRC32).to.equal('DUoRhQ==');
      const got = await alice.s3.send(
        new GetObjectCommand({ Bucket: 'alice-objects', Key: 'dir/hello.txt', ChecksumMode: 'ENABLED' }),
      );
      expect((await text(got.Body)).toString()).to.equal('hello world');
      expect(got.ContentType).to.equal('text/plain');
      expect(got.Metadata).to.deep.equal({ colour: 'blue' });
      expect(got.CacheControl).to.equal('max-age=60');
      expect(got.ChecksumCRC32).to.equal('DUoRhQ==');
      expect(got.ServerSideEncryption).to.equal('aws:kms');
      const head = await alice.s3.send(new HeadObjectCommand({ Bucket: 'alice-objects', Key: 'dir/hello.txt' }));
      expect(head.ContentLength).to.equal(11);
      expect(head.ETag).to.equal(put.ETag);
    });

    it('stores a stream body (aws-chunked with a CRC32 trailer) byte for byte', async () => {
      const body = Buffer.alloc(300_000, 7);
      body.write('start');
      await alice.s3.send(
        new PutObjectCommand({
          Bucket: 'alice-objects',
          Key: 'streamed.bin',
          Body: Readable.from([body]),
          ContentLength: body.length,
        }),
      );
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key: 'streamed.bin' }));
      expect((await text(got.Body)).equals(body)).to.equal(true);
    });

    it('answers ranges with 206 and Content-Range, and an unsatisfiable one with InvalidRange', async () => {
      await alice.s3.send(
        new PutObjectCommand({ Bucket: 'alice-objects', Key: 'digits', Body: bytes('0123456789abcdef') }),
      );
      const cases: [string, string, string][] = [
        ['bytes=0-9', '0123456789', 'bytes 0-9/16'],
        ['bytes=10-', 'abcdef', 'bytes 10-15/16'],
        ['bytes=-5', 'bcdef', 'bytes 11-15/16'],
      ];
      for (const [Range, want, contentRange] of cases) {
        const got = await alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key: 'digits', Range }));
        expect((await text(got.Body)).toString(), Range).to.equal(want);
        expect(got.ContentRange).to.equal(contentRange);
      }
      const bad = await failure(
        alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key: 'digits', Range: 'bytes=99-' })),
      );
      expect(bad.name).to.equal('InvalidRange');
    });

    it('answers conditional reads: 304 for a matching If-None-Match, 412 for a failing If-Match', async () => {
      const head = await alice.s3.send(new HeadObjectCommand({ Bucket: 'alice-objects', Key: 'digits' }));
      const notModified = await failure(
        alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key: 'digits', IfNoneMatch: head.ETag })),
      );
      expect(notModified.$metadata.httpStatusCode).to.equal(304);
      const failed = await failure(
        alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key: 'digits', IfMatch: '"nope"' })),
      );
      expect(failed.$metadata.httpStatusCode).to.equal(412);
    });

    it('names what is missing: NoSuchKey, NotFound on HEAD, NoSuchBucket; deleting a missing key succeeds', async () => {
      expect(
        (await failure(alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key: 'absent' })))).name,
      ).to.equal('NoSuchKey');
      expect(
        (await failure(alice.s3.send(new HeadObjectCommand({ Bucket: 'alice-objects', Key: 'absent' })))).name,
      ).to.equal('NotFound');
      expect(
        (await failure(alice.s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket-x', Key: 'k' })))).name,
      ).to.equal('NoSuchBucket');
      await alice.s3.send(new DeleteObjectCommand({ Bucket: 'alice-objects', Key: 'absent' }));
    });

    it('keeps keys with spaces, colons, plus, percent, double slashes and accents exact', async () => {
      const keys = ['a b', 'env:/dev/terraform.tfstate', 'x+y', '100%', 'a//b', 'é/ü.txt'];
      for (const Key of keys)
        await alice.s3.send(new PutObjectCommand({ Bucket: 'alice-objects', Key, Body: bytes(Key) }));
      for (const Key of keys) {
        const got = await alice.s3.send(new GetObjectCommand({ Bucket: 'alice-objects', Key }));
        expect((await text(got.Body)).toString()).to.equal(Key);
      }
    });
  });

  describe('listing', () => {
    const bucket = 'alice-listing';
    const keys: string[] = [];
    before(async () => {
      await alice.s3.send(new CreateBucketCommand({ Bucket: bucket }));
      for (let d = 0; d < 5; d++) for (let f = 0; f < 30; f++) keys.push(`dir${d}/file${String(f).padStart(3, '0')}`);
      keys.push('top-a', 'top-b', 'é', 'z+plus', 'space key');
      for (let i = 0; i < keys.length; i += 20)
        await Promise.all(
          keys
            .slice(i, i + 20)
            .map((Key) => alice.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: bytes('x') }))),
        );
      keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    });

    it('pages every key exactly once in UTF-8 byte order, whatever the page size', async () => {
      for (const MaxKeys of [1, 7, 1000]) {
        const seen: string[] = [];
        for await (const page of paginateListObjectsV2({ client: alice.s3 }, { Bucket: bucket, MaxKeys }))
          for (const c of page.Contents ?? []) seen.push(c.Key!);
        expect(seen, `MaxKeys ${MaxKeys}`).to.deep.equal(keys);
      }
    });

    it('rolls keys up into common prefixes that never reappear on a later page', async () => {
      const prefixes: string[] = [];
      const top: string[] = [];
      for await (const page of paginateListObjectsV2(
        { client: alice.s3 },
        { Bucket: bucket, Delimiter: '/', MaxKeys: 2 },
      )) {
        expect((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).to.equal(page.KeyCount);
        for (const p of page.CommonPrefixes ?? []) prefixes.push(p.Prefix!);
        for (const c of page.Contents ?? []) top.push(c.Key!);
      }
      expect(prefixes).to.deep.equal(['dir0/', 'dir1/', 'dir2/', 'dir3/', 'dir4/']);
      expect(top).to.deep.equal(keys.filter((k) => !k.includes('/')));
    });

    it('answers MaxKeys 0 untruncated, and lists v1 with markers', async () => {
      const none = await alice.s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 0 }));
      expect(none.IsTruncated).to.equal(false);
      const v1 = await alice.s3.send(
        new ListObjectsCommand({ Bucket: bucket, Prefix: 'dir1/', Marker: 'dir1/file010', MaxKeys: 5 }),
      );
      expect(v1.Contents!.map((c) => c.Key)).to.deep.equal([
        'dir1/file011',
        'dir1/file012',
        'dir1/file013',
        'dir1/file014',
        'dir1/file015',
      ]);
      expect(v1.IsTruncated).to.equal(true);
    });

    it('deletes 1,000 keys in one DeleteObjects (CRC32, no Content-MD5)', async () => {
      await alice.s3.send(new CreateBucketCommand({ Bucket: 'alice-bulk' }));
      const many = Array.from({ length: 1000 }, (_, i) => `k${i}`);
      for (let i = 0; i < many.length; i += 50)
        await Promise.all(
          many
            .slice(i, i + 50)
            .map((Key) => alice.s3.send(new PutObjectCommand({ Bucket: 'alice-bulk', Key, Body: 'v' }))),
        );
      const out = await alice.s3.send(
        new DeleteObjectsCommand({ Bucket: 'alice-bulk', Delete: { Objects: many.map((Key) => ({ Key })) } }),
      );
      expect(out.Deleted).to.have.length(1000);
      expect(out.Errors ?? []).to.deep.equal([]);
      await alice.s3.send(new DeleteBucketCommand({ Bucket: 'alice-bulk' }));
    });
  });

  describe('two doors, one object', () => {
    it('reads through S3 what REST wrote, and through REST what S3 wrote, with the same ETag', async () => {
      const b = await app.as(alice.token).post('/api/storage/buckets').send({ name: 'alice-doors' }).expect(201);
      const put = await app
        .as(alice.token)
        .put(`/api/storage/buckets/${b.body.id}?key=${encodeURIComponent('from rest.txt')}`)
        .set('Content-Type', 'text/markdown')
        .send('# written over REST')
        .expect(200);
      const got = await alice.s3.send(new GetObjectCommand({ Bucket: 'alice-doors', Key: 'from rest.txt' }));
      expect((await text(got.Body)).toString()).to.equal('# written over REST');
      expect(got.ETag).to.equal(put.body.etag);
      expect(got.VersionId).to.equal(put.body.version_id);
      const s3put = await alice.s3.send(
        new PutObjectCommand({ Bucket: 'alice-doors', Key: 'from-s3', Body: bytes('over S3') }),
      );
      const rest = await app
        .as(alice.token)
        .get(`/api/storage/buckets/alice-doors?key=from-s3`)
        .buffer(true)
        .expect(200);
      expect(rest.body.toString()).to.equal('over S3');
      expect(rest.headers.etag).to.equal(s3put.ETag);
    });
  });
});
