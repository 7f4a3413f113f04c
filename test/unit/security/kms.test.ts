// The KMS crypto core without a server: the blob layout, canonical contexts, wrapped material bound to its key and
// version, and DIGEST signatures (our RFC 8017 and P-256 code) checked against node:crypto's own verify and sign.
import { expect } from 'chai';
import { constants, createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { canonicalContext, parseBlob, BadBlob } from '../../../api/src/security/kms/envelope.js';
import { generateMaterial, unwrapMaterial, wrapMaterial } from '../../../api/src/security/kms/material.js';
import { signDigest, verifyDigest } from '../../../api/src/security/kms/p256.js';
import { signPssDigest, verifyPssDigest, signPkcs1Digest } from '../../../api/src/security/kms/rsa-digest.js';
import { decrypt, encrypt, type OpenVersion } from '../../../api/src/security/kms/primitives.js';

const digest = (m: Buffer) => createHash('sha256').update(m).digest();

describe('kms: the ciphertext blob', () => {
  it('is "AX", format 1, the algorithm, the key id and version, then IV, tag and ciphertext', async () => {
    const v: OpenVersion = {
      keyId: 'key-abcd1234',
      spec: 'SYMMETRIC_DEFAULT',
      version: 7,
      material: await generateMaterial('SYMMETRIC_DEFAULT'),
    };
    const blob = encrypt(v, 'SYMMETRIC_DEFAULT', Buffer.from('hello'), { b: '2', a: '1' });
    expect(blob.subarray(0, 5).toString('hex')).to.equal(`415801010c`);
    expect(blob.subarray(5, 17).toString()).to.equal('key-abcd1234');
    expect(blob.readUInt32BE(17)).to.equal(7);
    expect(blob.length).to.equal(21 + 12 + 16 + 5);
    const parsed = parseBlob(blob);
    expect(parsed).to.include({ keyId: 'key-abcd1234', version: 7, algorithm: 'SYMMETRIC_DEFAULT' });
    expect(decrypt(v, parsed, { a: '1', b: '2' }).toString()).to.equal('hello');
    expect(() => decrypt(v, parsed, {})).to.throw(BadBlob);
  });

  it('binds the context as canonical JSON with sorted keys, and an empty context as nothing', () => {
    expect(canonicalContext({ b: '2', a: '1' }).toString()).to.equal('{"a":"1","b":"2"}');
    expect(canonicalContext({}).length).to.equal(0);
    expect(canonicalContext(undefined).length).to.equal(0);
  });

  it('refuses bytes that are not a blob of ours', () => {
    for (const bad of [Buffer.alloc(0), Buffer.from('AX'), Buffer.from('AX\x02\x01\x0ckey-abcd1234\0\0\0\x01')])
      expect(() => parseBlob(bad)).to.throw(BadBlob);
  });
});

describe('kms: wrapped material', () => {
  it('opens only for the key id and version it was wrapped for, and only with its master key', () => {
    const master = Buffer.alloc(32, 1);
    const material = Buffer.alloc(32, 2);
    const wrapped = wrapMaterial(master, 'key-abcd1234', 1, material);
    expect(unwrapMaterial(master, 'key-abcd1234', 1, wrapped).equals(material)).to.equal(true);
    expect(() => unwrapMaterial(master, 'key-abcd1234', 2, wrapped)).to.throw(/master key does not open/);
    expect(() => unwrapMaterial(master, 'key-other000', 1, wrapped)).to.throw(/master key does not open/);
    expect(() => unwrapMaterial(Buffer.alloc(32, 3), 'key-abcd1234', 1, wrapped)).to.throw(/master key/);
  });
});

describe('kms: signatures over a DIGEST', () => {
  const message = Buffer.from('a message hashed by the caller');

  it('P-256: ours verify with node (ECDSA over SHA-256 of the message), and node’s verify with ours', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = privateKey.export({ format: 'jwk' });
    const [d, x, y] = [jwk.d!, jwk.x!, jwk.y!].map((s) => Buffer.from(s, 'base64url'));
    for (let i = 0; i < 5; i++) {
      const ours = signDigest(d!, digest(message));
      expect(verify('sha256', message, publicKey, ours)).to.equal(true);
      const theirs = sign('sha256', message, privateKey);
      expect(verifyDigest(x!, y!, digest(message), theirs)).to.equal(true);
      expect(verifyDigest(x!, y!, digest(Buffer.from('other')), theirs)).to.equal(false);
    }
    expect(verifyDigest(x!, y!, digest(message), Buffer.from('3006020100020100', 'hex'))).to.equal(false);
  });

  it('RSA: PKCS #1 v1.5 equals node’s signature byte for byte; PSS verifies either way', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(signPkcs1Digest(privateKey, 'sha256', digest(message)).equals(sign('sha256', message, privateKey))).to.equal(
      true,
    );
    const pss = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    const ours = signPssDigest(privateKey, 'sha256', digest(message));
    expect(verify('sha256', message, { key: publicKey, ...pss }, ours)).to.equal(true);
    const theirs = sign('sha256', message, { key: privateKey, ...pss });
    expect(verifyPssDigest(publicKey, 'sha256', digest(message), theirs)).to.equal(true);
    expect(verifyPssDigest(publicKey, 'sha256', digest(Buffer.from('x')), theirs)).to.equal(false);
  });
});
