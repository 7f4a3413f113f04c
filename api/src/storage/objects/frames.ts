// Encryption at rest for object bytes: AES-256-GCM in fixed-size frames, so a ranged GET decrypts only the frames
// it touches and every frame is authenticated before a byte of it is released.
//
// Format "AXF1" (one object = one data key + one IV base; both live in the object's metadata row, the key wrapped):
//
//   plaintext    P, length n, split into frames of F = 65536 bytes: frame i holds P[i·F, min(n, (i+1)·F)).
//                Every frame but the last is full; the last holds 1..F bytes; an empty object is one empty frame,
//                so there are N = max(1, ceil(n / F)) frames and every object has exactly one final frame.
//   stored       frame i = AES-256-GCM ciphertext (as long as its plaintext) || 16-byte tag, frames concatenated,
//                nothing else in the file: cipherLength(n) = n + 16·N, and frame i starts at i·(F + 16).
//   key          the object's 32-byte data key. A data key encrypts one plaintext only (a new version or a
//                re-encryption gets a new key, or at least a new IV base).
//   IV           12 bytes: ivBase (random per object) XOR (0x00000000 || uint64be(i)), the TLS 1.3 construction:
//                distinct i give distinct IVs, so no IV repeats under one key.
//   AAD          "AXF1" || uint64be(i) || final, where final is 0x01 for frame N-1 and 0x00 otherwise (13 bytes).
//                Binding i defeats reordering and swapping frames; binding final defeats truncation at a frame
//                boundary (the frame that would become last was sealed as not final) and extension.
//
// The reader knows n from metadata, hence N and which frame must be final. A frame that fails authentication, or a
// file shorter or longer than the range asked for, is a stream error: problems.internal() (500 InternalError on
// both doors, which says nothing about the data; SDKs retry), with a CorruptFrame as its cause so the object
// layer can log and count corruption. Headers of a GET are usually out by then, so the HTTP layer cuts the body.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { problems, type Problem } from '../../platform/problems.js';

export const FRAME_PLAIN = 65536;
export const TAG_LENGTH = 16;
export const FRAME_CIPHER = FRAME_PLAIN + TAG_LENGTH;
const MAGIC = Buffer.from('AXF1');

/** Why a read failed authentication; the cause of the Problem the stream errors with. */
export class CorruptFrame extends Error {
  constructor(
    readonly frame: number,
    detail: string,
  ) {
    super(`frame ${frame}: ${detail}`);
    this.name = 'CorruptFrame';
  }
}

const corrupt = (frame: number, detail: string): Problem =>
  Object.assign(problems.internal(), { cause: new CorruptFrame(frame, detail) });

export const frameCount = (plainLength: number) => Math.max(1, Math.ceil(plainLength / FRAME_PLAIN));

/** Bytes on disk for a plaintext of this length. */
export const cipherLength = (plainLength: number) => plainLength + TAG_LENGTH * frameCount(plainLength);

/**
 * The stored bytes (inclusive) holding plaintext bytes start..end: whole frames, since a frame authenticates only
 * as a whole. With plainLength the end is clamped to the file (the last frame may be short).
 */
export function plainRangeToCipherRange(start: number, end: number, plainLength?: number) {
  const first = Math.floor(start / FRAME_PLAIN);
  const last = Math.max(first, Math.floor(end / FRAME_PLAIN));
  let cipherEnd = (last + 1) * FRAME_CIPHER - 1;
  if (plainLength !== undefined) cipherEnd = Math.min(cipherEnd, cipherLength(plainLength) - 1);
  return { start: first * FRAME_CIPHER, end: cipherEnd, firstFrame: first, lastFrame: last };
}

function frameIv(ivBase: Buffer, index: number): Buffer {
  const iv = Buffer.from(ivBase);
  const hi = Math.floor(index / 2 ** 32);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ hi) >>> 0, 4);
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ index) >>> 0, 8);
  return iv;
}

function aad(index: number, final: boolean): Buffer {
  const a = Buffer.alloc(13);
  MAGIC.copy(a, 0);
  a.writeUInt32BE(Math.floor(index / 2 ** 32), 4);
  a.writeUInt32BE(index >>> 0, 8);
  a[12] = final ? 1 : 0;
  return a;
}

