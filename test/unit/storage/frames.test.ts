// Encryption at rest in frames: round trips at the sizes around a frame, every kind of range, and that tampering,
// truncation, reordering and the wrong key all fail authentication instead of yielding bytes.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Problem } from '../../../api/src/platform/problems.js';
import {
  CorruptFrame,
  FRAME_CIPHER,
  FRAME_PLAIN,
  cipherLength,
  decryptRange,
  encryptStream,
  plainRangeToCipherRange,
} from '../../../api/src/storage/objects/frames.js';

const F = FRAME_PLAIN;
const key = randomBytes(32);
const ivBase = randomBytes(12);

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Encrypts, feeding the plaintext in uneven chunks so frames never line up with writes. */
async function encrypt(plain: Buffer, k = key, iv = ivBase): Promise<Buffer> {
  const chunks = function* () {
    for (let at = 0, step = 1; at < plain.length; at += step, step = (step * 7 + 13) % 150_001)
      yield plain.subarray(at, at + step);
  };
  return collect(Readable.from(chunks()).pipe(encryptStream(k, iv)));
}

/** A reader over stored bytes, as the file store gives one, in small chunks. */
const opener = (stored: Buffer) => (s: number, e: number) =>
  Readable.from(
    (function* () {
      const slice = stored.subarray(s, e + 1);
      for (let at = 0; at < slice.length; at += 4096) yield slice.subarray(at, at + 4096);
    })(),
  );

const read = (stored: Buffer, plainLength: number, start: number, end: number, k = key, iv = ivBase) =>
  collect(decryptRange(opener(stored), k, iv, plainLength, start, end));

async function expectCorrupt(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'authentication should have failed').to.be.instanceOf(Problem);
  expect((err as Problem).status).to.equal(500);
  expect((err as Problem).code).to.equal('InternalError');
  expect((err as Error).cause).to.be.instanceOf(CorruptFrame);
  return (err as Error).cause as CorruptFrame;
}

describe('storage: encryption frames, the format', () => {
  it('stores each frame as ciphertext plus a 16-byte tag; an empty object is one empty frame', () => {
    expect(cipherLength(0)).to.equal(16);
    expect(cipherLength(1)).to.equal(17);
    expect(cipherLength(F)).to.equal(F + 16);
    expect(cipherLength(F + 1)).to.equal(F + 1 + 32);
    expect(FRAME_CIPHER).to.equal(F + 16);
  });

  it('maps a plaintext range to the whole frames holding it, clamped to the file when the length is known', () => {
    expect(plainRangeToCipherRange(0, 0)).to.deep.include({ start: 0, end: FRAME_CIPHER - 1 });
    expect(plainRangeToCipherRange(F - 1, F)).to.deep.include({ start: 0, end: 2 * FRAME_CIPHER - 1 });
    expect(plainRangeToCipherRange(F, F)).to.deep.include({ start: FRAME_CIPHER, end: 2 * FRAME_CIPHER - 1 });
    expect(plainRangeToCipherRange(F + 3, F + 9, F + 10)).to.deep.include({
      start: FRAME_CIPHER,
      end: cipherLength(F + 10) - 1,
    });
  });

  it('never carries plaintext: equal frames encrypt differently and no 16-byte block of plaintext appears', async () => {
    const block = Buffer.from('0123456789abcdef');
    const plain = Buffer.concat(Array.from({ length: (4 * F) / 16 }, () => block));
    const stored = await encrypt(plain);
    expect(stored.length).to.equal(cipherLength(plain.length));
    expect(stored.indexOf(block)).to.equal(-1);
    const frame = (i: number) => stored.subarray(i * FRAME_CIPHER, i * FRAME_CIPHER + F);
    expect(frame(0).equals(frame(1))).to.equal(false);
    expect(frame(1).equals(frame(2))).to.equal(false);
  });

  it('refuses keys and IV bases of the wrong size', () => {
    expect(() => encryptStream(randomBytes(16), ivBase)).to.throw(RangeError);
    expect(() => encryptStream(key, randomBytes(16))).to.throw(RangeError);
  });
});

