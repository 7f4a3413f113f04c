// S3's XML: request bodies exactly as @aws-sdk/client-s3 serializes them (captured from a real client), the
// hardening of the parser, and our responses as the SDK's own deserializer reads them.
import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Problem } from '../../../api/src/platform/problems.js';
import { parseXml, toXml } from '../../../api/src/storage/s3/xml.js';

/** Keys S3 allows and XML makes hard: markup characters, non-ASCII, CR and LF, a control character, spaces. */
const NASTY = ' a&b<c>"d\'é\r\n\tz\u0001 ';

/** A bare HTTP server that records each request body and answers with the next canned response. */
async function bareS3() {
  const bodies: { method: string; url: string; body: Buffer }[] = [];
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, res) => res.end();
  const server: Server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    bodies.push({ method: req.method!, url: req.url!, body: Buffer.concat(parts) });
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  return {
    client,
    bodies,
    /** Answers with this status and XML body from now on. */
    reply(status: number, xml = '') {
      answer = (_q, res) => {
        res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': 'req-1' });
        res.end(xml);
      };
    },
    close: () => {
      client.destroy();
      server.close();
    },
  };
}

const malformed = (f: () => unknown) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'should be MalformedXML').to.be.instanceOf(Problem);
  expect((err as Problem).code).to.equal('MalformedXML');
  expect((err as Problem).status).to.equal(400);
  return err as Problem;
};

describe('storage: S3 request bodies as the AWS SDK sends them', () => {
  let s3: Awaited<ReturnType<typeof bareS3>>;
  before(async () => {
    s3 = await bareS3();
  });
  after(() => s3.close());
  beforeEach(() => {
    s3.bodies.length = 0;
    s3.reply(200);
  });
  const sent = () => s3.bodies.at(-1)!.body;

  it('CreateBucketConfiguration', async () => {
    await s3.client.send(
      new CreateBucketCommand({ Bucket: 'b1', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    expect(parseXml(sent(), 'CreateBucketConfiguration', [])).to.deep.equal({ LocationConstraint: 'eu-west-1' });
  });

  it('Delete, with keys that need escaping, a version id and Quiet; one Object is still an array', async () => {
    s3.reply(200, toXml('DeleteResult', {}));
    await s3.client.send(
      new DeleteObjectsCommand({
        Bucket: 'b1',
        Delete: { Objects: [{ Key: NASTY, VersionId: 'v1' }, { Key: 'plain' }], Quiet: true },
      }),
    );
    expect(parseXml(sent(), 'Delete', ['Object'])).to.deep.equal({
      Object: [{ Key: NASTY, VersionId: 'v1' }, { Key: 'plain' }],
      Quiet: 'true',
    });
    await s3.client.send(new DeleteObjectsCommand({ Bucket: 'b1', Delete: { Objects: [{ Key: 'only' }] } }));
    expect(parseXml(sent(), 'Delete', ['Object'])).to.deep.equal({ Object: [{ Key: 'only' }] });
  });

  it('CompleteMultipartUpload, part numbers kept as strings and ETags with their quotes', async () => {
    s3.reply(200, toXml('CompleteMultipartUploadResult', { Bucket: 'b1', Key: 'k', ETag: '"x-2"' }));
    await s3.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'b1',
        Key: 'k',
        UploadId: 'u1',
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: '"e1"', ChecksumCRC32: 'AAAAAA==', ChecksumSHA256: 'c2hh' },
            { PartNumber: 10000, ETag: '"e2"' },
          ],
        },
      }),
    );
    expect(parseXml(sent(), 'CompleteMultipartUpload', ['Part'])).to.deep.equal({
      Part: [
        { ETag: '"e1"', ChecksumCRC32: 'AAAAAA==', ChecksumSHA256: 'c2hh', PartNumber: '1' },
        { ETag: '"e2"', PartNumber: '10000' },
      ],
    });
  });

  it('VersioningConfiguration', async () => {
    await s3.client.send(
      new PutBucketVersioningCommand({
        Bucket: 'b1',
        VersioningConfiguration: { Status: 'Suspended', MFADelete: 'Disabled' },
      }),
    );
    expect(parseXml(sent(), 'VersioningConfiguration', [])).to.deep.equal({
      MfaDelete: 'Disabled',
      Status: 'Suspended',
    });
  });

  it('Tagging, an empty value as the empty string', async () => {
    await s3.client.send(
      new PutObjectTaggingCommand({
        Bucket: 'b1',
        Key: 'k',
        Tagging: {
          TagSet: [
            { Key: 'team', Value: 'a&b' },
            { Key: 'empty', Value: '' },
          ],
        },
      }),
    );
    expect(parseXml(sent(), 'Tagging', ['Tag'])).to.deep.equal({
      TagSet: {
        Tag: [
          { Key: 'team', Value: 'a&b' },
          { Key: 'empty', Value: '' },
        ],
      },
    });
  });

  it('ServerSideEncryptionConfiguration', async () => {
    await s3.client.send(
      new PutBucketEncryptionCommand({
        Bucket: 'b1',
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/app' },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    expect(parseXml(sent(), 'ServerSideEncryptionConfiguration', ['Rule'])).to.deep.equal({
      Rule: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/app' },
          BucketKeyEnabled: 'true',
        },
      ],
    });
  });
});

