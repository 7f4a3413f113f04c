// S3 request bodies through parseXml: exactly as @aws-sdk/client-s3 serializes them (captured from a real client),
// hand-written variants, and the parser's hardening (DTDs, entities, size, depth, shape).
import { expect } from 'chai';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { Problem } from '../../../api/src/platform/problems.js';
import { parseXml, toXml } from '../../../api/src/storage/s3/xml.js';
import { bareS3, NASTY, type BareS3 } from './bare-s3.js';

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
  let s3: BareS3;
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
