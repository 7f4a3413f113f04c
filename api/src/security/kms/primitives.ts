// The cryptographic operations on one key version's plain material: encrypt and decrypt (blob in, blob out),
// sign and verify (RAW messages through OpenSSL, DIGESTs through rsa-digest.ts and p256.ts), and HMAC. Pure
// functions; the service checks states, usages and algorithms before calling them.
import { constants, createHmac, publicEncrypt, privateDecrypt, sign, timingSafeEqual, verify } from 'node:crypto';
import {
  BadBlob,
  frameAsymmetric,
  openSymmetric,
  sealSymmetric,
  type EncryptionContext,
  type ParsedBlob,
} from './envelope.js';
import { privateKeyOf, publicKeyOf } from './material.js';
import { signDigest, verifyDigest } from './p256.js';
import { signPkcs1Digest, signPssDigest, verifyPkcs1Digest, verifyPssDigest } from './rsa-digest.js';
import { hashOf, SPECS, type EncryptionAlgorithm, type KeySpec, type SigningAlgorithm } from './specs.js';

/** One version of a key, its material unwrapped. */
export interface OpenVersion {
  keyId: string;
  spec: KeySpec;
  version: number;
  material: Buffer;
}

export type MessageType = 'RAW' | 'DIGEST';

const oaepHash = (alg: EncryptionAlgorithm) => (alg === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256');

/** The largest plaintext RSA-OAEP takes with this key size and hash (k - 2·hLen - 2). */
export function rsaPlaintextLimit(spec: KeySpec, alg: EncryptionAlgorithm): number {
  return SPECS[spec].bits! / 8 - 2 * (alg === 'RSAES_OAEP_SHA_1' ? 20 : 32) - 2;
}

export function encrypt(
  v: OpenVersion,
  alg: EncryptionAlgorithm,
  plaintext: Buffer,
  context?: EncryptionContext,
): Buffer {
  if (alg === 'SYMMETRIC_DEFAULT') return sealSymmetric(v.material, v, plaintext, context);
  const { key } = publicKeyOf(v.material);
  const ciphertext = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) },
    plaintext,
  );
  return frameAsymmetric({ algorithm: alg, keyId: v.keyId, version: v.version }, ciphertext);
}

/** Decrypts a parsed blob (or, for RSA, a bare OAEP ciphertext made elsewhere with the public key). */
export function decrypt(v: OpenVersion, blob: ParsedBlob, context?: EncryptionContext): Buffer {
  if (blob.algorithm === 'SYMMETRIC_DEFAULT') return openSymmetric(v.material, blob, context);
  return decryptRsa(v, blob.algorithm, blob.body);
}

export function decryptRsa(v: OpenVersion, alg: EncryptionAlgorithm, ciphertext: Buffer): Buffer {
  try {
    return privateDecrypt(
      { key: privateKeyOf(v.material), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) },
      ciphertext,
    );
  } catch {
    throw new BadBlob(`it is not an ${alg} ciphertext of this key`);
  }
}

const pssOptions = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };

export function signMessage(v: OpenVersion, alg: SigningAlgorithm, type: MessageType, message: Buffer): Buffer {
  const hash = hashOf(alg).name;
  const key = privateKeyOf(v.material);
  const pss = alg.startsWith('RSASSA_PSS');
  if (type === 'RAW') return sign(hash, message, pss ? { key, ...pssOptions } : key);
  if (alg === 'ECDSA_SHA_256') {
    const jwk = key.export({ format: 'jwk' });
    return signDigest(Buffer.from(jwk.d!, 'base64url'), message);
  }
  return pss ? signPssDigest(key, hash, message) : signPkcs1Digest(key, hash, message);
}

export function verifySignature(
  v: OpenVersion,
  alg: SigningAlgorithm,
  type: MessageType,
  message: Buffer,
  signature: Buffer,
): boolean {
  const hash = hashOf(alg).name;
  const { key } = publicKeyOf(v.material);
  const pss = alg.startsWith('RSASSA_PSS');
  try {
    if (type === 'RAW') return verify(hash, message, pss ? { key, ...pssOptions } : key, signature);
  } catch {
    return false; // a malformed signature
  }
  if (alg === 'ECDSA_SHA_256') {
    const jwk = key.export({ format: 'jwk' });
    return verifyDigest(Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url'), message, signature);
  }
  return pss ? verifyPssDigest(key, hash, message, signature) : verifyPkcs1Digest(key, hash, message, signature);
}

export const mac = (v: OpenVersion, message: Buffer): Buffer =>
  createHmac('sha256', v.material).update(message).digest();

export function verifyMac(v: OpenVersion, message: Buffer, tag: Buffer): boolean {
  const expected = mac(v, message);
  return tag.length === expected.length && timingSafeEqual(tag, expected);
}
