import { expect } from 'chai';
import { SignatureV4 } from '@smithy/signature-v4';
import type { IncomingHttpHeaders } from 'node:http';
import { authStyle, verifySigV4, type SigV4Request } from '../../../api/src/storage/s3/sigv4.js';
import { canonicalQuery, canonicalUri, decodeQuery } from '../../../api/src/storage/s3/sigv4-canonical.js';
import { expectS3Error, INACTIVE_KEY_ID, KEY_ID, lookup, SECRET, Sha256, wrongSecret } from './s3-fixtures.js';

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

// @smithy/signature-v4 is the signer inside the AWS SDK: a second, independent oracle, here with any path, query
// and header the tests choose, signed at a fixed date.
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const smithy = (secret = SECRET, accessKeyId = KEY_ID) =>
  new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: secret },
    sha256: Sha256,
    uriEscapePath: false,
  });

/** RFC 3986 query encoding, written independently of the verifier's; an empty value goes on the wire bare (`uploads`). */
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const rawQueryOf = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => (v === '' ? enc(k) : `${enc(k)}=${enc(v)}`))
    .join('&');

async function smithySigned(
  init: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
  signer = smithy(),
  at = NOW,
): Promise<SigV4Request> {
  const request = {
    method: init.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path: init.path ?? '/bucket/key',
    query: init.query ?? {},
    headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...init.headers },
  };
  const signed = await signer.sign(request, { signingDate: new Date(at) });
  return { method: signed.method, rawPath: request.path, rawQuery: rawQueryOf(request.query), headers: signed.headers };
}

async function smithyPresigned(
  init: { method?: string; path?: string; query?: Record<string, string> } = {},
  expiresIn = 3600,
): Promise<SigV4Request> {
  const request = {
    method: init.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path: init.path ?? '/bucket/key',
    query: init.query ?? {},
    // As @aws-sdk/s3-request-presigner does: the declaration is hoisted into the query as X-Amz-Content-Sha256.
    headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  };
  const signed = await smithy().presign(request, { signingDate: new Date(NOW), expiresIn });
  const query = signed.query as Record<string, string>;
  return {
    method: signed.method,
    rawPath: request.path,
    rawQuery: rawQueryOf(query),
    headers: { host: '127.0.0.1:9000' },
  };
}

