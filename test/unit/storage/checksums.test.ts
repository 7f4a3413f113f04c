import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import {
  checksumPlan,
  compositeChecksum,
  DigestingStream,
  multipartEtag,
  planAlgorithms,
  verifyChecksums,
  verifyContentSha256,
  type BodyDigests,
  type ChecksumAlgorithm,
} from '../../../api/src/storage/objects/checksums.js';
import { Crc64Nvme, crc32c } from '../../../api/src/storage/objects/crc.js';
import { expectS3Error } from './s3-fixtures.js';

const b64 = (b: Buffer) => b.toString('base64');
const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** Streams `data` through a DigestingStream in random-sized pieces; returns what came out and the digests. */
async function digest(data: Buffer, opts: ConstructorParameters<typeof DigestingStream>[0]) {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const n = 1 + Math.floor(Math.random() * 5000);
    pieces.push(data.subarray(at, at + n));
    at += n;
  }
  const out: Buffer[] = [];
  const d = new DigestingStream(opts);
  await pipeline(
    Readable.from(pieces),
    d,
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return { out: Buffer.concat(out), digests: d.digests };
}

describe('CRC32C and CRC64NVME', () => {
  it('match the published check values and the iSCSI vectors (RFC 3720 B.4)', () => {
    expect(crc32c(Buffer.from('123456789'))).to.equal(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).to.equal(0);
    expect(crc32c(Buffer.alloc(32, 0))).to.equal(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).to.equal(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).to.equal(0x46dd794e);
    expect(new Crc64Nvme().update(Buffer.from('123456789')).digest().toString('hex')).to.equal('ae8b14860a799888');
    expect(new Crc64Nvme().digest().toString('hex')).to.equal('0000000000000000');
  });

  it('continue across pieces exactly as in one pass', () => {
    const data = randomBytes(100_000);
    for (const cut of [0, 1, 7, 4096, 99_999]) {
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).to.equal(crc32c(data));
      const c = new Crc64Nvme().update(data.subarray(0, cut)).update(data.subarray(cut));
      expect(c.digest()).to.deep.equal(new Crc64Nvme().update(data).digest());
    }
  });
});

describe('DigestingStream', () => {
  it('passes the body through unchanged and digests it in one pass', async () => {
    const data = randomBytes(300_001);
    const all: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'SHA512', 'MD5'];
    const { out, digests } = await digest(data, { sha256: true, algorithms: all });
    expect(out.equals(data)).to.equal(true);
    expect(digests.size).to.equal(data.length);
    expect(digests.md5).to.deep.equal(createHash('md5').update(data).digest());
    expect(digests.sha256).to.deep.equal(createHash('sha256').update(data).digest());
    expect(digests.checksums).to.deep.equal({
      CRC32: b64(be32(crc32(data))),
      CRC32C: b64(be32(crc32c(data))),
      CRC64NVME: b64(new Crc64Nvme().update(data).digest()),
      SHA1: b64(createHash('sha1').update(data).digest()),
      SHA256: b64(createHash('sha256').update(data).digest()),
      SHA512: b64(createHash('sha512').update(data).digest()),
      MD5: b64(createHash('md5').update(data).digest()),
    });
  });

  it('computes only MD5 unless asked, and says so before the end', async () => {
    const { digests } = await digest(Buffer.from('hello world'), {});
    expect(digests.sha256).to.equal(undefined);
    expect(digests.checksums).to.deep.equal({});
    expect(digests.md5.toString('hex')).to.equal('5eb63bbbe01eeed093cb22bb8f5acdc3');
    expect(() => new DigestingStream().digests).to.throw(/not ended/);
  });
});

