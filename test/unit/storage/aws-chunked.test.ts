import { expect } from 'chai';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AwsChunkedDecoder,
  awsChunkedDecoder,
  type AwsChunkedOptions,
} from '../../../api/src/storage/s3/aws-chunked.js';
import { verifySigV4, type StreamingSeed } from '../../../api/src/storage/s3/sigv4.js';
import { expectS3Error } from './s3-fixtures.js';

// An independent, straightforward signer for aws-chunked bodies (it shares no code with the decoder).
const hmacHex = (key: Buffer, s: string) => createHmac('sha256', key).update(s).digest('hex');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const EMPTY = sha('');
function kSigning(secret: string, date: string, region: string): Buffer {
  const h = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
  return h(h(h(h('AWS4' + secret, date), region), 's3'), 'aws4_request');
}

/** Frames data in chunks of `size` (signed when a seed is given), then the trailer lines (signed too). */
function encode(data: Buffer, size: number, seed?: StreamingSeed, trailers?: Record<string, string>): Buffer {
  const out: Buffer[] = [];
  let prev = seed?.signature ?? '';
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  chunks.push(Buffer.alloc(0));
  for (const c of chunks) {
    let header = c.length.toString(16);
    if (seed) {
      prev = hmacHex(
        seed.signingKey,
        ['AWS4-HMAC-SHA256-PAYLOAD', seed.amzDate, seed.scope, prev, EMPTY, sha(c)].join('\n'),
      );
      header += `;chunk-signature=${prev}`;
    }
    out.push(Buffer.from(header + '\r\n'), c);
    if (c.length) out.push(Buffer.from('\r\n'));
  }
  if (trailers) {
    const lines = Object.entries(trailers).map(([k, v]) => `${k}:${v}`);
    out.push(Buffer.from(lines.map((l) => l + '\r\n').join('')));
    if (seed) {
      const hash = sha(lines.map((l) => l + '\n').join(''));
      const sig = hmacHex(
        seed.signingKey,
        ['AWS4-HMAC-SHA256-TRAILER', seed.amzDate, seed.scope, prev, hash].join('\n'),
      );
      out.push(Buffer.from(`x-amz-trailer-signature:${sig}\r\n`));
    }
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/** Cuts a body at random places (or every byte), the way TCP reads might. */
function split(body: Buffer, every?: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length;) {
    const n = every ?? 1 + Math.floor(Math.random() * 300);
    pieces.push(body.subarray(at, at + n));
    at += n;
  }
  return pieces;
}

async function decode(opts: AwsChunkedOptions | AwsChunkedDecoder, pieces: Buffer[]) {
  const decoder = opts instanceof AwsChunkedDecoder ? opts : new AwsChunkedDecoder(opts);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    decoder,
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return { body: Buffer.concat(out), trailers: decoder.trailers };
}

// The AWS documentation's examples (sigv4-streaming.html, sigv4-streaming-trailers.html): 65 KiB of 'a' in
// 64 KiB chunks, with the signatures AWS published.
const DOC_SEED: StreamingSeed = {
  signature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  signingKey: kSigning('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1'),
  amzDate: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
};
const A = (n: number) => Buffer.alloc(n, 'a');
const docBody = (sigs: string[], trailer = '') =>
  Buffer.concat([
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
    A(65536),
    Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
    A(1024),
    Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${trailer}\r\n`),
  ]);
const DOC_SIGS = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const DOC_TRAILER_SIGS = [
  'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
  '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
  '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
];
const DOC_TRAILER =
  'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n';

describe('aws-chunked: the AWS documentation examples', () => {
  it('signed chunks: the published body (66824 bytes) decodes to 66560 bytes, fed whole, by the byte and at random', async () => {
    const body = docBody(DOC_SIGS);
    expect(body.length).to.equal(66824);
    const opts = { signed: true, trailer: false, seed: DOC_SEED, decodedLength: 66560 };
    for (const pieces of [[body], split(body, 1), split(body)]) {
      const { body: out, trailers } = await decode(opts, pieces);
      expect(out.equals(A(66560))).to.equal(true);
      expect(trailers).to.deep.equal({});
    }
  });

  it('signed chunks with a signed trailer: the seed verifies, the chunks and the trailer signature too', async () => {
    const headers = {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
    };
    const key = { secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', userId: 'doc', active: true };
    const req = { method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers };
    const { payload } = await verifySigV4(req, async () => key, Date.UTC(2013, 4, 24), { region: 'us-east-1' });
    if (payload.kind !== 'streaming') throw new Error(payload.kind);
    expect(payload.seed!.signature).to.equal('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e');
    const body = docBody(DOC_TRAILER_SIGS, DOC_TRAILER);
    for (const pieces of [[body], split(body, 1), split(body)]) {
      const { body: out, trailers } = await decode(awsChunkedDecoder(payload, headers), pieces);
      expect(out.length).to.equal(66560);
      expect(trailers).to.deep.equal({ 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    }
    const forged = DOC_TRAILER.replace('sOO8/Q==', 'AAAAAA==');
    const e = await expectS3Error(
      () => decode(awsChunkedDecoder(payload, headers), [docBody(DOC_TRAILER_SIGS, forged)]),
      'SignatureDoesNotMatch',
    );
    expect(e.detail).to.match(/x-amz-trailer-signature/);
  });
});

describe('aws-chunked: framings and refusals', () => {
  const seed: StreamingSeed = {
    signature: 'c'.repeat(64),
    signingKey: kSigning('secret', '20260115', 'us-east-1'),
    amzDate: '20260115T120000Z',
    scope: '20260115/us-east-1/s3/aws4_request',
  };
  const data = randomBytes(200_000);
  const signed = { signed: true, trailer: false, seed, decodedLength: data.length };
  const unsignedTrailer = {
    signed: false,
    trailer: true,
    decodedLength: data.length,
    declaredTrailers: ['x-amz-checksum-crc32'],
  };
  const trailers = { 'x-amz-checksum-crc32': 'AAAAAA==' };

  it('unsigned chunks with a trailer (what the JS SDK sends for a stream), split anywhere', async () => {
    const body = encode(data, 65536, undefined, trailers);
    for (const pieces of [split(body, 1), split(body), [body]]) {
      const out = await decode(unsignedTrailer, pieces);
      expect(out.body.equals(data)).to.equal(true);
      expect(out.trailers).to.deep.equal(trailers);
    }
    const sdk = Buffer.from('6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    const out = await decode({ ...unsignedTrailer, decodedLength: 11 }, split(sdk, 1));
    expect(out.body.toString()).to.equal('hello world');
    expect(out.trailers).to.deep.equal({ 'x-amz-checksum-crc32': 'DUoRhQ==' });
  });

  it('signed chunks of any size, signed trailers, split anywhere; an empty body is just the final chunk', async () => {
    for (const size of [8192, 65536, 300_000]) {
      const out = await decode(signed, split(encode(data, size, seed)));
      expect(out.body.equals(data)).to.equal(true);
    }
    const few = data.subarray(0, 3000);
    const bytewise = await decode({ ...signed, decodedLength: few.length }, split(encode(few, 1, seed), 7));
    expect(bytewise.body.equals(few)).to.equal(true);
    const withTrailer = { ...signed, trailer: true, declaredTrailers: ['x-amz-checksum-sha256'] };
    const t = { 'x-amz-checksum-sha256': createHash('sha256').update(data).digest('base64') };
    expect((await decode(withTrailer, split(encode(data, 65536, seed, t)))).trailers).to.deep.equal(t);
    const empty = await decode({ ...signed, decodedLength: 0 }, [encode(Buffer.alloc(0), 1, seed)]);
    expect(empty.body.length).to.equal(0);
  });

  it('a changed byte, a changed, reordered or unsigned chunk: SignatureDoesNotMatch or IncompleteBody', async () => {
    const good = encode(data, 65536, seed);
    const flipped = Buffer.from(good);
    flipped[100_000] ^= 1;
    await expectS3Error(() => decode(signed, split(flipped)), 'SignatureDoesNotMatch');
    const firstSig = good.toString('latin1', 6, 6 + 16 + 64);
    const resigned = Buffer.from(
      good.toString('latin1').replace(firstSig, `chunk-signature=${'0'.repeat(64)}`),
      'latin1',
    );
    await expectS3Error(() => decode(signed, [resigned]), 'SignatureDoesNotMatch');
    // The same chunks chained from another seed (a body moved to another request).
    await expectS3Error(
      () => decode(signed, [encode(data, 65536, { ...seed, signature: 'd'.repeat(64) })]),
      'SignatureDoesNotMatch',
    );
    await expectS3Error(() => decode(signed, [encode(data, 65536)]), 'IncompleteBody');
    // A signed trailer whose signature is missing.
    const bare = encode(data, 65536, undefined, trailers);
    await expectS3Error(
      () =>
        decode({ ...signed, trailer: true }, [
          encode(data, 65536, seed).subarray(0, -2),
          bare.subarray(bare.lastIndexOf('x-amz')),
        ]),
      'SignatureDoesNotMatch',
    );
  });

  it('a body cut short anywhere: IncompleteBody', async () => {
    const body = encode(data, 65536, undefined, trailers);
    for (const cut of [0, 3, 10, 65_000, 65_544, 65_545, 199_999, body.length - 40, body.length - 33]) {
      await expectS3Error(() => decode(unsignedTrailer, [body.subarray(0, cut)]), 'IncompleteBody');
    }
    // Ending right after the last trailer line, without the empty line, loses nothing.
    expect((await decode(unsignedTrailer, [body.subarray(0, -2)])).trailers).to.deep.equal(trailers);
    await expectS3Error(() => decode(signed, [encode(data, 65536, seed).subarray(0, 150_000)]), 'IncompleteBody');
  });

  it('bad framing: IncompleteBody; lengths other than x-amz-decoded-content-length: IncompleteBody', async () => {
    const frame = (s: string) => [Buffer.from(s)];
    const small = { signed: false, trailer: true };
    for (const bad of [
      'zz\r\nabc\r\n0\r\n\r\n',
      '3\nabc\r\n0\r\n\r\n',
      '3\r\nabcd\r\n0\r\n\r\n',
      '3\r\nab\r\n0\r\n\r\n',
      '3;chunk-signature=x\r\nabc\r\n0\r\n\r\n',
      '3\r\nabc\r\n0\r\nno-colon\r\n\r\n',
      '3\r\nabc\r\n0\r\n\r\nextra',
      `${'f'.repeat(17)}\r\n`,
      `3;${'x'.repeat(5000)}\r\nabc\r\n0\r\n\r\n`,
    ])
      await expectS3Error(() => decode(small, frame(bad)), 'IncompleteBody');
    await expectS3Error(() => decode({ ...small, decodedLength: 4 }, frame('3\r\nabc\r\n0\r\n\r\n')), 'IncompleteBody');
    await expectS3Error(() => decode({ ...small, decodedLength: 2 }, frame('3\r\nabc\r\n0\r\n\r\n')), 'IncompleteBody');
    // A trailer where the variant has none.
    await expectS3Error(
      () => decode({ signed: false, trailer: false }, frame('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n')),
      'IncompleteBody',
    );
  });

  it('trailers: a declared one that does not arrive is IncompleteBody, an undeclared one InvalidRequest', async () => {
    const body = (t: string) => [Buffer.from(`3\r\nabc\r\n0\r\n${t}\r\n`)];
    const opts = { signed: false, trailer: true, declaredTrailers: ['x-amz-checksum-crc32'] };
    expect((await decode(opts, body('x-amz-checksum-crc32:NSRBwg==\r\n'))).trailers).to.deep.equal({
      'x-amz-checksum-crc32': 'NSRBwg==',
    });
    await expectS3Error(() => decode(opts, body('')), 'IncompleteBody');
    await expectS3Error(() => decode(opts, body('x-amz-checksum-sha1:NSRBwg==\r\n')), 'InvalidRequest');
    await expectS3Error(
      () =>
        Promise.resolve(
          awsChunkedDecoder(
            { kind: 'streaming', signed: false, trailer: true },
            { 'x-amz-decoded-content-length': 'ten' },
          ),
        ),
      'InvalidArgument',
    );
  });
});
