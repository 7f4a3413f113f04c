// S3 versioning with the AWS SDK: enabling it, versions and delete markers, ListObjectVersions paging, suspension.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type BucketVersioningStatus,
  type ListObjectVersionsCommandOutput,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { bodyBytes, failure, recordExchanges, s3As, type S3User } from '../../support/s3.js';

/** One ListObjectVersions page as [key, versionId, isLatest, isDeleteMarker], in the order S3 lists them. */
function entries(page: ListObjectVersionsCommandOutput) {
  const all = [
    ...(page.Versions ?? []).map((v) => ({ ...v, marker: false })),
    ...(page.DeleteMarkers ?? []).map((m) => ({ ...m, marker: true })),
  ];
  // The SDK splits the two kinds apart; their LastModified and the key put them back in S3's order.
  return all
    .sort((a, b) =>
      a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : b.LastModified!.getTime() - a.LastModified!.getTime(),
    )
    .map((e) => [e.Key, e.VersionId, e.IsLatest, e.marker] as const);
}

describe('S3 door: versioning with the AWS SDK', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: S3User;
  const bucket = 'ver-main';
  const put = (Key: string, body: string) => alice.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: body }));
  const get = async (Key: string, VersionId?: string) =>
    (await bodyBytes((await alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key, VersionId }))).Body)).toString();
  const setVersioning = (Bucket: string, Status: BucketVersioningStatus) =>
    alice.s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status } }));

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    alice = await s3As(app, await newUser(app, 'ver-alice'));
    await alice.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(() => app.close());

  it('starts unversioned and is enabled by PutBucketVersioning with a CRC32 checksum and no Content-MD5', async () => {
    const before = await alice.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    expect(before.Status).to.equal(undefined);
    const seen = recordExchanges(alice.s3);
    await setVersioning(bucket, 'Enabled');
    const sent = seen[0]!.request.headers;
    expect(sent).to.have.property('x-amz-checksum-crc32');
    expect(sent).to.not.have.property('content-md5');
    expect((await alice.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).to.equal('Enabled');
  });

  describe('versions and delete markers', () => {
    let v1: string;
    let v2: string;
    let marker: string;

    it('gives each PUT its own VersionId, and GET ?versionId reads an older one', async () => {
      v1 = (await put('doc', 'one')).VersionId!;
      await app.platform.clock.set(app.platform.clock.now() + 1000); // versions apart in LastModified
      v2 = (await put('doc', 'two')).VersionId!;
      expect(v1).to.be.a('string').and.not.equal('null');
      expect(v2).to.be.a('string').and.not.equal(v1);
      expect(await get('doc')).to.equal('two');
      expect(await get('doc', v1)).to.equal('one');
      const head = await alice.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc' }));
      expect(head.VersionId).to.equal(v2);
    });

    it('hides the object behind a delete marker: GET is a 404 that says so, the versions stay readable', async () => {
      await app.platform.clock.set(app.platform.clock.now() + 1000);
      const seen = recordExchanges(alice.s3);
      const del = await alice.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doc' }));
      expect(seen[0]!.headers['x-amz-delete-marker']).to.equal('true');
      expect(del.DeleteMarker).to.equal(true);
      marker = del.VersionId!;
      expect(marker).to.be.a('string').and.not.oneOf([v1, v2, 'null']);
      const gone = await failure(alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc' })));
      expect(gone.name).to.equal('NoSuchKey');
      expect(gone.$metadata.httpStatusCode).to.equal(404);
      expect(seen[seen.length - 1]!.headers['x-amz-delete-marker']).to.equal('true');
      expect(await get('doc', v2)).to.equal('two');
      // A delete marker has no bytes to GET: 405, as S3 answers.
      const onMarker = await failure(
        alice.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc', VersionId: marker })),
      );
      expect(onMarker.$metadata.httpStatusCode).to.equal(405);
    });

    it('lists versions by key, newest first, and pages them with KeyMarker and VersionIdMarker', async () => {
      await app.platform.clock.set(app.platform.clock.now() + 1000);
      const vb = (await put('doc-b', 'b')).VersionId!;
      const all = await alice.s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      const want = [
        ['doc', marker, true, true],
        ['doc', v2, false, false],
        ['doc', v1, false, false],
        ['doc-b', vb, true, false],
      ];
      expect(entries(all)).to.deep.equal(want);
      // Within its kind the SDK keeps the server's order.
      expect(all.Versions!.map((v) => v.VersionId)).to.deep.equal([v2, v1, vb]);
      expect(all.IsTruncated).to.equal(false);
      for (const MaxKeys of [1, 2, 3]) {
        const seen: unknown[] = [];
        let KeyMarker: string | undefined;
        let VersionIdMarker: string | undefined;
        for (let pages = 0; ; pages++) {
          expect(pages, `MaxKeys ${MaxKeys}: too many pages`).to.be.below(10);
          const page = await alice.s3.send(
            new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys, KeyMarker, VersionIdMarker }),
          );
          const got = entries(page);
          expect(got.length).to.be.at.most(MaxKeys);
          seen.push(...got);
          if (!page.IsTruncated) break;
          KeyMarker = page.NextKeyMarker;
          VersionIdMarker = page.NextVersionIdMarker;
        }
        expect(seen, `MaxKeys ${MaxKeys}`).to.deep.equal(want);
      }
    });

    it('deletes one version for good; deleting the marker brings the newest version back', async () => {
      const del = await alice.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doc', VersionId: v1 }));
      expect(del.VersionId).to.equal(v1);
      expect(del.DeleteMarker ?? false).to.equal(false);
      expect((await failure(get('doc', v1))).$metadata.httpStatusCode).to.equal(404);
      const unmark = await alice.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'doc', VersionId: marker }));
      expect(unmark.DeleteMarker).to.equal(true);
      expect(await get('doc')).to.equal('two');
      const left = await alice.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'doc' }));
      expect(entries(left).filter((e) => e[0] === 'doc')).to.deep.equal([['doc', v2, true, false]]);
    });
  });

  describe('batches and prefixes', () => {
    it('deletes in a batch: a marker for a key, the named versions for good (DeleteObjects)', async () => {
      const a1 = (await put('batch/a', 'a1')).VersionId!;
      const b1 = (await put('batch/b', 'b1')).VersionId!;
      await app.platform.clock.set(app.platform.clock.now() + 1000);
      const out = await alice.s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: [{ Key: 'batch/a' }, { Key: 'batch/b', VersionId: b1 }] },
        }),
      );
      expect(out.Errors ?? []).to.deep.equal([]);
      const byKey = new Map(out.Deleted!.map((d) => [d.Key, d]));
      expect(byKey.get('batch/a')!.DeleteMarker).to.equal(true);
      expect(byKey.get('batch/a')!.DeleteMarkerVersionId).to.be.a('string').and.not.equal(a1);
      expect(byKey.get('batch/b')!.VersionId).to.equal(b1);
      expect(await get('batch/a', a1)).to.equal('a1');
      const left = await alice.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'batch/' }));
      expect(entries(left).map((e) => [e[0], e[3]])).to.deep.equal([
        ['batch/a', true],
        ['batch/a', false],
      ]);
    });

    it('rolls versions up into common prefixes that never repeat across pages', async () => {
      for (const k of ['tree/x/1', 'tree/x/2', 'tree/y/1', 'tree/z']) {
        await put(k, 'one');
        await put(k, 'two');
      }
      const prefixes: string[] = [];
      const keys: string[] = [];
      let KeyMarker: string | undefined;
      let VersionIdMarker: string | undefined;
      for (let pages = 0; ; pages++) {
        expect(pages).to.be.below(10);
        const page = await alice.s3.send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            Prefix: 'tree/',
            Delimiter: '/',
            MaxKeys: 1,
            KeyMarker,
            VersionIdMarker,
          }),
        );
        prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
        keys.push(...(page.Versions ?? []).map((v) => v.Key!));
        if (!page.IsTruncated) break;
        KeyMarker = page.NextKeyMarker;
        VersionIdMarker = page.NextVersionIdMarker;
      }
      expect(prefixes).to.deep.equal(['tree/x/', 'tree/y/']);
      expect(keys).to.deep.equal(['tree/z', 'tree/z']);
    });
  });

  describe('suspension', () => {
    it('writes the null version while suspended, replacing it on each PUT and keeping the older versions', async () => {
      const kept = (await put('s', 'enabled-era')).VersionId!;
      await setVersioning(bucket, 'Suspended');
      expect((await alice.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).to.equal('Suspended');
      expect((await put('s', 'first')).VersionId).to.equal('null');
      await app.platform.clock.set(app.platform.clock.now() + 1000);
      expect((await put('s', 'second')).VersionId).to.equal('null');
      expect(await get('s')).to.equal('second');
      expect(await get('s', 'null')).to.equal('second');
      expect(await get('s', kept)).to.equal('enabled-era');
      const list = await alice.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 's' }));
      expect(entries(list)).to.deep.equal([
        ['s', 'null', true, false],
        ['s', kept, false, false],
      ]);
      // A delete while suspended is a null delete marker in place of the null version.
      const del = await alice.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 's' }));
      expect(del).to.include({ DeleteMarker: true, VersionId: 'null' });
      expect(await get('s', kept)).to.equal('enabled-era');
    });

    it('never goes back to unversioned: S3 takes only Enabled or Suspended, REST turns "off" into Suspended', async () => {
      await alice.s3.send(new CreateBucketCommand({ Bucket: 'ver-oneway' }));
      await setVersioning('ver-oneway', 'Enabled');
      const bad = await failure(setVersioning('ver-oneway', 'Disabled' as BucketVersioningStatus));
      expect(bad.name).to.equal('MalformedXML');
      expect((await alice.s3.send(new GetBucketVersioningCommand({ Bucket: 'ver-oneway' }))).Status).to.equal(
        'Enabled',
      );
      const off = await app
        .as(alice.token)
        .patch('/api/storage/buckets/ver-oneway')
        .send({ versioning_enabled: false })
        .expect(200);
      expect(off.body.versioning_status).to.equal('Suspended');
      expect((await alice.s3.send(new GetBucketVersioningCommand({ Bucket: 'ver-oneway' }))).Status).to.equal(
        'Suspended',
      );
    });
  });
});
