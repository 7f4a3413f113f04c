import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import { authStyle, verifySigV4, type SigV4Request } from '../../../api/src/storage/s3/sigv4.js';
import { canonicalQuery, canonicalUri, decodeQuery } from '../../../api/src/storage/s3/sigv4-canonical.js';
import { expectS3Error, KEY_ID, lookup } from './s3-fixtures.js';
import { NOW, smithyPresigned, smithySigned } from './smithy-oracle.js';

// The AWS documentation's worked examples (sig-v4-header-based-auth.html, sigv4-query-string-auth.html,
// sigv4-streaming.html): their published signatures are answers no implementation here computed.
const DOC_KEY = 'AKIAIOSFODNN7EXAMPLE';
const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DOC_NOW = Date.UTC(2013, 4, 24);
const DOC_HOST = 'examplebucket.s3.amazonaws.com';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const docLookup = async (id: string) =>
  id === DOC_KEY ? { secret: DOC_SECRET, userId: 'doc', active: true } : undefined;
const docAuth = (signed: string, sig: string) =>
  `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`;
const opts = { region: 'atonix-1' };

function docGet(rawPath: string, rawQuery: string, sig: string, extra: IncomingHttpHeaders = {}): SigV4Request {
  const signed = ['host', ...Object.keys(extra), 'x-amz-content-sha256', 'x-amz-date'].join(';');
  return {
    method: 'GET',
    rawPath,
    rawQuery,
    headers: {
      host: DOC_HOST,
      ...extra,
      'x-amz-content-sha256': EMPTY,
      'x-amz-date': '20130524T000000Z',
      authorization: docAuth(signed, sig),
    },
  };
}

