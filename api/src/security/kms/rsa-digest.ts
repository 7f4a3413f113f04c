// RSA signatures on a digest the caller computed (message_type DIGEST), which node:crypto's sign() cannot take:
// the encodings of RFC 8017 around OpenSSL's raw RSA. PKCS #1 v1.5 is EMSA-PKCS1-v1_5 (the DigestInfo, padded by
// privateEncrypt's block type 1); PSS is EMSA-PSS with MGF1 of the same hash and a salt as long as the digest (as
// AWS KMS signs), then RSASP1 with no padding.
import {
  constants,
  createHash,
  privateEncrypt,
  publicDecrypt,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';

type Hash = 'sha256' | 'sha384' | 'sha512';

/** The DER DigestInfo prefix of each hash (RFC 8017, section 9.2, note 1). */
const DIGEST_INFO: Record<Hash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

const modulusBits = (key: KeyObject) => key.asymmetricKeyDetails!.modulusLength!;

export function signPkcs1Digest(key: KeyObject, hash: Hash, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], digest]));
}

export function verifyPkcs1Digest(key: KeyObject, hash: Hash, digest: Buffer, signature: Buffer): boolean {
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  const expected = Buffer.concat([DIGEST_INFO[hash], digest]);
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

function mgf1(hash: Hash, seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let c = 0, have = 0; have < length; c++) {
    counter.writeUInt32BE(c);
    const block = createHash(hash).update(seed).update(counter).digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** EMSA-PSS-ENCODE (RFC 8017, 9.1.1), salt length = digest length. */
function pssEncode(hash: Hash, digest: Buffer, emBits: number): Buffer {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const maskedDb = xor(db, mgf1(hash, h, emLen - hLen - 1));
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017, 9.1.2), salt length = digest length. */
function pssVerify(hash: Hash, digest: Buffer, em: Buffer, emBits: number): boolean {
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topBits = 0xff >> (8 * emLen - emBits);
  if (maskedDb[0]! & ~topBits) return false;
  const db = xor(maskedDb, mgf1(hash, h, emLen - hLen - 1));
  db[0]! &= topBits;
  const zeros = emLen - 2 * hLen - 2;
  for (let i = 0; i < zeros; i++) if (db[i] !== 0) return false;
  if (db[zeros] !== 1) return false;
  const salt = db.subarray(db.length - hLen);
  const h2 = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  return timingSafeEqual(h, h2);
}

export function signPssDigest(key: KeyObject, hash: Hash, digest: Buffer): Buffer {
  const bits = modulusBits(key);
  const k = Math.ceil(bits / 8);
  const em = pssEncode(hash, digest, bits - 1);
  const input = Buffer.concat([Buffer.alloc(k - em.length), em]);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, input);
}

export function verifyPssDigest(key: KeyObject, hash: Hash, digest: Buffer, signature: Buffer): boolean {
  const bits = modulusBits(key);
  const k = Math.ceil(bits / 8);
  if (signature.length !== k) return false;
  let m: Buffer;
  try {
    m = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emLen = Math.ceil((bits - 1) / 8);
  for (let i = 0; i < m.length - emLen; i++) if (m[i] !== 0) return false;
  return pssVerify(hash, digest, m.subarray(m.length - emLen), bits - 1);
}