describe('storage: parsing S3 XML by hand-written bodies', () => {
  const xml = (s: string) => Buffer.from(s, 'utf8');

  it('takes indentation, CRLF line ends, a BOM, comments, CDATA, namespace prefixes and empty elements', () => {
    const body =
      '\ufeff<?xml version="1.0"?>\r\n<!-- a comment -->\r\n<s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">\r\n' +
      '  <s3:Object>\r\n    <s3:Key><![CDATA[a&b<c> &amp;]]></s3:Key>\r\n  </s3:Object>\r\n' +
      '  <s3:Object><s3:Key>  spaced  </s3:Key><s3:VersionId/></s3:Object>\r\n</s3:Delete>\r\n';
    expect(parseXml(xml(body), 'Delete', ['Object'])).to.deep.equal({
      Object: [{ Key: 'a&b<c> &amp;' }, { Key: '  spaced  ', VersionId: '' }],
    });
  });

  it('decodes the built-in entities and character references, and keeps numbers as written', () => {
    const body =
      '<Tagging><TagSet><Tag><Key>&lt;&gt;&amp;&quot;&apos;&#13;&#x1F600;&#233;</Key><Value>007</Value></Tag></TagSet></Tagging>';
    expect(parseXml(xml(body), 'Tagging', ['Tag'])).to.deep.equal({
      TagSet: { Tag: [{ Key: '<>&"\'\r\u{1F600}é', Value: '007' }] },
    });
  });

  it('an empty root is an empty object', () => {
    expect(parseXml(xml('<CreateBucketConfiguration/>'), 'CreateBucketConfiguration', [])).to.deep.equal({});
    expect(parseXml(xml('<Delete>\n</Delete>'), 'Delete', ['Object'])).to.deep.equal({});
  });

  it('an element called __proto__ stays an ordinary member or is refused, never reaching the prototype', () => {
    let parsed: object | undefined;
    try {
      parsed = parseXml(xml('<Delete><__proto__><polluted>yes</polluted></__proto__></Delete>'), 'Delete', []);
    } catch (e) {
      expect((e as Problem).code).to.equal('MalformedXML');
    }
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    if (parsed) expect(Object.getPrototypeOf(parsed)).to.equal(Object.prototype);
  });

  it('refuses what is not well formed', () => {
    for (const bad of [
      '',
      'not xml',
      '<Delete>',
      '<Delete><Object></Delete>',
      '<Delete></Delete><Delete></Delete>',
      '<Delete></Delete>trailing',
      '<Delete>a & b</Delete>',
      '<Delete a=1></Delete>',
    ])
      malformed(() => parseXml(xml(bad), 'Delete', ['Object']));
  });

  it('refuses another root, mixed content, a repeated single element, and text for a root', () => {
    expect(malformed(() => parseXml(xml('<Tagging/>'), 'Delete', [])).detail).to.match(/root element is Tagging/);
    malformed(() => parseXml(xml('<Delete>text<Object/></Delete>'), 'Delete', ['Object']));
    malformed(() => parseXml(xml('<Delete><Quiet>true</Quiet><Quiet>false</Quiet></Delete>'), 'Delete', []));
    malformed(() => parseXml(xml('<Delete>just text</Delete>'), 'Delete', []));
  });

  it('refuses undefined entities, DTDs and external entities (no billion laughs, no XXE)', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Delete><Object><Key>&c;</Key></Object></Delete>';
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>';
    for (const bad of [laughs, xxe, '<Delete><Object><Key>&nbsp;</Key></Object></Delete>'])
      malformed(() => parseXml(xml(bad), 'Delete', ['Object']));
    for (const ref of ['&#xD800;', '&#x110000;', '&#;', '&#xZZ;'])
      malformed(() => parseXml(xml(`<Delete><Object><Key>${ref}</Key></Object></Delete>`), 'Delete', ['Object']));
  });

  it('keeps a DTD-looking string inside CDATA as text', () => {
    const body = '<Delete><Object><Key><![CDATA[<!DOCTYPE x>]]></Key></Object></Delete>';
    expect(parseXml(xml(body), 'Delete', ['Object'])).to.deep.equal({ Object: [{ Key: '<!DOCTYPE x>' }] });
  });

  it('refuses bodies over the size limit and bodies that are not UTF-8', () => {
    const big = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(100)}</Delete>`;
    expect(malformed(() => parseXml(xml(big), 'Delete', ['Object'], 1000)).detail).to.match(/larger than 1000 bytes/);
    malformed(() => parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]), 'a', []));
  });

  it('refuses nesting deeper than any S3 body needs', () => {
    const deep = '<Delete>' + '<a>'.repeat(200) + '</a>'.repeat(200) + '</Delete>';
    malformed(() => parseXml(xml(deep), 'Delete', []));
  });
});

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
    let s3: Awaited<ReturnType<typeof bareS3>>;
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
