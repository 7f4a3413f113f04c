// The rest of the S3 surface: tagging, stored headers, 501 subresources, answer headers, HEAD errors, quota.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, recordExchanges, s3As, s3Client, usageOf, type S3User } from '../../support/s3.js';

const MiB = 1024 * 1024;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('S3 door: tagging, headers and errors', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  const Bucket = 'misc-main';
  const tagsOf = async (Key: string, VersionId?: string) =>
    (await alice.s3.send(new GetObjectTaggingCommand({ Bucket, Key, VersionId }))).TagSet!.map((t) => [t.Key, t.Value]);

  before(async () => {
    app = await startApp();
    alice = await s3As(app, await newUser(app, 'misc-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket }));
  });
  after(() => app.close());

  describe('tagging', () => {
    it('takes tags on PUT (x-amz-tagging), and replaces, reads and deletes them as a set', async () => {
      await alice.s3.send(
        new PutObjectCommand({ Bucket, Key: 't', Body: 'x', Tagging: 'team=storage&note=two%20words' }),
      );
      expect(await tagsOf('t')).to.have.deep.members([
        ['team', 'storage'],
        ['note', 'two words'],
      ]);
      expect((await alice.s3.send(new GetObjectCommand({ Bucket, Key: 't' }))).TagCount).to.equal(2);
      await alice.s3.send(
        new PutObjectTaggingCommand({ Bucket, Key: 't', Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] } }),
      );
      expect(await tagsOf('t')).to.deep.equal([['only', 'one']]);
      await alice.s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: 't' }));
      expect(await tagsOf('t')).to.deep.equal([]);
      expect((await alice.s3.send(new HeadObjectCommand({ Bucket, Key: 't' }))).TagCount).to.equal(undefined);
      const tooMany = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      const refused = await failure(
        alice.s3.send(new PutObjectTaggingCommand({ Bucket, Key: 't', Tagging: { TagSet: tooMany } })),
      );
      expect(refused.$metadata.httpStatusCode).to.equal(400);
      expect((await failure(tagsOf('absent'))).name).to.equal('NoSuchKey');
    });

    it('tags objects made by multipart uploads and copies (x-amz-tagging, TaggingDirective)', async () => {
      const { UploadId } = await alice.s3.send(
        new CreateMultipartUploadCommand({ Bucket, Key: 'mp-tagged', Tagging: 'origin=multipart' }),
      );
      const { ETag } = await alice.s3.send(
        new UploadPartCommand({ Bucket, Key: 'mp-tagged', UploadId, PartNumber: 1, Body: 'x' }),
      );
      await alice.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key: 'mp-tagged',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
        }),
      );
      expect(await tagsOf('mp-tagged')).to.deep.equal([['origin', 'multipart']]);
      await alice.s3.send(new CopyObjectCommand({ Bucket, Key: 'copied-tags', CopySource: `${Bucket}/mp-tagged` }));
      expect(await tagsOf('copied-tags')).to.deep.equal([['origin', 'multipart']]);
      await alice.s3.send(
        new CopyObjectCommand({
          Bucket,
          Key: 'replaced-tags',
          CopySource: `${Bucket}/mp-tagged`,
          TaggingDirective: 'REPLACE',
          Tagging: 'origin=copy',
        }),
      );
      expect(await tagsOf('replaced-tags')).to.deep.equal([['origin', 'copy']]);
    });

    it('tags one version of a versioned object without touching the others', async () => {
      await alice.s3.send(new CreateBucketCommand({ Bucket: 'misc-versions' }));
      await alice.s3.send(
        new PutBucketVersioningCommand({ Bucket: 'misc-versions', VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const put = (Body: string) => alice.s3.send(new PutObjectCommand({ Bucket: 'misc-versions', Key: 'v', Body }));
      const v1 = (await put('one')).VersionId!;
      await put('two');
      const tagged = await alice.s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'misc-versions',
          Key: 'v',
          VersionId: v1,
          Tagging: { TagSet: [{ Key: 'old', Value: 'yes' }] },
        }),
      );
      expect(tagged.VersionId).to.equal(v1);
      const read = (VersionId?: string) =>
        alice.s3.send(new GetObjectTaggingCommand({ Bucket: 'misc-versions', Key: 'v', VersionId }));
      expect((await read(v1)).TagSet).to.deep.equal([{ Key: 'old', Value: 'yes' }]);
      expect((await read()).TagSet ?? []).to.deep.equal([]);
    });
  });

  it('keeps x-amz-meta-*, Content-Disposition, Content-Encoding, Content-Language and Cache-Control as sent', async () => {
    const headers = {
      Metadata: { owner: 'alice', 'build-id': '42' },
      ContentType: 'application/json',
      ContentDisposition: 'attachment; filename="report.json"',
      ContentEncoding: 'gzip',
      ContentLanguage: 'en-GB',
      CacheControl: 'no-cache',
    };
    const body = randomBytes(70_000);
    // A stream travels aws-chunked: the SDK adds that coding, and S3 stores only the object's own.
    await alice.s3.send(
      new PutObjectCommand({ Bucket, Key: 'h', Body: Readable.from([body]), ContentLength: body.length, ...headers }),
    );
    for (const r of [
      await alice.s3.send(new GetObjectCommand({ Bucket, Key: 'h' })),
      await alice.s3.send(new HeadObjectCommand({ Bucket, Key: 'h' })),
    ])
      expect(r).to.deep.include(headers);
    expect(
      (await bodyBytes((await alice.s3.send(new GetObjectCommand({ Bucket, Key: 'h' }))).Body)).equals(body),
    ).to.equal(true);
    // A GET may override the stored headers for its own answer (as presigned download links do).
    const over = await alice.s3.send(
      new GetObjectCommand({
        Bucket,
        Key: 'h',
        ResponseContentDisposition: 'inline',
        ResponseContentType: 'text/plain',
      }),
    );
    expect([over.ContentDisposition, over.ContentType]).to.deep.equal(['inline', 'text/plain']);
  });

  it('answers subresources it does not serve (?acl, ?cors) with 501 NotImplemented', async () => {
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'acl-target', Body: 'x' }));
    for (const call of [
      () => alice.s3.send(new GetBucketAclCommand({ Bucket })),
      () => alice.s3.send(new GetBucketCorsCommand({ Bucket })),
      () => alice.s3.send(new GetObjectAclCommand({ Bucket, Key: 'acl-target' })),
    ]) {
      const r = await failure(call());
      expect([r.name, r.$metadata.httpStatusCode]).to.deep.equal(['NotImplemented', 501]);
    }
  });

  it('sends Date and x-amz-request-id on every answer, errors and refused signatures too', async () => {
    const seen = recordExchanges(alice.s3);
    const stranger = s3Client(app, { accessKeyId: alice.accessKeyId, secretAccessKey: 'wrong' });
    const strangerSeen = recordExchanges(stranger);
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'd', Body: 'x' }));
    await alice.s3.send(new GetObjectCommand({ Bucket, Key: 'd' }));
    await alice.s3.send(new ListObjectsV2Command({ Bucket }));
    await failure(alice.s3.send(new GetObjectCommand({ Bucket, Key: 'absent' })));
    await failure(alice.s3.send(new HeadObjectCommand({ Bucket, Key: 'absent' })));
    await failure(alice.s3.send(new GetBucketAclCommand({ Bucket })));
    await failure(alice.s3.send(new GetObjectCommand({ Bucket, Key: 'd', Range: 'bytes=99-' })));
    await failure(stranger.send(new ListObjectsV2Command({ Bucket })));
    const all = [...seen, ...strangerSeen];
    expect(all.map((e) => e.statusCode)).to.deep.equal([200, 200, 200, 404, 404, 501, 416, 403]);
    for (const e of all) {
      expect(e.headers['x-amz-request-id'], `${e.statusCode}`).to.match(/\S/);
      expect(Date.parse(e.headers.date!), `${e.statusCode}`).to.be.a('number').and.not.NaN;
    }
    expect(new Set(all.map((e) => e.headers['x-amz-request-id'])).size).to.equal(all.length);
  });

  it('answers a HEAD that fails with the status alone: no body, and no length claiming one', async () => {
    await alice.s3.send(new PutObjectCommand({ Bucket, Key: 'd', Body: 'x' }));
    for (const [Key, status] of [
      ['absent', 404],
      ['d', 412],
    ] as const) {
      const url = await getSignedUrl(alice.s3, new HeadObjectCommand({ Bucket, Key, IfMatch: '"nope"' }), {
        expiresIn: 60,
        signableHeaders: new Set(['if-match']),
      });
      const r = await fetch(url, { method: 'HEAD', headers: { 'If-Match': '"nope"' } });
      expect(r.status).to.equal(status);
      expect(r.headers.get('content-length') ?? '0').to.equal('0');
      expect(r.headers.get('x-amz-request-id')).to.match(/\S/);
    }
  });

  describe('quota', () => {
    const Small = 'misc-quota';
    before(async () => {
      await app.as(alice.token).post('/api/storage/buckets').send({ name: Small, size_gb: 1 }).expect(201);
      // Nearly full: 1 MiB left of the 1 GiB quota.
      await app.platform
        .db('bucket_usage')
        .where({ bucket_id: (await app.as(alice.token).get(`/api/storage/buckets/${Small}`)).body.id })
        .update({ used_bytes: 1024 ** 3 - MiB });
    });

    it('refuses a PUT or a part past the quota with QuotaExceeded in S3 XML, and charges nothing', async () => {
      const before = await usageOf(app, alice, Small);
      const seen = recordExchanges(alice.s3);
      const body = randomBytes(2 * MiB);
      const puts = [
        () => alice.s3.send(new PutObjectCommand({ Bucket: Small, Key: 'buffer', Body: body })),
        () =>
          // A failed stream upload cannot be retried; the SDK says so on the console unless given a logger.
          s3Client(app, alice, { logger: quiet }).send(
            new PutObjectCommand({
              Bucket: Small,
              Key: 'stream',
              Body: Readable.from([body]),
              ContentLength: body.length,
            }),
          ),
        async () => {
          const { UploadId } = await alice.s3.send(new CreateMultipartUploadCommand({ Bucket: Small, Key: 'mp' }));
          return alice.s3.send(
            new UploadPartCommand({ Bucket: Small, Key: 'mp', UploadId, PartNumber: 1, Body: body }),
          );
        },
      ];
      for (const put of puts) {
        const r = await failure(put());
        expect([r.name, r.$metadata.httpStatusCode]).to.deep.equal(['QuotaExceeded', 409]);
        expect(r.message).to.match(/quota/i);
        expect(Number(r.QuotaBytes)).to.equal(1024 ** 3);
        expect(seen[seen.length - 1]!.headers['content-type']).to.equal('application/xml');
      }
      expect(await usageOf(app, alice, Small)).to.deep.equal(before);
      // What fits still fits.
      await alice.s3.send(new PutObjectCommand({ Bucket: Small, Key: 'fits', Body: randomBytes(MiB / 2) }));
    });
  });
});
