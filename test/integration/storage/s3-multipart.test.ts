// S3 multipart with the AWS SDK: lib-storage uploads, parts, listings, aborts, refusals, UploadPartCopy, usage.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, usageOf, type S3User } from '../../support/s3.js';

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash('md5').update(b).digest();
/** S3's ETag of a multipart object: the MD5 of the parts' MD5s, and the part count. */
const multipartEtag = (parts: Buffer[]) =>
  `"${createHash('md5')
    .update(Buffer.concat(parts.map(md5)))
    .digest('hex')}-${parts.length}"`;

describe('S3 door: multipart uploads with the AWS SDK', function () {
  this.timeout(120_000);
  let app: TestApp;
  let alice: S3User;
  const Bucket = 'mp-main';
  const usage = () => usageOf(app, alice, Bucket);
  const create = async (Key: string) =>
    (await alice.s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId!;
  const part = async (Key: string, UploadId: string, PartNumber: number, Body: Buffer): Promise<CompletedPart> => {
    const r = await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }));
    return { PartNumber, ETag: r.ETag };
  };
  const complete = (Key: string, UploadId: string, Parts: CompletedPart[]) =>
    alice.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
  const read = async (Key: string, Range?: string) =>
    bodyBytes((await alice.s3.send(new GetObjectCommand({ Bucket, Key, Range }))).Body);

  before(async () => {
    app = await startApp();
    alice = await s3As(app, await newUser(app, 'mp-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => app.close());

  it('takes a 50 MiB stream from lib-storage (5 MiB parts, 4 at once): composite ETag, exact bytes and ranges', async () => {
    const data = randomBytes(50 * MiB);
    const chunks = Array.from({ length: 50 }, (_, i) => data.subarray(i * MiB, (i + 1) * MiB));
    const upload = new Upload({
      client: alice.s3,
      params: { Bucket, Key: 'big.bin', Body: Readable.from(chunks) },
      partSize: 5 * MiB,
      queueSize: 4,
    });
    const done = await upload.done();
    const parts = Array.from({ length: 10 }, (_, i) => data.subarray(i * 5 * MiB, (i + 1) * 5 * MiB));
    expect(done.ETag).to.equal(multipartEtag(parts));
    // lib-storage asks for CRC32 at creation: the object's checksum is the composite over the parts.
    expect(done.ChecksumCRC32).to.match(/^[A-Za-z0-9+/]{6}==-10$/);
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key: 'big.bin', ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumCRC32).to.equal(done.ChecksumCRC32);
    expect(head.ContentLength).to.equal(data.length);
    expect(head.ETag).to.equal(done.ETag);
    expect((await read('big.bin')).equals(data)).to.equal(true);
    // Across the boundary of parts 1 and 2, and across 9 and 10 to the end.
    const first = 5 * MiB - 100;
    expect((await read('big.bin', `bytes=${first}-${first + 199}`)).equals(data.subarray(first, first + 200))).to.equal(
      true,
    );
    expect((await read('big.bin', `bytes=-${5 * MiB + 3}`)).equals(data.subarray(data.length - 5 * MiB - 3))).to.equal(
      true,
    );
    expect(await usage()).to.deep.equal({ used_bytes: data.length, object_count: 1 });
    const open = await alice.s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(open.Uploads ?? []).to.deep.equal([]);
  });

  it('reads one part of a multipart object by PartNumber (GET and HEAD), as part-wise downloaders do', async () => {
    const Key = 'by-part.bin';
    const sizes = [5 * MiB + 1, 5 * MiB, 3];
    const data = sizes.map((n) => randomBytes(n));
    const UploadId = await create(Key);
    const parts = [];
    for (const [i, d] of data.entries()) parts.push(await part(Key, UploadId, i + 1, d));
    await complete(Key, UploadId, parts);
    let start = 0;
    for (const [i, d] of data.entries()) {
      const got = await alice.s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: i + 1 }));
      expect(got.$metadata.httpStatusCode).to.equal(206);
      expect(got.PartsCount).to.equal(3);
      expect(got.ContentRange).to.equal(`bytes ${start}-${start + d.length - 1}/${5 * MiB * 2 + 4}`);
      expect((await bodyBytes(got.Body)).equals(d), `part ${i + 1}`).to.equal(true);
      start += d.length;
    }
    const head = await alice.s3.send(new HeadObjectCommand({ Bucket, Key, PartNumber: 2 }));
    expect([head.ContentLength, head.PartsCount]).to.deep.equal([5 * MiB, 3]);
    const past = await failure(alice.s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 4 })));
    expect(past.$metadata.httpStatusCode).to.equal(416);
    const both = await failure(alice.s3.send(new GetObjectCommand({ Bucket, Key, PartNumber: 1, Range: 'bytes=0-1' })));
    expect(both.$metadata.httpStatusCode).to.equal(400);
    // An object of one PUT is one part.
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'one-part.txt', Body: 'single' }));
    const single = await alice.s3.send(new GetObjectCommand({ Bucket, Key: 'one-part.txt', PartNumber: 1 }));
    expect((await bodyBytes(single.Body)).toString()).to.equal('single');
    expect(
      (await failure(alice.s3.send(new GetObjectCommand({ Bucket, Key: 'one-part.txt', PartNumber: 2 })))).$metadata
        .httpStatusCode,
    ).to.equal(416);
  });

  it('lists parts and uploads, counts unfinished parts in used_bytes, and gives all of it back on abort', async () => {
    const before = await usage();
    const Key = 'aborted.bin';
    const UploadId = await create(Key);
    const p1 = await part(Key, UploadId, 1, randomBytes(5 * MiB));
    await part(Key, UploadId, 2, randomBytes(1024));
    expect((await usage()).used_bytes).to.equal(before.used_bytes + 5 * MiB + 1024);
    // Uploading a part number again replaces the part, and its charge.
    const p2 = await part(Key, UploadId, 2, randomBytes(2048));
    expect(await usage()).to.deep.equal({ ...before, used_bytes: before.used_bytes + 5 * MiB + 2048 });

    const listed = await alice.s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
    expect(listed.Parts!.map((p) => [p.PartNumber, p.ETag, p.Size])).to.deep.equal([
      [1, p1.ETag, 5 * MiB],
      [2, p2.ETag, 2048],
    ]);
    const page1 = await alice.s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 1 }));
    expect(page1.Parts!.map((p) => p.PartNumber)).to.deep.equal([1]);
    expect(page1.IsTruncated).to.equal(true);
    const page2 = await alice.s3.send(
      new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 1, PartNumberMarker: page1.NextPartNumberMarker }),
    );
    expect(page2.Parts!.map((p) => p.PartNumber)).to.deep.equal([2]);
    expect(page2.IsTruncated).to.equal(false);
    const uploads = await alice.s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(uploads.Uploads!.map((u) => [u.Key, u.UploadId])).to.deep.equal([[Key, UploadId]]);

    await alice.s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    expect(await usage()).to.deep.equal(before);
    expect((await alice.s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? []).to.deep.equal([]);
    expect((await failure(alice.s3.send(new ListPartsCommand({ Bucket, Key, UploadId })))).name).to.equal(
      'NoSuchUpload',
    );
    expect((await failure(part(Key, UploadId, 3, Buffer.from('late')))).name).to.equal('NoSuchUpload');
  });

  it('pages ListMultipartUploads with markers, rolling keys up into prefixes that never repeat', async () => {
    const keys = ['up/a/1', 'up/a/2', 'up/a/3', 'up/b', 'up/c/1', 'up/d'];
    const ids = new Map<string, string>();
    for (const k of keys) ids.set(k, await create(k));
    const pages = async (input: { Delimiter?: string; MaxUploads: number }) => {
      const seen: string[] = [];
      let KeyMarker: string | undefined;
      let UploadIdMarker: string | undefined;
      for (let n = 0; ; n++) {
        expect(n, 'too many pages').to.be.below(20);
        const page = await alice.s3.send(
          new ListMultipartUploadsCommand({ Bucket, Prefix: 'up/', KeyMarker, UploadIdMarker, ...input }),
        );
        expect((page.Uploads?.length ?? 0) + (page.CommonPrefixes?.length ?? 0)).to.be.at.most(input.MaxUploads);
        seen.push(...(page.Uploads ?? []).map((u) => u.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
        // The SDK keeps uploads and prefixes apart: sorted, they are the listing's order.
        if (!page.IsTruncated) return seen.sort();
        KeyMarker = page.NextKeyMarker;
        UploadIdMarker = page.NextUploadIdMarker;
      }
    };
    for (const MaxUploads of [1, 2, 1000]) {
      expect(await pages({ MaxUploads }), `MaxUploads ${MaxUploads}`).to.deep.equal(keys);
      expect(await pages({ MaxUploads, Delimiter: '/' }), `MaxUploads ${MaxUploads} with /`).to.deep.equal([
        'up/a/',
        'up/b',
        'up/c/',
        'up/d',
      ]);
    }
    for (const [Key, UploadId] of ids) await alice.s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  });

  it('refuses bad completions (EntityTooSmall, InvalidPart, InvalidPartOrder, NoSuchUpload), then completes', async () => {
    const before = await usage();
    const Key = 'small-parts.bin';
    const UploadId = await create(Key);
    const a = randomBytes(1024);
    const b = randomBytes(1024);
    const p1 = await part(Key, UploadId, 1, a);
    const p2 = await part(Key, UploadId, 2, b);
    const refusal = async (parts: CompletedPart[], id = UploadId) => (await failure(complete(Key, id, parts))).name;
    expect(await refusal([p1, p2])).to.equal('EntityTooSmall');
    expect(await refusal([{ PartNumber: 1, ETag: `"${'0'.repeat(32)}"` }])).to.equal('InvalidPart');
    expect(await refusal([{ PartNumber: 3, ETag: p2.ETag }])).to.equal('InvalidPart');
    expect(await refusal([p2, p1])).to.equal('InvalidPartOrder');
    expect(await refusal([p1], 'no-such-upload-id')).to.equal('NoSuchUpload');
    // Every refusal left the upload as it was: it completes with the last part alone small.
    const done = await complete(Key, UploadId, [p1]);
    expect(done.ETag).to.equal(multipartEtag([a]));
    expect((await read(Key)).equals(a)).to.equal(true);
    // Part 2 was left out: its bytes are freed, the object's are charged once.
    expect(await usage()).to.deep.equal({
      used_bytes: before.used_bytes + a.length,
      object_count: before.object_count + 1,
    });
    expect((await failure(complete(Key, UploadId, [p1]))).name).to.equal('NoSuchUpload');
  });

  it('copies byte ranges of an object into parts (UploadPartCopy) and completes them into one object', async () => {
    const src = randomBytes(6 * MiB + 5);
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'copy-src.bin', Body: src }));
    const Key = 'assembled.bin';
    const UploadId = await create(Key);
    const copyPart = async (PartNumber: number, first: number, last: number): Promise<CompletedPart> => {
      const r = await alice.s3.send(
        new UploadPartCopyCommand({
          Bucket,
          Key,
          UploadId,
          PartNumber,
          CopySource: `${Bucket}/copy-src.bin`,
          CopySourceRange: `bytes=${first}-${last}`,
        }),
      );
      return { PartNumber, ETag: r.CopyPartResult!.ETag };
    };
    const p1 = await copyPart(1, MiB, src.length - 1);
    const p2 = await copyPart(2, 0, 5 * MiB - 1);
    const tail = await part(Key, UploadId, 3, Buffer.from('tail'));
    const want = [src.subarray(MiB), src.subarray(0, 5 * MiB), Buffer.from('tail')];
    expect(p1.ETag).to.equal(`"${md5(want[0]!).toString('hex')}"`);
    const done = await complete(Key, UploadId, [p1, p2, tail]);
    expect(done.ETag).to.equal(multipartEtag(want));
    expect((await read(Key)).equals(Buffer.concat(want))).to.equal(true);
    // A range past the source's end is refused.
    const UploadId2 = await create('bad-range.bin');
    const bad = await failure(
      alice.s3.send(
        new UploadPartCopyCommand({
          Bucket,
          Key: 'bad-range.bin',
          UploadId: UploadId2,
          PartNumber: 1,
          CopySource: `${Bucket}/copy-src.bin`,
          CopySourceRange: `bytes=${src.length}-${src.length + 10}`,
        }),
      ),
    );
    expect(bad.$metadata.httpStatusCode).to.be.oneOf([400, 416]);
    await alice.s3.send(new AbortMultipartUploadCommand({ Bucket, Key: 'bad-range.bin', UploadId: UploadId2 }));
  });

  it('keeps used_bytes exact when a completion replaces an object and the upload had parts it left out', async () => {
    const Key = 'replaced.bin';
    await alice.s3.send(new PutObjectCommand({ Bucket, Key, Body: randomBytes(3000) }));
    const before = await usage();
    const UploadId = await create(Key);
    const big = randomBytes(5 * MiB);
    const p1 = await part(Key, UploadId, 1, big);
    await part(Key, UploadId, 2, randomBytes(7000));
    const p3 = await part(Key, UploadId, 3, Buffer.from('end'));
    expect((await usage()).used_bytes).to.equal(before.used_bytes + 5 * MiB + 7000 + 3);
    await complete(Key, UploadId, [p1, p3]);
    // The unversioned bucket's old object (3000 bytes) is replaced; part 2 is dropped.
    expect(await usage()).to.deep.equal({
      used_bytes: before.used_bytes - 3000 + 5 * MiB + 3,
      object_count: before.object_count,
    });
  });
});
