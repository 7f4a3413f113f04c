// The keys' cryptographic operations: each finds the caller's key (by id or alias), refuses a key that is not
// enabled or not for this use, checks the algorithm against the key's spec, and runs the primitive. Failures are
// problems (tampered or foreign ciphertext, a context that does not match), never a stack trace.
import { randomBytes } from 'node:crypto';
import type { HandlersOf, OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import type { Schemas } from '../../platform/resources/repo.js';
import { BadBlob, parseBlob, type EncryptionContext, type ParsedBlob } from './envelope.js';
import { keyFor, keys, type KeyRow, type KeyStore } from './key-store.js';
import { publicKeyOf } from './material.js';
import {
  decrypt,
  decryptRsa,
  encrypt,
  mac,
  rsaPlaintextLimit,
  signMessage,
  verifyMac,
  verifySignature,
  type OpenVersion,
} from './primitives.js';
import { hashOf, SPECS, type EncryptionAlgorithm, type KeyUsage, type SigningAlgorithm } from './specs.js';

type CryptoOps =
  | 'encrypt'
  | 'decrypt'
  | 'decryptWithKey'
  | 'reEncrypt'
  | 'generateDataKey'
  | 'sign'
  | 'verify'
  | 'generateMac'
  | 'verifyMac'
  | 'getPublicKey';

const b64 = (b: Buffer) => b.toString('base64');

/** Plaintexts and messages are at most 4096 bytes, as in KMS (base64 length alone cannot say so exactly). */
const MAX_BYTES = 4096;

/** The bytes of a base64 field (the contract checks its alphabet; this, its length and, if given, its size). */
function bytesOf(value: string, field: string, max?: number): Buffer {
  if (value.length % 4 !== 0) throw problems.invalidField(field, 'is not base64: its length is not a multiple of 4');
  const bytes = Buffer.from(value, 'base64');
  if (max !== undefined && bytes.length > max)
    throw problems.invalidField(field, `is ${bytes.length} bytes; at most ${max} are accepted`, 'TooLong');
  return bytes;
}

/** 409 unless the key is enabled; 422 unless it is for `usage`. */
function usable(row: KeyRow, action: string, usage: KeyUsage): KeyRow {
  if (row.key_state !== 'enabled') throw problems.kmsInvalidState(row.id, action, row.key_state, ['enabled']);
  if (row.key_usage !== usage) throw problems.invalidKeyUsage(row.id, row.key_usage, action, usage);
  return row;
}

function checkEncryptionAlgorithm(row: KeyRow, alg: EncryptionAlgorithm, field: string, context?: EncryptionContext) {
  const offered = SPECS[row.key_spec].encryption;
  if (!offered.includes(alg))
    throw problems.invalidField(
      field,
      `${alg} is not an algorithm of ${row.key_spec} keys; use ${offered.join(' or ')}`,
      'UnsupportedAlgorithm',
    );
  if (alg !== 'SYMMETRIC_DEFAULT' && context && Object.keys(context).length)
    throw problems.invalidField(
      'encryption_context',
      'is supported with symmetric keys only (RSA-OAEP has no associated data)',
      'UnsupportedContext',
    );
}

function checkSigningAlgorithm(row: KeyRow, alg: SigningAlgorithm, type: 'RAW' | 'DIGEST', message: Buffer) {
  const offered = SPECS[row.key_spec].signing;
  if (!offered.includes(alg))
    throw problems.invalidField(
      'signing_algorithm',
      `${alg} is not an algorithm of ${row.key_spec} keys; use one of ${offered.join(', ')}`,
      'UnsupportedAlgorithm',
    );
  const { bytes } = hashOf(alg);
  if (type === 'DIGEST' && message.length !== bytes)
    throw problems.invalidField(
      'message',
      `a digest for ${alg} is ${bytes} bytes; this one is ${message.length} (send message_type RAW to have it hashed)`,
      'InvalidDigest',
    );
}

/** IAM's decision on a key the request names only inside a blob (a 403 unless the caller may use it so). */
export type AuthorizeKey = (ctx: OpContext, keyId: string) => Promise<void>;

export function cryptoHandlers(store: KeyStore, authorizeKey: AuthorizeKey): HandlersOf<CryptoOps> {
  /** The key a path names, usable for `action`. */
  const pathKey = async (ctx: OpContext, action: string, usage: KeyUsage) =>
    usable(await keyFor(ctx.db, ctx.principal, ctx.params.id), action, usage);

  const newest = (row: KeyRow) => store.open(row)!;

  /** The blob's key (one of the caller's, enabled, for encryption) and the version that made it. */
  async function blobKey(
    ctx: OpContext,
    blob: ParsedBlob,
    action: string,
    field = 'ciphertext_blob',
  ): Promise<{ row: KeyRow; version: OpenVersion }> {
    const row = await keys.get(ctx.db, ctx.principal, blob.keyId).catch(() => {
      throw problems.invalidCiphertext('it was made with a key that does not exist or is not yours', field);
    });
    // The path named no key (or another one): IAM decides on the blob's key, as KMS authorizes Decrypt on the key
    // the ciphertext names.
    if (ctx.params.id !== row.id) await authorizeKey(ctx, row.id);
    usable(row, action, 'ENCRYPT_DECRYPT');
    const version = store.open(row, blob.version);
    if (!version)
      throw problems.invalidCiphertext(`it names version ${blob.version}, which key ${row.id} never had`, field);
    return { row, version };
  }

  const parsed = (bytes: Buffer, field = 'ciphertext_blob') => {
    try {
      return parseBlob(bytes);
    } catch (e) {
      if (e instanceof BadBlob) throw problems.invalidCiphertext(e.message, field);
      throw e;
    }
  };

  const opened = (version: OpenVersion, blob: ParsedBlob, context: EncryptionContext | undefined, field: string) => {
    if (blob.algorithm !== 'SYMMETRIC_DEFAULT' && context && Object.keys(context).length)
      throw problems.invalidField(
        field.replace('ciphertext_blob', 'encryption_context'),
        'is supported with symmetric keys only',
        'UnsupportedContext',
      );
    try {
      return decrypt(version, blob, context);
    } catch (e) {
      if (e instanceof BadBlob) throw problems.invalidCiphertext(e.message, field);
      throw e;
    }
  };

  /** Decrypts for a caller: the blob's key when `row` is undefined, else `row`, which must be the blob's. */
  async function decryptFor(ctx: OpContext<'decrypt'> | OpContext<'decryptWithKey'>, row?: KeyRow) {
    const b = ctx.body;
    const bytes = bytesOf(b.ciphertext_blob, 'ciphertext_blob');
    // A bare RSA-OAEP ciphertext (made elsewhere with the public key) is exactly the modulus long; ours are longer.
    if (row && SPECS[row.key_spec].family === 'rsa' && bytes.length === SPECS[row.key_spec].bits! / 8) {
      const alg = b.encryption_algorithm;
      if (!alg || alg === 'SYMMETRIC_DEFAULT')
        throw problems.invalidField(
          'encryption_algorithm',
          'is required to decrypt a bare RSA ciphertext: RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256',
          'Required',
        );
      try {
        return { row, version: 1, alg, plaintext: decryptRsa(newest(row), alg, bytes) };
      } catch (e) {
        if (e instanceof BadBlob) throw problems.invalidCiphertext(e.message);
        throw e;
      }
    }
    const blob = parsed(bytes);
    if (row && blob.keyId !== row.id) throw problems.incorrectKey(row.id, blob.keyId);
    if (b.encryption_algorithm && b.encryption_algorithm !== blob.algorithm)
      throw problems.invalidCiphertext(`it was encrypted with ${blob.algorithm}, not ${b.encryption_algorithm}`);
    const { row: key, version } = await blobKey(ctx, blob, 'decrypt');
    const plaintext = opened(version, blob, b.encryption_context, 'ciphertext_blob');
    return { row: key, version: version.version, alg: blob.algorithm, plaintext };
  }

  const decrypted = (ctx: OpContext, r: Awaited<ReturnType<typeof decryptFor>>) => {
    ctx.audit = {
      resource_type: 'key',
      resource_id: r.row.id,
      details: { key_version: r.version, encryption_algorithm: r.alg },
    };
    return {
      status: 200,
      body: { plaintext: b64(r.plaintext), key_id: r.row.id, key_version: r.version, encryption_algorithm: r.alg },
    };
  };

  return {
    async encrypt(ctx) {
      const row = await pathKey(ctx, 'encrypt', 'ENCRYPT_DECRYPT');
      const b = ctx.body;
      const alg = b.encryption_algorithm ?? 'SYMMETRIC_DEFAULT';
      checkEncryptionAlgorithm(row, alg, 'encryption_algorithm', b.encryption_context);
      const plaintext = bytesOf(b.plaintext, 'plaintext', MAX_BYTES);
      if (alg !== 'SYMMETRIC_DEFAULT' && plaintext.length > rsaPlaintextLimit(row.key_spec, alg))
        throw problems.invalidField(
          'plaintext',
          `is ${plaintext.length} bytes; ${alg} with a ${row.key_spec} key takes at most ${rsaPlaintextLimit(row.key_spec, alg)} (encrypt a data key instead)`,
          'PlaintextTooLong',
        );
      const v = newest(row);
      const blob = encrypt(v, alg, plaintext, b.encryption_context);
      ctx.audit = {
        resource_type: 'key',
        resource_id: row.id,
        details: { key_version: v.version, encryption_algorithm: alg },
      };
      return {
        status: 200,
        body: { ciphertext_blob: b64(blob), key_id: row.id, key_version: v.version, encryption_algorithm: alg },
      };
    },

    async decrypt(ctx) {
      return decrypted(ctx, await decryptFor(ctx));
    },

    async decryptWithKey(ctx) {
      const row = await pathKey(ctx, 'decrypt', 'ENCRYPT_DECRYPT');
      return decrypted(ctx, await decryptFor(ctx, row));
    },

    // The plaintext never leaves the service: decrypted under the blob's key, encrypted under the path's.
    async reEncrypt(ctx) {
      const dest = await pathKey(ctx, 're-encrypt', 'ENCRYPT_DECRYPT');
      const b = ctx.body;
      const alg = b.destination_encryption_algorithm ?? 'SYMMETRIC_DEFAULT';
      checkEncryptionAlgorithm(dest, alg, 'destination_encryption_algorithm', b.destination_encryption_context);
      const blob = parsed(bytesOf(b.ciphertext_blob, 'ciphertext_blob'));
      const source = await blobKey(ctx, blob, 're-encrypt');
      const plaintext = opened(source.version, blob, b.source_encryption_context, 'ciphertext_blob');
      if (alg !== 'SYMMETRIC_DEFAULT' && plaintext.length > rsaPlaintextLimit(dest.key_spec, alg))
        throw problems.invalidField(
          'destination_encryption_algorithm',
          `the plaintext is ${plaintext.length} bytes, more than ${alg} with a ${dest.key_spec} key takes`,
          'PlaintextTooLong',
        );
      const v = newest(dest);
      const out = encrypt(v, alg, plaintext, b.destination_encryption_context);
      ctx.audit = {
        resource_type: 'key',
        resource_id: dest.id,
        details: { source_key_id: source.row.id, source_key_version: source.version.version, key_version: v.version },
      };
      return {
        status: 200,
        body: {
          ciphertext_blob: b64(out),
          key_id: dest.id,
          key_version: v.version,
          source_key_id: source.row.id,
          source_key_version: source.version.version,
        },
      };
    },

    async generateDataKey(ctx) {
      const row = await pathKey(ctx, 'generate-data-key', 'ENCRYPT_DECRYPT');
      if (!SPECS[row.key_spec].rotates)
        throw problems.unsupportedKeyOperation(row.id, row.key_spec, 'generate-data-key');
      // An optional body is {} when none was sent (the pipeline fills it in).
      const b = ctx.body as Schemas['GenerateDataKeyRequest'];
      if (b.key_spec && b.number_of_bytes)
        throw problems.invalidField('number_of_bytes', 'give key_spec or number_of_bytes, not both', 'Conflict');
      const length = b.number_of_bytes ?? (b.key_spec === 'AES_128' ? 16 : 32);
      const plaintext = randomBytes(length);
      const v = newest(row);
      const blob = encrypt(v, 'SYMMETRIC_DEFAULT', plaintext, b.encryption_context);
      ctx.audit = { resource_type: 'key', resource_id: row.id, details: { key_version: v.version, bytes: length } };
      return {
        status: 200,
        body: { plaintext: b64(plaintext), ciphertext_blob: b64(blob), key_id: row.id, key_version: v.version },
      };
    },

    async sign(ctx) {
      const row = await pathKey(ctx, 'sign', 'SIGN_VERIFY');
      const b = ctx.body;
      const type = b.message_type ?? 'RAW';
      const message = bytesOf(b.message, 'message', MAX_BYTES);
      checkSigningAlgorithm(row, b.signing_algorithm, type, message);
      const v = newest(row);
      const signature = signMessage(v, b.signing_algorithm, type, message);
      ctx.audit = {
        resource_type: 'key',
        resource_id: row.id,
        details: { signing_algorithm: b.signing_algorithm, message_type: type },
      };
      return {
        status: 200,
        body: {
          signature: b64(signature),
          key_id: row.id,
          key_version: v.version,
          signing_algorithm: b.signing_algorithm,
        },
      };
    },

    async verify(ctx) {
      const row = await pathKey(ctx, 'verify', 'SIGN_VERIFY');
      const b = ctx.body;
      const type = b.message_type ?? 'RAW';
      const message = bytesOf(b.message, 'message', MAX_BYTES);
      checkSigningAlgorithm(row, b.signing_algorithm, type, message);
      const valid = verifySignature(newest(row), b.signing_algorithm, type, message, bytesOf(b.signature, 'signature'));
      ctx.audit = {
        resource_type: 'key',
        resource_id: row.id,
        details: { signing_algorithm: b.signing_algorithm, message_type: type, signature_valid: valid },
      };
      return { status: 200, body: { signature_valid: valid, key_id: row.id, signing_algorithm: b.signing_algorithm } };
    },

    async generateMac(ctx) {
      const row = await pathKey(ctx, 'generate-mac', 'GENERATE_VERIFY_MAC');
      const v = newest(row);
      const tag = mac(v, bytesOf(ctx.body.message, 'message', MAX_BYTES));
      ctx.audit = { resource_type: 'key', resource_id: row.id, details: { mac_algorithm: ctx.body.mac_algorithm } };
      return {
        status: 200,
        body: { mac: b64(tag), key_id: row.id, key_version: v.version, mac_algorithm: ctx.body.mac_algorithm },
      };
    },

    async verifyMac(ctx) {
      const row = await pathKey(ctx, 'verify-mac', 'GENERATE_VERIFY_MAC');
      const valid = verifyMac(
        newest(row),
        bytesOf(ctx.body.message, 'message', MAX_BYTES),
        bytesOf(ctx.body.mac, 'mac'),
      );
      ctx.audit = {
        resource_type: 'key',
        resource_id: row.id,
        details: { mac_algorithm: ctx.body.mac_algorithm, mac_valid: valid },
      };
      return { status: 200, body: { mac_valid: valid, key_id: row.id, mac_algorithm: ctx.body.mac_algorithm } };
    },

    async getPublicKey(ctx) {
      const row = await keyFor(ctx.db, ctx.principal, ctx.params.id);
      const family = SPECS[row.key_spec].family;
      if (family !== 'rsa' && family !== 'ec')
        throw problems.unsupportedKeyOperation(row.id, row.key_spec, 'public-key', 'asymmetric (RSA and ECC)');
      if (row.key_state !== 'enabled') throw problems.kmsInvalidState(row.id, 'public-key', row.key_state, ['enabled']);
      const pub = publicKeyOf(newest(row).material);
      ctx.audit = { resource_type: 'key', resource_id: row.id };
      return {
        status: 200,
        body: {
          key_id: row.id,
          key_spec: row.key_spec,
          key_usage: row.key_usage,
          public_key: b64(pub.der),
          public_key_pem: pub.pem,
          encryption_algorithms: row.key_usage === 'ENCRYPT_DECRYPT' ? SPECS[row.key_spec].encryption : [],
          signing_algorithms: row.key_usage === 'SIGN_VERIFY' ? SPECS[row.key_spec].signing : [],
        },
      };
    },
  };
}
