// S3 response bodies from toXml: the exact bytes, escaping, and the AWS SDK's own deserializer reading them back
// (lists, dates, errors, a key with &, <, é, CR and LF).
import { expect } from 'chai';
import {
  GetBucketLocationCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { parseXml, toXml } from '../../../api/src/storage/s3/xml.js';
import { bareS3, NASTY, type BareS3 } from './bare-s3.js';

describe('storage: S3 XML responses', () => {
  it('declares UTF-8, puts S3’s namespace on the root, repeats arrays, omits undefined and writes dates with ms', () => {
    const out = toXml('ListBucketResult', {
      Name: 'b',
      Prefix: '',
      Delimiter: undefined,
      IsTruncated: false,
      KeyCount: 2,
      Contents: [
        { Key: 'a', LastModified: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) },
        { Key: 'b', LastModified: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) },
      ],
      CommonPrefixes: [],
    });
    expect(out).to.equal(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Name>b</Name><Prefix></Prefix><IsTruncated>false</IsTruncated><KeyCount>2</KeyCount>' +
        '<Contents><Key>a</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified></Contents>' +
        '<Contents><Key>b</Key><LastModified>2026-01-02T03:04:05.678Z</LastModified></Contents></ListBucketResult>',
    );
  });

  it('escapes markup, CR, LF and control characters, and leaves other UTF-8 as it is', () => {
    expect(toXml('K', NASTY)).to.contain('> a&amp;b&lt;c&gt;&quot;d&apos;é&#13;&#10;\tz&#1; </K>');
  });

  it('writes attributes from @ members, and null as an empty element', () => {
    const out = toXml('AccessControlPolicy', {
      Grant: {
        Grantee: { '@xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@xsi:type': 'CanonicalUser', ID: 'o' },
        Permission: 'FULL_CONTROL',
      },
      Owner: null,
    });
    expect(out).to.contain(
      '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>o</ID></Grantee>',
    );
    expect(out).to.contain('<Owner></Owner>');
  });

  it('refuses values it cannot write faithfully', () => {
    expect(() => toXml('R', { When: new Date(NaN) })).to.throw(RangeError);
    expect(() => toXml('R', { N: Infinity })).to.throw(RangeError);
    expect(() => toXml('R', ['a'])).to.throw(TypeError);
  });

  it('round-trips through our own parser', () => {
    const out = toXml('Delete', { Object: [{ Key: NASTY }, { Key: 'x' }], Quiet: true });
    expect(parseXml(Buffer.from(out), 'Delete', ['Object'])).to.deep.equal({
      Object: [{ Key: NASTY }, { Key: 'x' }],
      Quiet: 'true',
    });
  });

  describe('as the AWS SDK reads them', () => {
    let s3: BareS3;
    before(async () => {
      s3 = await bareS3();
    });
    after(() => s3.close());

    it('ListObjectsV2: keys with &, <, é, CR and LF, sizes, dates with ms, ETags, common prefixes, truncation', async () => {
      const when = new Date(Date.UTC(2026, 4, 6, 7, 8, 9, 123));
      s3.reply(
        200,
        toXml('ListBucketResult', {
          Name: 'b1',
          Prefix: '',
          Delimiter: '/',
          MaxKeys: 1000,
          KeyCount: 3,
          IsTruncated: true,
          NextContinuationToken: 'tok&en',
          Contents: [
            { Key: NASTY, LastModified: when, ETag: '"abc"', Size: 12, StorageClass: 'STANDARD' },
            { Key: 'a&b<c>é\r', LastModified: when, ETag: '"def-2"', Size: 0, StorageClass: 'STANDARD' },
          ],
          CommonPrefixes: [{ Prefix: 'dir/' }],
        }),
      );
      const r = await s3.client.send(new ListObjectsV2Command({ Bucket: 'b1', Delimiter: '/' }));
      expect(r.Contents!.map((c) => c.Key)).to.deep.equal([NASTY, 'a&b<c>é\r']);
      expect(r.Contents![0]).to.deep.include({ ETag: '"abc"', Size: 12, StorageClass: 'STANDARD' });
      expect(r.Contents![0].LastModified!.toISOString()).to.equal('2026-05-06T07:08:09.123Z');
      expect(r).to.deep.include({ IsTruncated: true, KeyCount: 3, MaxKeys: 1000, NextContinuationToken: 'tok&en' });
      expect(r.CommonPrefixes).to.deep.equal([{ Prefix: 'dir/' }]);
    });

    it('ListBuckets: owner and buckets with their creation dates', async () => {
      s3.reply(
        200,
        toXml('ListAllMyBucketsResult', {
          Owner: { ID: 'owner-1', DisplayName: 'Ops & Co' },
          Buckets: { Bucket: [{ Name: 'one', CreationDate: new Date(Date.UTC(2025, 11, 31, 23, 59, 59, 999)) }] },
        }),
      );
      const r = await s3.client.send(new ListBucketsCommand({}));
      expect(r.Owner).to.deep.equal({ ID: 'owner-1', DisplayName: 'Ops & Co' });
      expect(r.Buckets!.map((b) => [b.Name, b.CreationDate!.toISOString()])).to.deep.equal([
        ['one', '2025-12-31T23:59:59.999Z'],
      ]);
    });

    it('GetBucketLocation: an empty LocationConstraint root', async () => {
      s3.reply(200, toXml('LocationConstraint', null));
      const r = await s3.client.send(new GetBucketLocationCommand({ Bucket: 'b1' }));
      expect(r.LocationConstraint ?? '').to.equal('');
    });

    it('Error: the code becomes the exception, with message, status and request id', async () => {
      s3.reply(
        404,
        toXml('Error', {
          Code: 'NoSuchKey',
          Message: 'The specified key does not exist.',
          Key: NASTY,
          RequestId: 'req-1',
          HostId: 'host',
        }),
      );
      const err = await s3.client.send(new GetObjectCommand({ Bucket: 'b1', Key: 'k' })).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(S3ServiceException);
      const e = err as S3ServiceException & { Key?: string };
      expect(e.name).to.equal('NoSuchKey');
      expect(e.message).to.equal('The specified key does not exist.');
      expect(e.$metadata.httpStatusCode).to.equal(404);
      expect(e.$metadata.requestId).to.equal('req-1');
      expect(e.Key).to.equal(NASTY);
    });
  });
});
