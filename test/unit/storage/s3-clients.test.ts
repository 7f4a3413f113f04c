import { expect } from 'chai';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checksumPlan,
  DigestingStream,
  planAlgorithms,
  verifyChecksums,
  verifyContentSha256,
} from '../../../api/src/storage/objects/checksums.js';
import { awsChunkedDecoder } from '../../../api/src/storage/s3/aws-chunked.js';
import { parseAmzDate, verifySigV4, type SigV4Identity } from '../../../api/src/storage/s3/sigv4.js';
import { captureServer, expectS3Error, KEY_ID, lookup, SECRET, type Captured } from './s3-fixtures.js';

// The real clients as oracles: @aws-sdk/client-s3 (default checksum settings) and the presigner send to a bare
// HTTP server that records the requests; each is then taken in as the S3 door will: verify the signature, decode
// an aws-chunked body, digest it, check what the client declared.
const opts = { region: 'atonix-1' };
/** The time the client signed at: the verifier is given the client's own moment, never the wall clock. */
const signedAt = (c: Captured) =>
  parseAmzDate(String(c.headers['x-amz-date'] ?? new URLSearchParams(c.rawQuery).get('X-Amz-Date')))!;

/** Splits a body at random, as TCP would. */
function pieces(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length;) {
    const n = 1 + Math.floor(Math.random() * 4000);
    out.push(body.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** What the S3 door will do with a request: authenticate, then take the body in, checking every promise made. */
async function receive(c: Captured, nowMs = signedAt(c)) {
  const id: SigV4Identity = await verifySigV4(c, lookup, nowMs, opts);
  const plan = checksumPlan(c.headers);
  const digester = new DigestingStream({ sha256: id.payload.kind === 'sha256', algorithms: planAlgorithms(plan) });
  const decoder = id.payload.kind === 'streaming' ? awsChunkedDecoder(id.payload, c.headers) : undefined;
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline([Readable.from(pieces(c.body)), ...(decoder ? [decoder] : []), digester, sink]);
  if (id.payload.kind === 'sha256') verifyContentSha256(id.payload.hex, digester.digests);
  const stored = verifyChecksums(plan, digester.digests, decoder?.trailers);
  return { id, body: Buffer.concat(out), stored, md5: digester.digests.md5.toString('hex') };
}

describe('S3 wire: requests from @aws-sdk/client-s3 and the presigner', () => {
  let server: Awaited<ReturnType<typeof captureServer>>;
  let client: S3Client;
  const last = () => server.requests[server.requests.length - 1];
  const make = (extra: Partial<ConstructorParameters<typeof S3Client>[0]> = {}) =>
    new S3Client({
      region: 'us-east-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
      ...extra,
    });

  before(async () => {
    server = await captureServer();
    client = make();
  });
  after(async () => {
    client.destroy();
    await server.close();
  });

  const keys = [
    'plain.txt',
    'a b/c d',
    'colon:key',
    'plus+key',
    '100%',
    'dir//double',
    'été/é',
    'env:/dev/terraform.tfstate',
    "q?&=#!'()*~",
  ];
  for (const key of keys)
    it(`PutObject with a Buffer body, key ${JSON.stringify(key)}`, async () => {
      const body = randomBytes(1000);
      await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: body }));
      const c = last();
      const got = await receive(c);
      expect(got.id).to.deep.include({ accessKeyId: KEY_ID, userId: 'user-1', presigned: false });
      expect(got.id.payload).to.deep.equal({ kind: 'sha256', hex: createHash('sha256').update(body).digest('hex') });
      expect(got.body.equals(body)).to.equal(true);
      expect(got.stored).to.deep.equal({ algorithm: 'CRC32', value: c.headers['x-amz-checksum-crc32'] });
      expect(decodeURIComponent(c.rawPath)).to.equal(`/bkt/${key}`);
    });

  it('PutObject with a stream body: aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER, the CRC32 in the trailer', async () => {
    const body = randomBytes(300_000);
    const stream = Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]);
    await client.send(
      new PutObjectCommand({ Bucket: 'bkt', Key: 'streamed é', Body: stream, ContentLength: body.length }),
    );
    const c = last();
    expect(c.headers['content-encoding']).to.equal('aws-chunked');
    const got = await receive(c);
    expect(got.id.payload).to.deep.equal({ kind: 'streaming', signed: false, trailer: true });
    expect(got.body.equals(body)).to.equal(true);
    expect(got.stored?.algorithm).to.equal('CRC32');
    expect(got.md5).to.equal(createHash('md5').update(body).digest('hex'));
  });

  for (const algorithm of ['CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as ChecksumAlgorithm[])
    it(`ChecksumAlgorithm ${algorithm}: the SDK's value agrees with ours, in a header and in a trailer`, async () => {
      const body = randomBytes(70_001);
      await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: body, ChecksumAlgorithm: algorithm }));
      const header = await receive(last());
      expect(header.stored?.algorithm).to.equal(algorithm);
      expect(header.stored?.value).to.equal(last().headers[`x-amz-checksum-${algorithm.toLowerCase()}`]);
      const stream = Readable.from([body]);
      await client.send(
        new PutObjectCommand({
          Bucket: 'bkt',
          Key: 'k',
          Body: stream,
          ContentLength: body.length,
          ChecksumAlgorithm: algorithm,
        }),
      );
      expect(last().headers['x-amz-trailer']).to.equal(`x-amz-checksum-${algorithm.toLowerCase()}`);
      expect((await receive(last())).stored).to.deep.equal(header.stored);
    });

  it('ListObjectsV2 with a prefix, delimiter, start-after and max-keys', async () => {
    await client.send(
      new ListObjectsV2Command({ Bucket: 'bkt', Prefix: 'a b/é+', Delimiter: '/', StartAfter: "x!'()*", MaxKeys: 10 }),
    );
    expect(last().rawQuery).to.include('list-type=2');
    const got = await receive(last());
    expect(got.id.payload).to.deep.equal({ kind: 'sha256', hex: createHash('sha256').update('').digest('hex') });
  });

  it('DeleteObjects: POST ?delete with a CRC32 (no Content-MD5)', async () => {
    await client.send(new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'a' }, { Key: 'b c' }] } }));
    expect(last()).to.include({ method: 'POST', rawQuery: 'delete=' });
    expect((await receive(last())).stored?.algorithm).to.equal('CRC32');
  });

  it('presigned GET and PUT fetched with plain fetch; the PUT carries the SDK checksum parameters, signed', async () => {
    const get = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bkt', Key: 'a b/é' }), { expiresIn: 60 });
    await fetch(get);
    const g = await receive(last());
    expect(g.id).to.deep.include({ presigned: true, userId: 'user-1', payload: { kind: 'unsigned' } });

    const put = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'bkt', Key: 'up+load' }), { expiresIn: 900 });
    expect(put).to.include('x-amz-checksum-crc32=AAAAAA%3D%3D');
    await fetch(put, { method: 'PUT', body: 'hello world' });
    const p = await receive(last());
    expect(p.id.presigned).to.equal(true);
    expect(p.body.toString()).to.equal('hello world');
    // The query's checksum is the empty body's (the presigner's), not a claim about this body: not checked.
    expect(p.stored).to.equal(undefined);
    // Removing the checksum parameters breaks the signature: they are signed.
    const stripped = { ...last(), rawQuery: last().rawQuery.replace(/&?x-amz-checksum-crc32=[^&]*/, '') };
    await expectS3Error(() => verifySigV4(stripped, lookup, signedAt(last()), opts), 'SignatureDoesNotMatch');
    await expectS3Error(() => receive(last(), signedAt(last()) + 901_000), 'AccessDenied');
  });

  it('a presigned PUT with a Content-Type signs it as a header', async () => {
    const cmd = new PutObjectCommand({ Bucket: 'bkt', Key: 'typed', ContentType: 'text/csv' });
    const url = await getSignedUrl(client, cmd, { expiresIn: 60, signableHeaders: new Set(['content-type']) });
    await fetch(url, { method: 'PUT', body: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(new URLSearchParams(last().rawQuery).get('X-Amz-SignedHeaders')).to.equal('content-type;host');
    await receive(last());
    await fetch(url, { method: 'PUT', body: 'a,b', headers: { 'content-type': 'text/plain' } });
    await expectS3Error(() => receive(last()), 'SignatureDoesNotMatch');
  });

  it('a tampered body: XAmzContentSHA256Mismatch for a buffer body, BadDigest for a streamed one', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: Buffer.from('hello world') }));
    const c = last();
    await expectS3Error(() => receive({ ...c, body: Buffer.from('hello World') }), 'XAmzContentSHA256Mismatch');
    await client.send(
      new PutObjectCommand({
        Bucket: 'bkt',
        Key: 'k',
        Body: Readable.from([Buffer.from('hello world')]),
        ContentLength: 11,
      }),
    );
    const s = last();
    const flipped = Buffer.from(s.body.toString('latin1').replace('hello', 'jello'), 'latin1');
    await expectS3Error(() => receive({ ...s, body: flipped }), 'BadDigest');
    const wrongTrailer = Buffer.from(s.body.toString('latin1').replace(/crc32:[^\r]+/, 'crc32:AAAAAA=='), 'latin1');
    await expectS3Error(() => receive({ ...s, body: wrongTrailer }), 'BadDigest');
    await expectS3Error(() => receive({ ...s, body: s.body.subarray(0, 10) }), 'IncompleteBody');
  });

  it('a client with the wrong secret, an unknown key, or a clock 16 minutes fast', async () => {
    const wrong = make({ credentials: { accessKeyId: KEY_ID, secretAccessKey: 'wrong' } });
    await wrong.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' }));
    await expectS3Error(() => receive(last()), 'SignatureDoesNotMatch');
    const unknown = make({ credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: SECRET } });
    await unknown.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' }));
    await expectS3Error(() => receive(last()), 'InvalidAccessKeyId');
    const fast = make({ systemClockOffset: 16 * 60_000 });
    await fast.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' }));
    const e = await expectS3Error(() => receive(last(), signedAt(last()) - 16 * 60_000), 'RequestTimeTooSkewed');
    expect(e.extra.MaxAllowedSkewMilliseconds).to.equal(900000);
    for (const c of [wrong, unknown, fast]) c.destroy();
  });
});