describe('checksum declarations', () => {
  const hello = Buffer.from('hello world');
  let digests: BodyDigests;
  before(async () => {
    digests = (await digest(hello, { sha256: true, algorithms: ['CRC32', 'SHA256'] })).digests;
  });

  it('a header checksum (what the SDK sends for a buffer body) is verified and returned for storage', () => {
    const plan = checksumPlan({ 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-sdk-checksum-algorithm': 'CRC32' });
    expect(plan).to.deep.equal({ algorithm: 'CRC32', expected: 'DUoRhQ==' });
    expect(planAlgorithms(plan)).to.deep.equal(['CRC32']);
    expect(verifyChecksums(plan, digests)).to.deep.equal({ algorithm: 'CRC32', value: 'DUoRhQ==' });
  });

  it('a trailer checksum (a streamed body) is named by x-amz-trailer and checked against the trailer', async () => {
    const plan = checksumPlan({ 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-sdk-checksum-algorithm': 'CRC32' });
    expect(plan).to.deep.equal({ algorithm: 'CRC32', trailer: 'x-amz-checksum-crc32' });
    expect(verifyChecksums(plan, digests, { 'x-amz-checksum-crc32': 'DUoRhQ==' })?.value).to.equal('DUoRhQ==');
    await expectS3Error(() => verifyChecksums(plan, digests, { 'x-amz-checksum-crc32': 'AAAAAA==' }), 'BadDigest');
    await expectS3Error(() => verifyChecksums(plan, digests, { 'x-amz-checksum-crc32': 'nope' }), 'InvalidDigest');
    await expectS3Error(() => verifyChecksums(plan, digests, {}), 'IncompleteBody');
  });

  it('x-amz-sdk-checksum-algorithm alone chooses what to compute and store', () => {
    const plan = checksumPlan({ 'x-amz-sdk-checksum-algorithm': 'sha256' });
    expect(plan).to.deep.equal({ algorithm: 'SHA256' });
    expect(verifyChecksums(plan, digests)).to.deep.equal({
      algorithm: 'SHA256',
      value: b64(createHash('sha256').update(hello).digest()),
    });
    expect(verifyChecksums(checksumPlan({}), digests)).to.equal(undefined);
  });

  it('Content-MD5 is checked (alone or beside a checksum)', async () => {
    const md5 = b64(createHash('md5').update(hello).digest());
    verifyChecksums(checksumPlan({ 'content-md5': md5 }), digests);
    verifyChecksums(checksumPlan({ 'content-md5': md5, 'x-amz-checksum-crc32': 'DUoRhQ==' }), digests);
    const other = b64(createHash('md5').update('other').digest());
    await expectS3Error(() => verifyChecksums(checksumPlan({ 'content-md5': other }), digests), 'BadDigest');
    await expectS3Error(() => checksumPlan({ 'content-md5': 'DUoRhQ==' }), 'InvalidDigest');
  });

  it('a wrong checksum: BadDigest; a value that is not base64 of the right length: InvalidDigest', async () => {
    await expectS3Error(
      () => verifyChecksums(checksumPlan({ 'x-amz-checksum-crc32': 'AAAAAA==' }), digests),
      'BadDigest',
    );
    for (const bad of ['DUoRhQ', 'DUoRhQ==AA', '!!!!!!==', 'DUoRhQAA', 'DUoRhR==', ''])
      await expectS3Error(() => checksumPlan({ 'x-amz-checksum-crc32': bad }), 'InvalidDigest');
    await expectS3Error(() => checksumPlan({ 'x-amz-checksum-sha256': 'DUoRhQ==' }), 'InvalidDigest');
  });

  it('contradictions are InvalidRequest; the xxhash family is NotImplemented; other x-amz-checksum-* are not checksums', async () => {
    const two = { 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-checksum-crc32c': 'yZRlqg==' };
    await expectS3Error(() => checksumPlan(two), 'InvalidRequest');
    const both = { 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-trailer': 'x-amz-checksum-crc32c' };
    await expectS3Error(() => checksumPlan(both), 'InvalidRequest');
    const mismatch = { 'x-amz-checksum-crc32': 'DUoRhQ==', 'x-amz-sdk-checksum-algorithm': 'CRC32C' };
    await expectS3Error(() => checksumPlan(mismatch), 'InvalidRequest');
    await expectS3Error(() => checksumPlan({ 'x-amz-sdk-checksum-algorithm': 'ADLER32' }), 'InvalidRequest');
    await expectS3Error(() => checksumPlan({ 'x-amz-sdk-checksum-algorithm': 'XXHASH64' }), 'NotImplemented');
    await expectS3Error(() => checksumPlan({ 'x-amz-checksum-xxhash3': 'AAAAAAAAAAA=' }), 'NotImplemented');
    const notChecksums = {
      'x-amz-checksum-mode': 'ENABLED',
      'x-amz-checksum-type': 'COMPOSITE',
      'x-amz-checksum-algorithm': 'CRC32',
    };
    expect(checksumPlan(notChecksums)).to.deep.equal({});
  });

  it('x-amz-content-sha256 against the body: XAmzContentSHA256Mismatch with both values', async () => {
    verifyContentSha256(createHash('sha256').update(hello).digest('hex').toUpperCase(), digests);
    const e = await expectS3Error(() => verifyContentSha256('0'.repeat(64), digests), 'XAmzContentSHA256Mismatch');
    expect(e.extra).to.deep.equal({
      ClientComputedContentSHA256: '0'.repeat(64),
      S3ComputedContentSHA256: createHash('sha256').update(hello).digest('hex'),
    });
  });
});

describe('multipart digests', () => {
  const parts = [randomBytes(5 << 20), randomBytes(1234)];
  const md5s = parts.map((p) => createHash('md5').update(p).digest());

  it("the ETag is the MD5 of the parts' binary MD5s, then the part count", () => {
    const expected = createHash('md5').update(Buffer.concat(md5s)).digest('hex') + '-2';
    expect(multipartEtag(md5s)).to.equal(expected);
    expect(multipartEtag(md5s.map((m) => `"${m.toString('hex')}"`))).to.equal(expected);
    // A known answer: the parts' MD5s of "a" and "b".
    const ab = ['0cc175b9c0f1b6a831c399e269772661', '92eb5ffee6ae2fec3ad71c777531578f'];
    expect(multipartEtag(ab)).to.equal(
      createHash('md5')
        .update(Buffer.from(ab.join(''), 'hex'))
        .digest('hex') + '-2',
    );
  });

  it("a composite checksum is the algorithm over the parts' raw checksums, base64, then the count", () => {
    const crcs = parts.map((p) => b64(be32(crc32(p))));
    const raw = Buffer.concat(parts.map((p) => be32(crc32(p))));
    expect(compositeChecksum('CRC32', crcs)).to.equal(`${b64(be32(crc32(raw)))}-2`);
    const shas = parts.map((p) => b64(createHash('sha256').update(p).digest()));
    const shaRaw = Buffer.concat(parts.map((p) => createHash('sha256').update(p).digest()));
    expect(compositeChecksum('SHA256', shas)).to.equal(`${b64(createHash('sha256').update(shaRaw).digest())}-2`);
  });
});
