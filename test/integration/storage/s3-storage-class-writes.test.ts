// x-amz-storage-class on the writes besides PutObject, with the AWS SDK: CopyObject (to another key, and to itself
// changing only the class) and CreateMultipartUpload (the completed object lands in the class asked for).
import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, s3As, type S3User } from '../../support/s3.js';

describe('S3 door: storage class on CopyObject and multipart uploads', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  const Bucket = 'sc-writes';
  const head = (Key: string) => alice.s3.send(new HeadObjectCommand({ Bucket, Key }));

  before(async () => {
    app = await startApp();
    alice = await s3As(app, await newUser(app, 'sc-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket }));
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'src.txt', Body: 'copy me', ContentType: 'text/plain' }));
  });
  after(() => app.close());

  it('writes a copy in the class x-amz-storage-class names, readable as before', async () => {
    await alice.s3.send(
      new CopyObjectCommand({ Bucket, Key: 'ia.txt', CopySource: `${Bucket}/src.txt`, StorageClass: 'STANDARD_IA' }),
    );
    expect((await head('ia.txt')).StorageClass).to.equal('STANDARD_IA');
    const got = await alice.s3.send(new GetObjectCommand({ Bucket, Key: 'ia.txt' }));
    expect((await bodyBytes(got.Body)).toString()).to.equal('copy me');
    expect((await head('src.txt')).StorageClass).to.equal(undefined); // the source stays STANDARD
  });

  it("changes an object's class by copying it onto itself, and refuses an unknown class", async () => {
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'self.txt', Body: 'me' }));
    await alice.s3.send(
      new CopyObjectCommand({ Bucket, Key: 'self.txt', CopySource: `${Bucket}/self.txt`, StorageClass: 'GLACIER_IR' }),
    );
    expect((await head('self.txt')).StorageClass).to.equal('STANDARD_IA');
    const bad = await failure(
      alice.s3.send(
        new CopyObjectCommand({ Bucket, Key: 'x.txt', CopySource: `${Bucket}/src.txt`, StorageClass: 'NOPE' as never }),
      ),
    );
    expect(bad.name).to.equal('InvalidStorageClass');
  });

  it('completes a multipart upload in the class CreateMultipartUpload named', async () => {
    const Key = 'big.bin';
    const { UploadId } = await alice.s3.send(
      new CreateMultipartUploadCommand({ Bucket, Key, StorageClass: 'STANDARD_IA', Metadata: { m: '1' } }),
    );
    const listed = await alice.s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(listed.Uploads?.find((u) => u.UploadId === UploadId)?.StorageClass).to.equal('STANDARD_IA');
    const bytes = randomBytes(1024);
    const part = await alice.s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: bytes }));
    await alice.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const h = await head(Key);
    expect(h.StorageClass).to.equal('STANDARD_IA');
    expect(h.Metadata).to.deep.equal({ m: '1' }); // the class is not left among the object's own headers
    const got = await alice.s3.send(new GetObjectCommand({ Bucket, Key }));
    expect((await bodyBytes(got.Body)).equals(bytes)).to.equal(true);
  });
});
