// Key material: made for a key spec, and wrapped at rest by the master key (AES-256-GCM, bound to the key id and
// version, so a wrapped copy moved to another key or version no longer opens). Plain material lives only in memory.
// seal/unseal are that wrapping for any stored secret (an access key's, bound to its id).
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { SPECS, type KeySpec } from './specs.js';

/** Format byte of a wrapped material (so the wrapping can change later without guessing). */
const WRAP_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const keyPair = promisify(generateKeyPair);

/**
 * New material: 32 random bytes (AES-256, HMAC-SHA-256), or a private key as PKCS#8 DER. Key pairs are made on
 * libuv's thread pool (an RSA-4096 prime search takes seconds, which would stall every other request).
 */
export async function generateMaterial(spec: KeySpec): Promise<Buffer> {
  const s = SPECS[spec];
  if (s.family === 'aes' || s.family === 'hmac') return randomBytes(32);
  const pair =
    s.family === 'rsa'
      ? await keyPair('rsa', { modulusLength: s.bits!, publicExponent: 0x10001 })
      : await keyPair('ec', { namedCurve: 'P-256' });
  return pair.privateKey.export({ type: 'pkcs8', format: 'der' });
}

const aad = (keyId: string, version: number) => Buffer.from(`atonix-kms-material\0${keyId}\0${version}`, 'utf8');

/** The material wrapped for storage: base64 of format byte, IV, tag and ciphertext. */
export function wrapMaterial(master: Buffer, keyId: string, version: number, material: Buffer): string {
  return seal(master, aad(keyId, version), material);
}

/** The material of a stored version; throws if the master key is not the one that wrapped it. */
export function unwrapMaterial(master: Buffer, keyId: string, version: number, wrapped: string): Buffer {
  return unseal(master, aad(keyId, version), wrapped, `key ${keyId} version ${version}`);
}

/**
 * `plain` sealed under the master key for storage (AES-256-GCM), bound to `boundTo` (the associated data: what the
 * secret belongs to, so a sealed copy moved to another row no longer opens): base64 of format byte, IV, tag and
 * ciphertext. Key material and access keys' secrets are stored so.
 */
export function seal(master: Buffer, boundTo: Buffer, plain: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', master, iv);
  c.setAAD(boundTo);
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([Buffer.from([WRAP_V1]), iv, c.getAuthTag(), body]).toString('base64');
}

/** What seal() sealed, given the same master key and `boundTo`; throws naming `what` otherwise. */
export function unseal(master: Buffer, boundTo: Buffer, sealed: string, what: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  if (raw[0] !== WRAP_V1) throw new Error(`${what}: unknown material format`);
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const tag = raw.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const d = createDecipheriv('aes-256-gcm', master, iv);
  d.setAAD(boundTo);
  d.setAuthTag(tag);
  try {
    return Buffer.concat([d.update(raw.subarray(1 + IV_BYTES + TAG_BYTES)), d.final()]);
  } catch {
    throw new Error(`${what}: the master key does not open its material (was ATONIX_MASTER_KEY changed?)`);
  }
}

export const privateKeyOf = (material: Buffer): KeyObject =>
  createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });

/** The public key of an asymmetric key's material, as DER SubjectPublicKeyInfo and PEM. */
export function publicKeyOf(material: Buffer): { der: Buffer; pem: string; key: KeyObject } {
  const key = createPublicKey(privateKeyOf(material));
  return {
    der: key.export({ type: 'spki', format: 'der' }),
    pem: key.export({ type: 'spki', format: 'pem' }).toString(),
    key,
  };
}