describe('SigV4 verification against @smithy/signature-v4', () => {
  const paths = [
    '/bucket/key',
    '/bucket/a%20b/c%3Ad%2Be%25f',
    '/bucket//double//slash',
    '/bucket/dot/./and/../segments',
    '/bucket/%C3%A9t%C3%A9/%E2%82%AC',
    '/bucket/env%3A/dev/terraform.tfstate',
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

describe('SigV4 refusals', () => {
  it('a wrong secret: SignatureDoesNotMatch, with what the server signed (as AWS shows it)', async () => {
    const req = await smithySigned({ query: { prefix: 'p' } });
    const e = await expectS3Error(() => verifySigV4(req, wrongSecret, NOW, opts), 'SignatureDoesNotMatch');
    expect(e.status).to.equal(403);
    expect(e.extra.AWSAccessKeyId).to.equal(KEY_ID);
    expect(e.extra.CanonicalRequest).to.match(/^GET\n\/bucket\/key\nprefix=p\nhost:127\.0\.0\.1:9000\n/);
    expect(e.extra.StringToSign).to.match(
      /^AWS4-HMAC-SHA256\n20260115T120000Z\n20260115\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/,
    );
    // The same request signed with another secret by the client fails the same way.
    await expectS3Error(
      async () => verifySigV4(await smithySigned({}, smithy('other')), lookup, NOW, opts),
      'SignatureDoesNotMatch',
    );
  });

  it('an unknown or inactive key: InvalidAccessKeyId', async () => {
    const unknown = await smithySigned({}, smithy(SECRET, 'AKIANOSUCHKEY'));
    const e = await expectS3Error(() => verifySigV4(unknown, lookup, NOW, opts), 'InvalidAccessKeyId');
    expect(e.extra).to.deep.equal({ AWSAccessKeyId: 'AKIANOSUCHKEY' });
    const inactive = await smithySigned({}, smithy(SECRET, INACTIVE_KEY_ID));
    await expectS3Error(() => verifySigV4(inactive, lookup, NOW, opts), 'InvalidAccessKeyId');
  });

  it('a clock 16 minutes off either way: RequestTimeTooSkewed with both times; 14 minutes is fine', async () => {
    const req = await smithySigned();
    await verifySigV4(req, lookup, NOW + 14 * 60_000, opts);
    await verifySigV4(req, lookup, NOW - 14 * 60_000, opts);
    for (const off of [16 * 60_000, -16 * 60_000]) {
      const e = await expectS3Error(() => verifySigV4(req, lookup, NOW + off, opts), 'RequestTimeTooSkewed');
      expect(e.extra).to.deep.equal({
        RequestTime: '20260115T120000Z',
        ServerTime: new Date(NOW + off).toISOString().replace('.000Z', 'Z'),
        MaxAllowedSkewMilliseconds: 900000,
      });
    }
  });

  it('anything signed changed after signing: SignatureDoesNotMatch', async () => {
    const base = await smithySigned({
      method: 'PUT',
      path: '/bucket/a%2Bb',
      query: { x: '1' },
      headers: { 'x-amz-meta-a': 'v' },
    });
    const sig = /Signature=([0-9a-f]{64})/.exec(String(base.headers.authorization))![1];
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    const tampered: SigV4Request[] = [
      { ...base, method: 'DELETE' },
      { ...base, rawPath: '/bucket/a+c' },
      { ...base, rawPath: '/bucket/a%2Bb/' },
      { ...base, rawQuery: 'x=2' },
      { ...base, rawQuery: 'x=1&y=1' },
      { ...base, headers: { ...base.headers, 'x-amz-meta-a': 'w' } },
      { ...base, headers: { ...base.headers, host: 'elsewhere:9000' } },
      {
        ...base,
        headers: { ...base.headers, authorization: String(base.headers.authorization).replace(sig, flipped) },
      },
    ];
    await verifySigV4(base, lookup, NOW, opts);
    for (const req of tampered) await expectS3Error(() => verifySigV4(req, lookup, NOW, opts), 'SignatureDoesNotMatch');
  });

  it('malformed Authorization headers: AuthorizationHeaderMalformed', async () => {
    const base = await smithySigned();
    const auth = String(base.headers.authorization);
    const withAuth = (a: string, headers: IncomingHttpHeaders = {}): SigV4Request => ({
      ...base,
      headers: { ...base.headers, ...headers, authorization: a },
    });
    const cases = [
      auth.replace(/, Signature=[0-9a-f]+/, ''),
      auth.replace(/Credential=[^,]+/, `Credential=${KEY_ID}/20260115/us-east-1/s3`),
      auth.replace('/s3/', '/ec2/'),
      auth.replace('/us-east-1/', '/eu-west-9/'),
      auth.replace('aws4_request', 'aws5_request'),
      auth.replace('/20260115/', '/20260114/'),
      auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=x-amz-content-sha256;x-amz-date'),
      auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=Host;X-Amz-Date'),
      auth.replace(/Signature=[0-9a-f]+/, 'Signature=XYZ'),
      auth.replace(', SignedHeaders', ' SignedHeaders'),
    ];
    for (const a of cases)
      await expectS3Error(() => verifySigV4(withAuth(a), lookup, NOW, opts), 'AuthorizationHeaderMalformed');
    const region = await expectS3Error(
      () => verifySigV4(withAuth(auth.replace('/us-east-1/', '/eu-west-9/')), lookup, NOW, opts),
      'AuthorizationHeaderMalformed',
    );
    expect(region.extra).to.deep.equal({ Region: 'atonix-1' });
    // The configured region and 'auto' are accepted as well as us-east-1 (the signature then fails, not the scope).
    for (const r of ['atonix-1', 'auto'])
      await expectS3Error(
        () => verifySigV4(withAuth(auth.replace('/us-east-1/', `/${r}/`)), lookup, NOW, opts),
        'SignatureDoesNotMatch',
      );
    await expectS3Error(
      () => verifySigV4(withAuth(auth, { 'x-amz-date': '2026-01-15T12:00:00Z' }), lookup, NOW, opts),
      'AccessDenied',
    );
    await expectS3Error(
      () => verifySigV4(withAuth(auth.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256')), lookup, NOW, opts),
      'NotImplemented',
    );
    await expectS3Error(() => verifySigV4(withAuth(`AWS ${KEY_ID}:c2lnbmF0dXJl`), lookup, NOW, opts), 'InvalidRequest');
    await expectS3Error(() => verifySigV4(withAuth('Bearer token'), lookup, NOW, opts), 'InvalidArgument');
  });

  it('x-amz-content-sha256: required on header auth, one of the known forms, SigV4a streaming not implemented', async () => {
    const base = await smithySigned();
    const without = { ...base, headers: { ...base.headers } };
    delete without.headers['x-amz-content-sha256'];
    await expectS3Error(() => verifySigV4(without, lookup, NOW, opts), 'InvalidRequest');
    const set = (v: string) => ({ ...base, headers: { ...base.headers, 'x-amz-content-sha256': v } });
    await expectS3Error(() => verifySigV4(set('abc'), lookup, NOW, opts), 'InvalidArgument');
    await expectS3Error(
      () => verifySigV4(set('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'), lookup, NOW, opts),
      'NotImplemented',
    );
  });

  it('malformed presigned queries: AuthorizationQueryParametersError', async () => {
    const base = await smithyPresigned();
    const params = new Map(base.rawQuery.split('&').map((p) => p.split('=') as [string, string]));
    const withParams = (change: Record<string, string | undefined>): SigV4Request => {
      const m = new Map(params);
      for (const [k, v] of Object.entries(change)) v === undefined ? m.delete(k) : m.set(k, v);
      return { ...base, rawQuery: [...m].map(([k, v]) => `${k}=${v}`).join('&') };
    };
    const cases = [
      { 'X-Amz-Expires': undefined },
      { 'X-Amz-Expires': '0' },
      { 'X-Amz-Expires': '604801' },
      { 'X-Amz-Expires': 'soon' },
      { 'X-Amz-SignedHeaders': undefined },
      { 'X-Amz-SignedHeaders': 'x-amz-date' },
      { 'X-Amz-Date': '20260115' },
      { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA512' },
      { 'X-Amz-Credential': `${KEY_ID}%2F20260116%2Fus-east-1%2Fs3%2Faws4_request` },
      { 'X-Amz-Signature': 'short' },
    ];
    for (const c of cases)
      await expectS3Error(() => verifySigV4(withParams(c), lookup, NOW, opts), 'AuthorizationQueryParametersError');
    await expectS3Error(
      () => verifySigV4({ ...base, rawQuery: `${base.rawQuery}&X-Amz-Date=20260115T120000Z` }, lookup, NOW, opts),
      'AuthorizationQueryParametersError',
    );
    await expectS3Error(
      () => verifySigV4(withParams({ 'X-Amz-Algorithm': 'AWS4-ECDSA-P256-SHA256' }), lookup, NOW, opts),
      'NotImplemented',
    );
    await expectS3Error(
      () =>
        verifySigV4(withParams({ 'X-Amz-Content-Sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }), lookup, NOW, opts),
      'InvalidRequest',
    );
    await expectS3Error(
      () => verifySigV4(withParams({ 'X-Amz-Signature': 'f'.repeat(64) }), lookup, NOW, opts),
      'SignatureDoesNotMatch',
    );
  });

  it('both mechanisms at once, a SigV2 presign, or none at all', async () => {
    const header = await smithySigned();
    const query = await smithyPresigned();
    await expectS3Error(() => verifySigV4({ ...query, headers: header.headers }, lookup, NOW, opts), 'InvalidArgument');
    await expectS3Error(
      () => verifySigV4({ ...query, rawQuery: 'AWSAccessKeyId=AKIA&Signature=x&Expires=1' }, lookup, NOW, opts),
      'InvalidRequest',
    );
    const anonymous = { method: 'GET', rawPath: '/bucket/key', rawQuery: '', headers: { host: 'h' } };
    expect(authStyle(anonymous)).to.equal('anonymous');
    await expectS3Error(() => verifySigV4(anonymous, lookup, NOW, opts), 'AccessDenied');
  });
});