function checkKey(dataKey: Buffer, ivBase: Buffer) {
  if (dataKey.length !== 32) throw new RangeError('the data key must be 32 bytes');
  if (ivBase.length !== 12) throw new RangeError('the IV base must be 12 bytes');
}

function seal(dataKey: Buffer, ivBase: Buffer, index: number, final: boolean, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', dataKey, frameIv(ivBase, index), { authTagLength: TAG_LENGTH });
  c.setAAD(aad(index, final));
  const body = c.update(plain);
  c.final();
  return Buffer.concat([body, c.getAuthTag()]);
}

/**
 * Encrypts a stream of plaintext into the stored format. A full frame is held back until more data or the end
 * arrives, because only then is it known whether it is the final one; memory stays at about one frame.
 */
export function encryptStream(dataKey: Buffer, ivBase: Buffer): Transform {
  checkKey(dataKey, ivBase);
  const frame = Buffer.allocUnsafe(FRAME_PLAIN);
  let fill = 0;
  let index = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      let at = 0;
      while (at < chunk.length) {
        if (fill === FRAME_PLAIN) {
          this.push(seal(dataKey, ivBase, index++, false, frame));
          fill = 0;
        }
        const n = chunk.copy(frame, fill, at, Math.min(chunk.length, at + FRAME_PLAIN - fill));
        fill += n;
        at += n;
      }
      done();
    },
    flush(done: TransformCallback) {
      this.push(seal(dataKey, ivBase, index, true, frame.subarray(0, fill)));
      done();
    },
  });
}

/**
 * Plaintext bytes start..end (inclusive) of an object of plainLength bytes, decrypted frame by frame from the
 * stored bytes openCipher returns for the range plainRangeToCipherRange gives. An empty object is read as
 * start 0, end -1 (its one empty frame is still authenticated).
 */
export function decryptRange(
  openCipher: (cipherStart: number, cipherEndInclusive: number) => Readable,
  dataKey: Buffer,
  ivBase: Buffer,
  plainLength: number,
  start: number,
  end: number,
): Readable {
  checkKey(dataKey, ivBase);
  const empty = plainLength === 0 && start === 0 && end === -1;
  if (!empty && !(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end < plainLength))
    throw new RangeError(`bytes ${start}-${end} are not inside an object of ${plainLength} bytes`);
  const frames = frameCount(plainLength);
  const range = plainRangeToCipherRange(start, Math.max(end, 0), plainLength);
  const cipherSize = (i: number) => (i < frames - 1 ? FRAME_CIPHER : cipherLength(plainLength) - i * FRAME_CIPHER);

  async function* frameByFrame() {
    const buf = Buffer.allocUnsafe(FRAME_CIPHER);
    let index = range.firstFrame;
    let fill = 0;
    let want = cipherSize(index);
    const open = (): Buffer => {
      const d = createDecipheriv('aes-256-gcm', dataKey, frameIv(ivBase, index), { authTagLength: TAG_LENGTH });
      d.setAAD(aad(index, index === frames - 1));
      d.setAuthTag(buf.subarray(want - TAG_LENGTH, want));
      const plain = d.update(buf.subarray(0, want - TAG_LENGTH));
      try {
        d.final();
      } catch {
        throw corrupt(index, 'failed authentication');
      }
      const base = index * FRAME_PLAIN;
      return plain.subarray(Math.max(0, start - base), empty ? 0 : Math.min(plain.length, end - base + 1));
    };
    for await (const chunk of openCipher(range.start, range.end) as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        if (index > range.lastFrame) throw corrupt(index, 'the stored bytes are longer than expected');
        const n = chunk.copy(buf, fill, at, Math.min(chunk.length, at + want - fill));
        fill += n;
        at += n;
        if (fill === want) {
          const out = open();
          if (out.length) yield out;
          index++;
          fill = 0;
          if (index <= range.lastFrame) want = cipherSize(index);
        }
      }
    }
    if (index <= range.lastFrame) throw corrupt(index, 'the stored bytes end early');
  }
  return Readable.from(frameByFrame(), { objectMode: false });
}