describe('SigV4 verification: the AWS documentation examples', () => {
  it('GET Object with a Range header', async () => {
    const req = docGet('/test.txt', '', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41', {
      range: 'bytes=0-9',
    });
    const id = await verifySigV4(req, docLookup, DOC_NOW, opts);
    expect(id).to.deep.equal({
      accessKeyId: DOC_KEY,
      userId: 'doc',
      presigned: false,
      payload: { kind: 'sha256', hex: EMPTY },
    });
  });

  it('PUT Object, with a $ in the key and a Date header signed', async () => {
    const body = 'Welcome to Amazon S3.';
    const hash = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';
    const req: SigV4Request = {
      method: 'PUT',
      rawPath: '/test%24file.text',
      rawQuery: '',
      headers: {
        host: DOC_HOST,
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': hash,
        'content-length': String(body.length),
        authorization: docAuth(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
    };
    expect((await verifySigV4(req, docLookup, DOC_NOW, opts)).payload).to.deep.equal({ kind: 'sha256', hex: hash });
  });

  it('GET Bucket lifecycle (a valueless parameter) and GET Bucket with max-keys and prefix', async () => {
    await verifySigV4(
      docGet('/', 'lifecycle', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'),
      docLookup,
      DOC_NOW,
      opts,
    );
    await verifySigV4(
      docGet('/', 'max-keys=2&prefix=J', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'),
      docLookup,
      DOC_NOW,
      opts,
    );
  });

  it('a presigned GET valid for a day, and expired a second after', async () => {
    const req: SigV4Request = {
      method: 'GET',
      rawPath: '/test.txt',
      rawQuery:
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      headers: { host: DOC_HOST },
    };
    expect(authStyle(req)).to.equal('query');
    const id = await verifySigV4(req, docLookup, DOC_NOW + 86400_000, opts);
    expect(id).to.include({ presigned: true, accessKeyId: DOC_KEY });
    expect(id.payload).to.deep.equal({ kind: 'unsigned' });
    const e = await expectS3Error(() => verifySigV4(req, docLookup, DOC_NOW + 86401_000, opts), 'AccessDenied');
    expect(e.detail).to.equal('Request has expired');
    expect(e.extra).to.include({ 'X-Amz-Expires': '86400', Expires: '2013-05-25T00:00:00Z' });
  });

  it('the seed of a signed streaming upload, handed on with its signing key', async () => {
    const req: SigV4Request = {
      method: 'PUT',
      rawPath: '/examplebucket/chunkObject.txt',
      rawQuery: '',
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
        authorization: docAuth(
          'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
          '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        ),
      },
    };
    const { payload } = await verifySigV4(req, docLookup, DOC_NOW, opts);
    if (payload.kind !== 'streaming') throw new Error(`payload ${payload.kind}`);
    expect(payload).to.include({ signed: true, trailer: false });
    expect(payload.seed).to.include({
      signature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      amzDate: '20130524T000000Z',
      scope: '20130524/us-east-1/s3/aws4_request',
    });
  });
});

describe('SigV4 canonical request pieces', () => {
  it('the URI: decoded and encoded once, uppercase hex, // and dot segments kept', () => {
    expect(canonicalUri('/b/a%20b')).to.equal('/b/a%20b');
    expect(canonicalUri('/b/%c3%a9')).to.equal('/b/%C3%A9');
    expect(canonicalUri('/b/é')).to.equal('/b/%C3%A9');
    expect(canonicalUri('/b/%7E~%2d')).to.equal('/b/~~-');
    expect(canonicalUri('/b/a+b:c')).to.equal('/b/a%2Bb%3Ac');
    expect(canonicalUri('/b//c/./d/../e')).to.equal('/b//c/./d/../e');
    expect(canonicalUri('/b/a%2Fb')).to.equal('/b/a/b');
    expect(canonicalUri('/b/100%')).to.equal('/b/100%25');
    expect(canonicalUri('/b/%ZZ')).to.equal('/b/%25ZZ');
    expect(canonicalUri('')).to.equal('/');
  });

  it('the query: encoded, sorted by name then value, name= for a valueless one, the signature left out', () => {
    expect(canonicalQuery('b=2&a=1&a=0&uploads')).to.equal('a=0&a=1&b=2&uploads=');
    expect(canonicalQuery('prefix=a%20b+c&x=%7e!')).to.equal('prefix=a%20b%2Bc&x=~%21');
    expect(canonicalQuery('X-Amz-Signature=abc&X-Amz-Date=1', 'X-Amz-Signature')).to.equal('X-Amz-Date=1');
    expect(canonicalQuery('')).to.equal('');
    expect(decodeQuery('prefix=a%20b%2F%C3%A9&delete&&k=')).to.deep.equal([
      ['prefix', 'a b/é'],
      ['delete', ''],
      ['k', ''],
    ]);
  });
});

describe('SigV4 verification against @smithy/signature-v4', () => {
  const paths = [
    '/bucket/key',
    '/bucket/a%20b/c%3Ad%2Be%25f',
    '/bucket//double//slash',
    '/bucket/dot/./and/../segments',
    '/bucket/%C3%A9t%C3%A9/%E2%82%AC',
    '/bucket/env%3A/dev/terraform.tfstate',
    // As the AWS SDK for Go v2 sends and signs it behind an endpoint with a path (Terraform's s3 backend): ':' bare.
    '/s3/bucket/env:/dev/terraform.tfstate',
    '/bucket/',
  ];
  for (const path of paths)
    it(`signs and verifies path ${path}`, async () => {
      const id = await verifySigV4(await smithySigned({ path }), lookup, NOW, opts);
      expect(id).to.deep.include({ accessKeyId: KEY_ID, userId: 'user-1', presigned: false });
      expect(id.payload).to.deep.equal({ kind: 'unsigned' });
    });

  it('verifies queries with repeats, valueless names, spaces, plus signs and unicode', async () => {
    const query = { 'list-type': '2', prefix: 'a b+c/é', delimiter: '/', 'start-after': "x!'()*~", uploads: '' };
    await verifySigV4(await smithySigned({ query }), lookup, NOW, opts);
  });

  it('verifies headers whose values have outer and inner runs of whitespace', async () => {
    const headers = { 'x-amz-meta-note': '  two   spaces\tand a tab  ', 'content-type': 'text/plain' };
    await verifySigV4(await smithySigned({ method: 'PUT', headers }), lookup, NOW, opts);
  });

  it('verifies presigned URLs, including extra query parameters; valid until X-Amz-Expires, with no skew window', async () => {
    const req = await smithyPresigned({ method: 'PUT', query: { 'x-id': 'PutObject', partNumber: '3' } }, 604800);
    const id = await verifySigV4(req, lookup, NOW, opts);
    expect(id).to.include({ presigned: true, userId: 'user-1' });
    await verifySigV4(req, lookup, NOW + 604800_000, opts);
    await expectS3Error(() => verifySigV4(req, lookup, NOW + 604801_000, opts), 'AccessDenied');
    // Dated in the future: tolerated within a header signature's skew, refused beyond it.
    await verifySigV4(req, lookup, NOW - 14 * 60_000, opts);
    const e = await expectS3Error(() => verifySigV4(req, lookup, NOW - 16 * 60_000, opts), 'AccessDenied');
    expect(e.detail).to.equal('Request is not valid yet');
  });

  it('reports what each payload declaration promises', async () => {
    const declared = async (value: string) =>
      (
        await verifySigV4(
          await smithySigned({ method: 'PUT', headers: { 'x-amz-content-sha256': value } }),
          lookup,
          NOW,
          opts,
        )
      ).payload;
    expect(await declared('STREAMING-UNSIGNED-PAYLOAD-TRAILER')).to.deep.equal({
      kind: 'streaming',
      signed: false,
      trailer: true,
    });
    const signed = await declared('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
    if (signed.kind !== 'streaming') throw new Error(signed.kind);
    expect(signed).to.include({ signed: true, trailer: true });
    expect(signed.seed!.scope).to.equal('20260115/us-east-1/s3/aws4_request');
    expect(signed.seed!.signingKey).to.have.length(32);
    expect(await declared('A'.repeat(64))).to.deep.equal({ kind: 'sha256', hex: 'a'.repeat(64) });
  });
});
