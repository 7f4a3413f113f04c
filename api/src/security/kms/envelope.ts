// The ciphertext blob: self-describing, so decrypt needs no key id. Layout (all integers big-endian):
//
//   0  2  magic "AX"
//   2  1  format version, 1
//   3  1  algorithm: 1 AES-256-GCM (SYMMETRIC_DEFAULT), 2 RSAES_OAEP_SHA_1, 3 RSAES_OAEP_SHA_256
//   4  1  length L of the key id
//   5  L  key id (ASCII, the key's own id, never an alias)
//   5+L 4 key version
//   then AES-256-GCM: 12-byte IV, 16-byte tag, ciphertext; RSA-OAEP: the RSA ciphertext
//
// For AES-256-GCM the additional authenticated data is the header (bytes 0 to 9+L) followed by the encryption
// context as canonical JSON (keys sorted, no whitespace; nothing when the context is empty): a changed header, a
// changed byte anywhere, or another context fails authentication.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionAlgorithm } from './specs.js';

const MAGIC = Buffer.from('AX', 'ascii');
const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM_CODES: Record<EncryptionAlgorithm, number> = {
  SYMMETRIC_DEFAULT: 1,
  RSAES_OAEP_SHA_1: 2,
  RSAES_OAEP_SHA_256: 3,
};
const ALGORITHMS = Object.fromEntries(Object.entries(ALGORITHM_CODES).map(([a, c]) => [c, a])) as Record<
  number,
  EncryptionAlgorithm
>;

export type EncryptionContext = Record<string, string>;

/** The context as bound into the ciphertext: canonical JSON with sorted keys, or no bytes for an empty one. */
export function canonicalContext(context: EncryptionContext | undefined): Buffer {
  const keys = Object.keys(context ?? {}).sort();
  if (!keys.length) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(Object.fromEntries(keys.map((k) => [k, context![k]]))), 'utf8');
}

export interface BlobHeader {
  algorithm: EncryptionAlgorithm;
  keyId: string;
  version: number;
}

export interface ParsedBlob extends BlobHeader {
  /** the header's bytes, part of the AAD */
  header: Buffer;
  /** what follows the header */
  body: Buffer;
}

/** Why a blob is refused; the service turns it into an InvalidCiphertext problem. */
export class BadBlob extends Error {}

function header(h: BlobHeader): Buffer {
  const id = Buffer.from(h.keyId, 'ascii');
  const version = Buffer.alloc(4);
  version.writeUInt32BE(h.version);
  return Buffer.concat([MAGIC, Buffer.from([FORMAT, ALGORITHM_CODES[h.algorithm], id.length]), id, version]);
}

/** The blob's header, or BadBlob when the bytes are not one of ours (a truncated or foreign ciphertext). */
export function parseBlob(blob: Buffer): ParsedBlob {
  if (blob.length < 9 || !blob.subarray(0, 2).equals(MAGIC))
    throw new BadBlob('it is not an AtonixCorp KMS ciphertext');
  if (blob[2] !== FORMAT) throw new BadBlob(`its format version ${blob[2]} is not one this server reads`);
  const algorithm = ALGORITHMS[blob[3]!];
  if (!algorithm) throw new BadBlob('it names no known encryption algorithm');
  const idLength = blob[4]!;
  const end = 5 + idLength + 4;
  if (blob.length < end) throw new BadBlob('it is truncated');
  const keyId = blob.subarray(5, 5 + idLength).toString('ascii');
  if (!/^key-[a-z0-9]{4,40}$/.test(keyId)) throw new BadBlob('it names no valid key');
  const version = blob.readUInt32BE(5 + idLength);
  return { algorithm, keyId, version, header: blob.subarray(0, end), body: blob.subarray(end) };
}

/** AES-256-GCM under one key version's material, bound to the header and the context. */
export function sealSymmetric(
  material: Buffer,
  h: Omit<BlobHeader, 'algorithm'>,
  plaintext: Buffer,
  context?: EncryptionContext,
): Buffer {
  const head = header({ ...h, algorithm: 'SYMMETRIC_DEFAULT' });
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', material, iv);
  c.setAAD(Buffer.concat([head, canonicalContext(context)]));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([head, iv, c.getAuthTag(), body]);
}

/** The plaintext of a symmetric blob, or BadBlob when it was changed or the context differs. */
export function openSymmetric(material: Buffer, blob: ParsedBlob, context?: EncryptionContext): Buffer {
  if (blob.body.length < IV_BYTES + TAG_BYTES) throw new BadBlob('it is truncated');
  const d = createDecipheriv('aes-256-gcm', material, blob.body.subarray(0, IV_BYTES));
  d.setAAD(Buffer.concat([blob.header, canonicalContext(context)]));
  d.setAuthTag(blob.body.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([d.update(blob.body.subarray(IV_BYTES + TAG_BYTES)), d.final()]);
  } catch {
    throw new BadBlob('it was altered, or the encryption context is not the one it was encrypted with');
  }
}

/** An RSA-OAEP ciphertext framed as a blob. */
export const frameAsymmetric = (h: BlobHeader, ciphertext: Buffer): Buffer => Buffer.concat([header(h), ciphertext]);
