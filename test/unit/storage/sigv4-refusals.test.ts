import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import { authStyle, verifySigV4, type SigV4Request } from '../../../api/src/storage/s3/sigv4.js';
import { expectS3Error, INACTIVE_KEY_ID, KEY_ID, lookup, SECRET, wrongSecret } from './s3-fixtures.js';
import { NOW, smithy, smithyPresigned, smithySigned } from './smithy-oracle.js';

const opts = { region: 'atonix-1' };

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