describe('storage: encryption frames, round trips and ranges', () => {
  for (const size of [0, 1, F - 1, F, F + 1, 3 * 1024 * 1024 + 7]) {
    it(`round-trips ${size} bytes`, async () => {
      const plain = randomBytes(size);
      const stored = await encrypt(plain);
      expect(stored.length).to.equal(cipherLength(size));
      const back = size === 0 ? await read(stored, 0, 0, -1) : await read(stored, size, 0, size - 1);
      expect(back.equals(plain)).to.equal(true);
    });
  }

  it('an empty object still authenticates its one frame', async () => {
    const stored = await encrypt(Buffer.alloc(0));
    await expectCorrupt(read(stored, 0, 0, -1, randomBytes(32)));
    await expectCorrupt(read(Buffer.alloc(0), 0, 0, -1));
  });

  describe('every kind of range, over 3 MiB + 7', () => {
    const size = 3 * 1024 * 1024 + 7;
    const plain = randomBytes(size);
    let stored: Buffer;
    before(async () => {
      stored = await encrypt(plain);
    });
    const ranges: [string, number, number][] = [
      ['the first byte', 0, 0],
      ['the last byte', size - 1, size - 1],
      ['the last byte of a frame', F - 1, F - 1],
      ['the first byte of a frame', F, F],
      ['inside one frame', F + 100, F + 5000],
      ['one whole frame', 2 * F, 3 * F - 1],
      ['across one boundary', F - 10, F + 10],
      ['across many boundaries', 5, 20 * F + 3],
      ['the short final frame', 48 * F, size - 1],
      ['the tail from inside the last full frame', size - 100, size - 1],
      ['the whole object', 0, size - 1],
    ];
    for (const [what, start, end] of ranges)
      it(`${what} (${start}-${end})`, async () => {
        const out = await read(stored, size, start, end);
        expect(out.length).to.equal(end - start + 1);
        expect(out.equals(plain.subarray(start, end + 1))).to.equal(true);
      });

    it('asks the store only for the frames it needs', async () => {
      const asked: [number, number][] = [];
      const open = (s: number, e: number) => (asked.push([s, e]), opener(stored)(s, e));
      await collect(decryptRange(open, key, ivBase, size, F + 1, F + 2));
      expect(asked).to.deep.equal([[FRAME_CIPHER, 2 * FRAME_CIPHER - 1]]);
    });

    it('refuses ranges outside the object', () => {
      for (const [s, e] of [
        [-1, 3],
        [5, 4],
        [0, size],
        [0.5, 3],
      ])
        expect(() => decryptRange(opener(stored), key, ivBase, size, s, e)).to.throw(RangeError);
    });
  });
});

describe('storage: encryption frames, authentication', () => {
  const size = 5 * F + 1234; // six frames, the last short
  const plain = randomBytes(size);
  let stored: Buffer;
  before(async () => {
    stored = await encrypt(plain);
  });
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('a changed byte of ciphertext or tag fails, in whichever frame; other frames still read', async () => {
    for (const at of [0, 17, F - 1, F /* a tag */, F + 15, 2 * FRAME_CIPHER + 99, stored.length - 1]) {
      const bad = Buffer.from(stored);
      bad[at] ^= 0x01;
      const cause = await expectCorrupt(read(bad, size, 0, size - 1));
      expect(cause.frame).to.equal(Math.floor(at / FRAME_CIPHER));
    }
    const bad = Buffer.from(stored);
    bad[5] ^= 0x80;
    const untouched = await read(bad, size, 3 * F, 4 * F - 1);
    expect(digest(untouched)).to.equal(digest(plain.subarray(3 * F, 4 * F)));
  });

  it('dropping the last frame fails, whether or not the metadata length was cut to match', async () => {
    const cut = stored.subarray(0, 5 * FRAME_CIPHER);
    await expectCorrupt(read(cut, size, 0, size - 1));
    // The frame that is now last was sealed as not final.
    const cause = await expectCorrupt(read(cut, 5 * F, 0, 5 * F - 1));
    expect(cause.frame).to.equal(4);
    await expectCorrupt(read(cut, 5 * F, 4 * F, 4 * F));
  });

  it('cutting the last frame short, or metadata shorter than the object, fails', async () => {
    await expectCorrupt(read(stored.subarray(0, stored.length - 1), size, 0, size - 1));
    await expectCorrupt(read(stored, size - 1, 0, size - 2));
    await expectCorrupt(read(stored, 5 * F, 4 * F, 5 * F - 1)); // frame 4 was sealed as not final
  });

  it('a store that returns more than the range asked for fails', async () => {
    const sloppy = (s: number) => opener(stored)(s, stored.length + 10);
    await expectCorrupt(collect(decryptRange(sloppy, key, ivBase, size, 0, 10)));
  });

  it('swapping two frames fails, even two full frames in the middle', async () => {
    const frames = Array.from({ length: 6 }, (_, i) => stored.subarray(i * FRAME_CIPHER, (i + 1) * FRAME_CIPHER));
    const swapped = Buffer.concat([frames[0], frames[2], frames[1], ...frames.slice(3)]);
    const cause = await expectCorrupt(read(swapped, size, 0, size - 1));
    expect(cause.frame).to.equal(1);
    await expectCorrupt(read(swapped, size, 2 * F, 2 * F + 10));
  });

  it('another data key or IV base fails', async () => {
    await expectCorrupt(read(stored, size, 0, 10, randomBytes(32)));
    await expectCorrupt(read(stored, size, 0, 10, key, randomBytes(12)));
  });

  it('a stream error from the store reaches the reader unchanged', async () => {
    const boom = new Error('disk on fire');
    const open = () =>
      new Readable({
        read() {
          this.destroy(boom);
        },
      });
    const err = await collect(decryptRange(open, key, ivBase, size, 0, 10)).catch((e: unknown) => e);
    expect(err).to.equal(boom);
  });
});
