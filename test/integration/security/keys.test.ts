// Keys with KMS semantics, against the real app: every spec's round trips, signatures OpenSSL verifies, rotation
// (on demand and by the clock), the deletion window on a manual clock, refusals as problems, and the master key.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../api/src/platform/config.js';
import { loadMasterKey, MASTER_KEY_FILE } from '../../../api/src/security/kms/master-key.js';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';

type Agent = TestApp['admin'];
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const DAY = 86_400;

describe('security: keys (KMS)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let me: Agent;
  let other: Agent;
  let dir: string;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    me = app.as((await newUser(app, 'kms-owner')).token);
    other = app.as((await newUser(app, 'kms-other')).token);
    dir = mkdtempSync(join(tmpdir(), 'atonix-kms-test-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await app.close();
  });

  const create = async (body: Record<string, unknown>, as = me) =>
    (
      await as
        .post('/api/security/keys')
        .send({ name: 'k', ...body })
        .expect(201)
    ).body;
  const call = (id: string, action: string, body?: object, as = me) => {
    const r = as.post(`/api/security/keys/${encodeURIComponent(id)}/${action}`);
    return body === undefined ? r : r.send(body);
  };
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  describe('createKey', () => {
    it('makes an enabled SYMMETRIC_DEFAULT key with its first version and says what it can do, never its material', async () => {
      const k = await create({ description: 'billing' });
      expect(k).to.include({
        key_spec: 'SYMMETRIC_DEFAULT',
        key_usage: 'ENCRYPT_DECRYPT',
        key_state: 'enabled',
        is_enabled: true,
        enable_key_rotation: false,
        rotation_period_in_days: 365,
        next_rotation_date: null,
        deletion_window_in_days: 30,
        deletion_date: null,
        current_key_version: 1,
      });
      expect(k.id).to.match(/^key-/);
      expect(k.encryption_algorithms).to.deep.equal(['SYMMETRIC_DEFAULT']);
      expect(k.key_versions).to.have.length(1);
      expect(k.key_versions[0]).to.include({ version: 1, origin: 'created' });
      const read = await me.get(`/api/security/keys/${k.id}`).expect(200);
      expect(JSON.stringify(read.body)).to.not.match(/material/);
      const list = await me.get('/api/security/keys').expect(200);
      expect(JSON.stringify(list.body)).to.not.match(/material/);
    });

    it('stores each version wrapped by the master key, never as plain material', async () => {
      const k = await create({});
      const row = await app.platform.db('keys').where({ id: k.id }).first('versions');
      const wrapped = Buffer.from(row.versions[0].material, 'base64');
      expect(wrapped.length).to.equal(1 + 12 + 16 + 32); // format, IV, tag, the 32 bytes sealed
    });

    it('refuses a spec and usage that do not go together, naming key_usage', async () => {
      for (const [key_spec, key_usage] of [
        ['HMAC_256', 'ENCRYPT_DECRYPT'],
        ['ECC_NIST_P256', 'ENCRYPT_DECRYPT'],
        ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY'],
        ['RSA_2048', 'GENERATE_VERIFY_MAC'],
      ]) {
        const r = await me.post('/api/security/keys').send({ name: 'bad', key_spec, key_usage }).expect(422);
        expect(r.body.errors[0]).to.include({ pointer: '/key_usage', code: 'InvalidKeyUsage' });
      }
      const hmac = await me.post('/api/security/keys').send({ name: 'hmac', key_spec: 'HMAC_256' }).expect(422);
      expect(hmac.body.detail).to.match(/GENERATE_VERIFY_MAC/);
    });

    it('refuses rotation settings on keys that do not rotate', async () => {
      const r = await me
        .post('/api/security/keys')
        .send({ name: 'r', key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY', enable_key_rotation: true })
        .expect(422);
      expect(r.body.errors[0]).to.include({ pointer: '/enable_key_rotation', code: 'UnsupportedOperation' });
      const p = await me
        .post('/api/security/keys')
        .send({ name: 'p', key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC', rotation_period_in_days: 100 })
        .expect(422);
      expect(p.body.errors[0].pointer).to.equal('/rotation_period_in_days');
      const hmac = await create({ key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC' });
      expect(hmac.rotation_period_in_days).to.equal(null);
      await me.post('/api/security/keys').send({ name: 'q', rotation_period_in_days: 89 }).expect(422);
    });
  });

  describe('encrypt and decrypt (SYMMETRIC_DEFAULT)', () => {
    it('round-trips with an encryption context, by the blob alone or by the key, and the context must match', async () => {
      const k = await create({});
      const context = { tenant: 'acme', purpose: 'invoices' };
      const enc = await call(k.id, 'encrypt', { plaintext: b64('card 4111'), encryption_context: context }).expect(200);
      expect(enc.body).to.include({ key_id: k.id, key_version: 1, encryption_algorithm: 'SYMMETRIC_DEFAULT' });
      const blob = enc.body.ciphertext_blob;
      // The same context in another key order is the same canonical context.
      const any = await me
        .post('/api/security/keys/decrypt')
        .send({ ciphertext_blob: blob, encryption_context: { purpose: 'invoices', tenant: 'acme' } })
        .expect(200);
      expect(Buffer.from(any.body.plaintext, 'base64').toString()).to.equal('card 4111');
      expect(any.headers['cache-control']).to.equal('no-store');
      const byKey = await call(k.id, 'decrypt', { ciphertext_blob: blob, encryption_context: context }).expect(200);
      expect(byKey.body).to.include({ key_id: k.id, key_version: 1 });
      for (const wrong of [
        undefined,
        { tenant: 'acme' },
        { ...context, extra: 'x' },
        { ...context, tenant: 'other' },
      ]) {
        const r = await me
          .post('/api/security/keys/decrypt')
          .send({ ciphertext_blob: blob, ...(wrong && { encryption_context: wrong }) })
          .expect(422);
        expect(r.body.code).to.equal('InvalidCiphertext');
        expect(r.body.errors[0].pointer).to.equal('/ciphertext_blob');
      }
    });

    it('refuses a tampered, truncated or foreign blob with InvalidCiphertext, never a 500', async () => {
      const k = await create({});
      const blob = Buffer.from(
        (await call(k.id, 'encrypt', { plaintext: b64('x'.repeat(100)) }).expect(200)).body.ciphertext_blob,
        'base64',
      );
      const flips = [blob.length - 1, blob.length - 40, 8, 3, 0]; // ciphertext, tag, version, algorithm, magic
      for (const at of flips) {
        const bad = Buffer.from(blob);
        bad[at]! ^= 1;
        const r = await me
          .post('/api/security/keys/decrypt')
          .send({ ciphertext_blob: b64(bad) })
          .expect(422);
        expect(r.body.code, `byte ${at}`).to.equal('InvalidCiphertext');
      }
      for (const bad of [blob.subarray(0, 20), Buffer.from('not a blob at all'), Buffer.alloc(64)]) {
        const r = await me
          .post('/api/security/keys/decrypt')
          .send({ ciphertext_blob: b64(bad) })
          .expect(422);
        expect(r.body.code).to.equal('InvalidCiphertext');
      }
      const notB64 = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: 'abcde' }).expect(422);
      expect(notB64.body.errors[0].pointer).to.equal('/ciphertext_blob');
    });

    it("keeps another owner's keys out: their key is a 404, their blob an InvalidCiphertext", async () => {
      const theirs = await create({}, other);
      const blob = (await call(theirs.id, 'encrypt', { plaintext: b64('theirs') }, other).expect(200)).body
        .ciphertext_blob;
      const path = await call(theirs.id, 'decrypt', { ciphertext_blob: blob }).expect(404);
      expect(path.body.code).to.equal('NotFound');
      const r = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(422);
      expect(r.body.code).to.equal('InvalidCiphertext');
      expect(r.body.detail).to.match(/does not exist or is not yours/);
      // Admins see every key, as everywhere.
      await app.admin.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(200);
    });

    it('refuses a blob of one key sent to another (IncorrectKey), and keys of another usage (InvalidKeyUsage)', async () => {
      const a = await create({});
      const b = await create({});
      const blob = (await call(a.id, 'encrypt', { plaintext: b64('a') }).expect(200)).body.ciphertext_blob;
      const wrong = await call(b.id, 'decrypt', { ciphertext_blob: blob }).expect(422);
      expect(wrong.body).to.include({ code: 'IncorrectKey' });
      const mac = await create({ key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC' });
      const r = await call(mac.id, 'encrypt', { plaintext: b64('a') }).expect(422);
      expect(r.body).to.include({ code: 'InvalidKeyUsage', key_usage: 'GENERATE_VERIFY_MAC' });
      const alg = await call(a.id, 'encrypt', { plaintext: b64('a'), encryption_algorithm: 'RSAES_OAEP_SHA_256' });
      expect(alg.status).to.equal(422);
      expect(alg.body.errors[0].pointer).to.equal('/encryption_algorithm');
    });

    it('encrypts up to 4096 bytes', async () => {
      const k = await create({});
      const big = Buffer.alloc(4096, 7);
      const enc = await call(k.id, 'encrypt', { plaintext: b64(big) }).expect(200);
      const dec = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: enc.body.ciphertext_blob });
      expect(Buffer.from(dec.body.plaintext, 'base64').equals(big)).to.equal(true);
      await call(k.id, 'encrypt', { plaintext: b64(Buffer.alloc(4097)) }).expect(422);
    });
  });

  describe('encrypt and decrypt (RSA ENCRYPT_DECRYPT)', () => {
    it('round-trips with both OAEP variants, decrypts what OpenSSL encrypted with the public key, and bounds the plaintext', async () => {
      const k = await create({ key_spec: 'RSA_2048' });
      expect(k.encryption_algorithms).to.deep.equal(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
      for (const encryption_algorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']) {
        const enc = await call(k.id, 'encrypt', { plaintext: b64('rsa secret'), encryption_algorithm }).expect(200);
        const dec = await me
          .post('/api/security/keys/decrypt')
          .send({ ciphertext_blob: enc.body.ciphertext_blob })
          .expect(200);
        expect(Buffer.from(dec.body.plaintext, 'base64').toString()).to.equal('rsa secret');
        expect(dec.body.encryption_algorithm).to.equal(encryption_algorithm);
      }
      const pub = (await call(k.id, 'public-key').expect(200)).body;
      writeFileSync(join(dir, 'rsa-enc.pem'), pub.public_key_pem);
      writeFileSync(join(dir, 'plain.bin'), 'made by openssl');
      openssl([
        'pkeyutl',
        '-encrypt',
        '-pubin',
        '-inkey',
        'rsa-enc.pem',
        '-pkeyopt',
        'rsa_padding_mode:oaep',
        '-pkeyopt',
        'rsa_oaep_md:sha256',
        '-in',
        'plain.bin',
        '-out',
        'ct.bin',
      ]);
      const ct = readFileSync(join(dir, 'ct.bin')).toString('base64');
      const bare = await call(k.id, 'decrypt', { ciphertext_blob: ct, encryption_algorithm: 'RSAES_OAEP_SHA_256' });
      expect(bare.status).to.equal(200);
      expect(Buffer.from(bare.body.plaintext, 'base64').toString()).to.equal('made by openssl');
      const noAlg = await call(k.id, 'decrypt', { ciphertext_blob: ct }).expect(422);
      expect(noAlg.body.errors[0].pointer).to.equal('/encryption_algorithm');
      const tooLong = await call(k.id, 'encrypt', {
        plaintext: b64(Buffer.alloc(191)),
        encryption_algorithm: 'RSAES_OAEP_SHA_256',
      }).expect(422);
      expect(tooLong.body.detail).to.match(/at most 190/);
      const ctx = await call(k.id, 'encrypt', {
        plaintext: b64('x'),
        encryption_algorithm: 'RSAES_OAEP_SHA_1',
        encryption_context: { a: 'b' },
      }).expect(422);
      expect(ctx.body.errors[0].pointer).to.equal('/encryption_context');
      await call(k.id, 'generate-data-key').expect(422);
    });
  });

  describe('generateDataKey and reEncrypt', () => {
    it('gives a data key once: its wrapped copy decrypts to its plaintext, and a replay never shows it again', async () => {
      const k = await create({});
      const context = { file: 'a.tar' };
      const r = await call(k.id, 'generate-data-key', { encryption_context: context })
        .set('Idempotency-Key', 'dk-1')
        .expect(200);
      expect(r.headers['cache-control']).to.equal('no-store');
      const plaintext = Buffer.from(r.body.plaintext, 'base64');
      expect(plaintext.length).to.equal(32);
      const dec = await me
        .post('/api/security/keys/decrypt')
        .send({ ciphertext_blob: r.body.ciphertext_blob, encryption_context: context })
        .expect(200);
      expect(Buffer.from(dec.body.plaintext, 'base64').equals(plaintext)).to.equal(true);
      const again = await call(k.id, 'generate-data-key', { encryption_context: context })
        .set('Idempotency-Key', 'dk-1')
        .expect(200);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.body).to.not.have.property('plaintext');
      expect(again.body.ciphertext_blob).to.equal(r.body.ciphertext_blob);
      const stored = await app.platform.db('idempotency_keys').where({ key: 'dk-1' }).first('response_body');
      expect(JSON.stringify(stored.response_body)).to.not.include(r.body.plaintext);
      const audit = await app.platform
        .db('audit_logs')
        .where({ resource_id: k.id, action: 'security:GenerateDataKey' });
      expect(JSON.stringify(audit)).to.not.include(r.body.plaintext);
      const short = await call(k.id, 'generate-data-key', { key_spec: 'AES_128' }).expect(200);
      expect(Buffer.from(short.body.plaintext, 'base64').length).to.equal(16);
      const n = await call(k.id, 'generate-data-key', { number_of_bytes: 7 }).expect(200);
      expect(Buffer.from(n.body.plaintext, 'base64').length).to.equal(7);
      await call(k.id, 'generate-data-key', { number_of_bytes: 7, key_spec: 'AES_256' }).expect(422);
    });

    it('keeps a decrypted plaintext out of the idempotency store too', async () => {
      const k = await create({});
      const blob = (await call(k.id, 'encrypt', { plaintext: b64('replay me') }).expect(200)).body.ciphertext_blob;
      const first = await me
        .post('/api/security/keys/decrypt')
        .set('Idempotency-Key', 'dec-1')
        .send({ ciphertext_blob: blob })
        .expect(200);
      expect(first.body.plaintext).to.equal(b64('replay me'));
      const again = await me
        .post('/api/security/keys/decrypt')
        .set('Idempotency-Key', 'dec-1')
        .send({ ciphertext_blob: blob })
        .expect(200);
      expect(again.body).to.not.have.property('plaintext');
    });

    it('moves a ciphertext to another key and context without the plaintext leaving the service', async () => {
      const a = await create({});
      const b = await create({});
      const blob = (
        await call(a.id, 'encrypt', { plaintext: b64('moving'), encryption_context: { v: '1' } }).expect(200)
      ).body.ciphertext_blob;
      const moved = await call(b.id, 're-encrypt', {
        ciphertext_blob: blob,
        source_encryption_context: { v: '1' },
        destination_encryption_context: { v: '2' },
      }).expect(200);
      expect(moved.body).to.include({ key_id: b.id, source_key_id: a.id, source_key_version: 1, key_version: 1 });
      expect(moved.body).to.not.have.property('plaintext');
      const dec = await call(b.id, 'decrypt', {
        ciphertext_blob: moved.body.ciphertext_blob,
        encryption_context: { v: '2' },
      });
      expect(Buffer.from(dec.body.plaintext, 'base64').toString()).to.equal('moving');
      const wrongCtx = await call(b.id, 're-encrypt', { ciphertext_blob: blob }).expect(422);
      expect(wrongCtx.body.code).to.equal('InvalidCiphertext');
    });
  });

  describe('sign and verify', () => {
    const digest = (m: Buffer, alg: string) =>
      createHash(alg.endsWith('384') ? 'sha384' : alg.endsWith('512') ? 'sha512' : 'sha256')
        .update(m)
        .digest();

    for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256']) {
      it(`${spec}: signs RAW messages and DIGESTs with every algorithm of the spec; verify holds, a changed message does not`, async () => {
        const k = await create({ key_spec: spec, key_usage: 'SIGN_VERIFY' });
        const message = Buffer.from(`signed by ${spec}`);
        for (const signing_algorithm of k.signing_algorithms as string[]) {
          for (const message_type of ['RAW', 'DIGEST']) {
            const m = message_type === 'RAW' ? message : digest(message, signing_algorithm);
            const s = await call(k.id, 'sign', { message: b64(m), message_type, signing_algorithm }).expect(200);
            const at = `${signing_algorithm} ${message_type}`;
            const check = (msg: Buffer, type = message_type) =>
              call(k.id, 'verify', {
                message: b64(msg),
                message_type: type,
                signing_algorithm,
                signature: s.body.signature,
              }).expect(200);
            expect((await check(m)).body.signature_valid, at).to.equal(true);
            // A RAW signature is a signature over the message's digest, and the other way round.
            const swapped = message_type === 'RAW' ? digest(message, signing_algorithm) : message;
            expect((await check(swapped, message_type === 'RAW' ? 'DIGEST' : 'RAW')).body.signature_valid, at).to.equal(
              true,
            );
            const changed = Buffer.from(m);
            changed[0]! ^= 1;
            expect((await check(changed)).body.signature_valid, at).to.equal(false);
          }
        }
        expect(k.signing_algorithms.length).to.equal(spec.startsWith('RSA') ? 6 : 1);
      });
    }

    it('makes signatures OpenSSL verifies with the exported public key (RSA PSS and PKCS #1 v1.5, ECDSA)', async () => {
      const rsa = await create({ key_spec: 'RSA_2048', key_usage: 'SIGN_VERIFY' });
      const ec = await create({ key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY' });
      const message = Buffer.from('verify me with openssl');
      writeFileSync(join(dir, 'msg.bin'), message);
      const cases: [any, string, string[]][] = [
        [rsa, 'RSASSA_PSS_SHA_256', ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:-1']],
        [rsa, 'RSASSA_PKCS1_V1_5_SHA_256', []],
        [ec, 'ECDSA_SHA_256', []],
      ];
      for (const [key, signing_algorithm, opts] of cases) {
        const pub = (await call(key.id, 'public-key').expect(200)).body;
        // The DER and the PEM are the same key.
        const der = Buffer.from(pub.public_key, 'base64');
        const pemBody = pub.public_key_pem.replace(/-----[^-]+-----|\s/g, '');
        expect(Buffer.from(pemBody, 'base64').equals(der)).to.equal(true);
        writeFileSync(join(dir, 'pub.pem'), pub.public_key_pem);
        for (const message_type of ['RAW', 'DIGEST']) {
          const m = message_type === 'RAW' ? message : digest(message, signing_algorithm);
          const s = await call(key.id, 'sign', { message: b64(m), message_type, signing_algorithm }).expect(200);
          writeFileSync(join(dir, 'sig.bin'), Buffer.from(s.body.signature, 'base64'));
          const out = openssl([
            'dgst',
            '-sha256',
            '-verify',
            'pub.pem',
            ...opts,
            '-signature',
            'sig.bin',
            'msg.bin',
          ]).toString();
          expect(out, `${signing_algorithm} ${message_type}`).to.match(/Verified OK/);
        }
      }
    });

    it('refuses an algorithm of another spec, a digest of the wrong length, and a key for encryption', async () => {
      const ec = await create({ key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY' });
      const alg = await call(ec.id, 'sign', { message: b64('m'), signing_algorithm: 'RSASSA_PSS_SHA_256' }).expect(422);
      expect(alg.body.errors[0]).to.include({ pointer: '/signing_algorithm', code: 'UnsupportedAlgorithm' });
      const dig = await call(ec.id, 'sign', {
        message: b64('short'),
        message_type: 'DIGEST',
        signing_algorithm: 'ECDSA_SHA_256',
      }).expect(422);
      expect(dig.body.errors[0]).to.include({ pointer: '/message', code: 'InvalidDigest' });
      const garbage = await call(ec.id, 'verify', {
        message: b64('m'),
        signing_algorithm: 'ECDSA_SHA_256',
        signature: b64('not a signature'),
      }).expect(200);
      expect(garbage.body.signature_valid).to.equal(false);
      const sym = await create({});
      const r = await call(sym.id, 'sign', { message: b64('m'), signing_algorithm: 'ECDSA_SHA_256' }).expect(422);
      expect(r.body.code).to.equal('InvalidKeyUsage');
      const pk = await call(sym.id, 'public-key').expect(422);
      expect(pk.body.code).to.equal('UnsupportedOperation');
    });
  });

  describe('generateMac and verifyMac', () => {
    it('computes HMAC-SHA-256 and verifies it; another message or tag does not verify', async () => {
      const k = await create({ key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC' });
      expect(k.mac_algorithms).to.deep.equal(['HMAC_SHA_256']);
      const m = await call(k.id, 'generate-mac', { message: b64('hello'), mac_algorithm: 'HMAC_SHA_256' }).expect(200);
      expect(Buffer.from(m.body.mac, 'base64').length).to.equal(32);
      const verify = (message: string, mac: string) =>
        call(k.id, 'verify-mac', { message: b64(message), mac_algorithm: 'HMAC_SHA_256', mac }).expect(200);
      expect((await verify('hello', m.body.mac)).body.mac_valid).to.equal(true);
      expect((await verify('hellO', m.body.mac)).body.mac_valid).to.equal(false);
      expect(
        (await verify('hello', b64(createHmac('sha256', 'guess').update('hello').digest()))).body.mac_valid,
      ).to.equal(false);
      const sym = await create({});
      await call(sym.id, 'generate-mac', { message: b64('x'), mac_algorithm: 'HMAC_SHA_256' }).expect(422);
    });
  });

  describe('enableKey, disableKey and is_enabled', () => {
    it('refuses every cryptographic call on a disabled key with KMSInvalidState naming the state, until enabled', async () => {
      const sym = await create({});
      const signer = await create({ key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY' });
      const mac = await create({ key_spec: 'HMAC_256', key_usage: 'GENERATE_VERIFY_MAC' });
      const blob = (await call(sym.id, 'encrypt', { plaintext: b64('x') }).expect(200)).body.ciphertext_blob;
      for (const k of [sym, signer, mac]) {
        const d = await call(k.id, 'disable').expect(200);
        expect(d.body).to.include({ key_state: 'disabled', is_enabled: false });
      }
      const refused: [string, string, object | undefined][] = [
        [sym.id, 'encrypt', { plaintext: b64('x') }],
        [sym.id, 'decrypt', { ciphertext_blob: blob }],
        [sym.id, 're-encrypt', { ciphertext_blob: blob }],
        [sym.id, 'generate-data-key', {}],
        [signer.id, 'sign', { message: b64('x'), signing_algorithm: 'ECDSA_SHA_256' }],
        [signer.id, 'verify', { message: b64('x'), signing_algorithm: 'ECDSA_SHA_256', signature: 'AAAA' }],
        [signer.id, 'public-key', undefined],
        [mac.id, 'generate-mac', { message: b64('x'), mac_algorithm: 'HMAC_SHA_256' }],
        [mac.id, 'verify-mac', { message: b64('x'), mac_algorithm: 'HMAC_SHA_256', mac: 'AAAA' }],
        [sym.id, 'rotate', undefined],
      ];
      for (const [id, action, body] of refused) {
        const r = await call(id, action, body).expect(409);
        expect(r.body, action).to.include({ code: 'KMSInvalidState', key_state: 'disabled' });
        expect(r.body.detail, action).to.match(/key_state is disabled/);
      }
      const any = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(409);
      expect(any.body.code).to.equal('KMSInvalidState');
      await call(sym.id, 'disable').expect(200); // already disabled: nothing to do
      await call(sym.id, 'enable').expect(200);
      await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(200);
    });

    it('enables and disables through is_enabled in a merge patch', async () => {
      const k = await create({});
      const off = await me.patch(`/api/security/keys/${k.id}`).send({ is_enabled: false }).expect(200);
      expect(off.body.key_state).to.equal('disabled');
      await call(k.id, 'encrypt', { plaintext: b64('x') }).expect(409);
      const on = await me
        .patch(`/api/security/keys/${k.id}`)
        .send({ is_enabled: true, description: 'back' })
        .expect(200);
      expect(on.body).to.include({ key_state: 'enabled', description: 'back' });
      const born = await create({ is_enabled: false });
      expect(born.key_state).to.equal('disabled');
    });
  });

  describe('rotation', () => {
    it('rotates on demand: new encryptions use the newest version and every earlier version still decrypts', async () => {
      const k = await create({});
      const blobs: string[] = [];
      for (let v = 1; v <= 3; v++) {
        const enc = await call(k.id, 'encrypt', { plaintext: b64(`v${v}`) }).expect(200);
        expect(enc.body.key_version).to.equal(v);
        blobs.push(enc.body.ciphertext_blob);
        if (v < 3) {
          const r = await call(k.id, 'rotate').expect(200);
          expect(r.body.current_key_version).to.equal(v + 1);
          expect(r.body.last_rotation_date).to.be.a('string');
        }
      }
      const key = (await me.get(`/api/security/keys/${k.id}`).expect(200)).body;
      expect(key.key_versions.map((v: any) => [v.version, v.origin])).to.deep.equal([
        [1, 'created'],
        [2, 'on_demand_rotation'],
        [3, 'on_demand_rotation'],
      ]);
      for (const [i, blob] of blobs.entries()) {
        const d = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(200);
        expect(d.body.key_version).to.equal(i + 1);
        expect(Buffer.from(d.body.plaintext, 'base64').toString()).to.equal(`v${i + 1}`);
      }
    });

    it('rotates on demand at most ten times, and only symmetric keys', async () => {
      const k = await create({});
      for (let i = 0; i < 10; i++) await call(k.id, 'rotate').expect(200);
      const r = await call(k.id, 'rotate').expect(409);
      expect(r.body.code).to.equal('LimitExceeded');
      const rsa = await create({ key_spec: 'RSA_2048', key_usage: 'SIGN_VERIFY' });
      const u = await call(rsa.id, 'rotate').expect(422);
      expect(u.body).to.include({ code: 'UnsupportedOperation', key_spec: 'RSA_2048' });
    });

    it('rotates by itself every rotation_period_in_days of platform time; earlier versions still decrypt', async () => {
      const k = await create({ enable_key_rotation: true, rotation_period_in_days: 90 });
      expect(Date.parse(k.next_rotation_date) - Date.parse(k.created_at)).to.equal(90 * DAY * 1000);
      const blob = (await call(k.id, 'encrypt', { plaintext: b64('before') }).expect(200)).body.ciphertext_blob;
      await advanceClock(app, 89 * DAY);
      expect((await me.get(`/api/security/keys/${k.id}`).expect(200)).body.current_key_version).to.equal(1);
      await advanceClock(app, DAY);
      const after = (await me.get(`/api/security/keys/${k.id}`).expect(200)).body;
      expect(after.current_key_version).to.equal(2);
      expect(after.key_versions[1].origin).to.equal('automatic_rotation');
      expect(Date.parse(after.next_rotation_date) - Date.parse(k.next_rotation_date)).to.equal(90 * DAY * 1000);
      const enc = await call(k.id, 'encrypt', { plaintext: b64('after') }).expect(200);
      expect(enc.body.key_version).to.equal(2);
      const old = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(200);
      expect(Buffer.from(old.body.plaintext, 'base64').toString()).to.equal('before');
      // Turning rotation off stops it; a changed period counts from the last automatic rotation.
      const off = await me.patch(`/api/security/keys/${k.id}`).send({ enable_key_rotation: false }).expect(200);
      expect(off.body.next_rotation_date).to.equal(null);
      await advanceClock(app, 100 * DAY);
      expect((await me.get(`/api/security/keys/${k.id}`).expect(200)).body.current_key_version).to.equal(2);
      const on = await me
        .patch(`/api/security/keys/${k.id}`)
        .send({ enable_key_rotation: true, rotation_period_in_days: 180 })
        .expect(200);
      const now = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
      expect(Date.parse(on.body.next_rotation_date) - now).to.equal(180 * DAY * 1000);
      const period = await me.patch(`/api/security/keys/${k.id}`).send({ rotation_period_in_days: 200 }).expect(200);
      expect(Date.parse(period.body.next_rotation_date) - now).to.equal(200 * DAY * 1000);
      const rsa = await create({ key_spec: 'RSA_2048' });
      const bad = await me.patch(`/api/security/keys/${rsa.id}`).send({ enable_key_rotation: true }).expect(422);
      expect(bad.body.errors[0].pointer).to.equal('/enable_key_rotation');
    });
  });

  describe('deletion', () => {
    it('DELETE schedules the deletion: the key refuses operations, is destroyed after its window, and is gone', async () => {
      const k = await create({ deletion_window_in_days: 7 });
      const alias = await me
        .post('/api/security/key-aliases')
        .send({ name: 'alias/doomed', target_key_id: k.id })
        .expect(201);
      const blob = (await call(k.id, 'encrypt', { plaintext: b64('bye') }).expect(200)).body.ciphertext_blob;
      const del = await me.delete(`/api/security/keys/${k.id}`).expect(202);
      expect(del.body).to.include({ key_state: 'pending_deletion', is_enabled: false });
      const now = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
      expect(Date.parse(del.body.deletion_date) - now).to.equal(7 * DAY * 1000);
      const refused = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(409);
      expect(refused.body).to.include({ code: 'KMSInvalidState', key_state: 'pending_deletion' });
      await call(k.id, 'enable').expect(409);
      await me.patch(`/api/security/keys/${k.id}`).send({ is_enabled: true }).expect(409);
      await call(k.id, 'schedule-deletion').expect(409);
      // A repeated DELETE leaves the date as it was.
      const again = await me.delete(`/api/security/keys/${k.id}`).expect(202);
      expect(again.body.deletion_date).to.equal(del.body.deletion_date);
      await advanceClock(app, 7 * DAY - 1);
      await me.get(`/api/security/keys/${k.id}`).expect(200);
      await advanceClock(app, 1);
      await me.get(`/api/security/keys/${k.id}`).expect(404);
      const list = (await me.get('/api/security/keys?limit=1000').expect(200)).body.items;
      expect(list.map((x: any) => x.id)).to.not.include(k.id);
      await me.get(`/api/security/key-aliases/${alias.body.id}`).expect(404);
      const gone = await me.post('/api/security/keys/decrypt').send({ ciphertext_blob: blob }).expect(422);
      expect(gone.body.code).to.equal('InvalidCiphertext');
      expect(await app.platform.db('keys').where({ id: k.id }).first()).to.equal(undefined);
    });

    it('schedules 7 to 30 days ahead (30 unless told) and can be cancelled in the window: the key comes back disabled', async () => {
      const k = await create({});
      const s = await call(k.id, 'schedule-deletion').expect(200);
      const now = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
      expect(Date.parse(s.body.deletion_date) - now).to.equal(30 * DAY * 1000);
      await advanceClock(app, 29 * DAY);
      const c = await call(k.id, 'cancel-deletion').expect(200);
      expect(c.body).to.include({ key_state: 'disabled', deletion_date: null, is_enabled: false });
      await call(k.id, 'cancel-deletion').expect(409);
      await advanceClock(app, 2 * DAY);
      await me.get(`/api/security/keys/${k.id}`).expect(200);
      await call(k.id, 'schedule-deletion', { pending_window_in_days: 6 }).expect(422);
      await call(k.id, 'schedule-deletion', { pending_window_in_days: 31 }).expect(422);
      const q = await me.delete(`/api/security/keys/${k.id}?pending_window_in_days=5`).expect(400);
      expect(q.body.errors[0].pointer).to.equal('pending_window_in_days');
      const soon = await me.delete(`/api/security/keys/${k.id}?pending_window_in_days=8`).expect(202);
      expect(Date.parse(soon.body.deletion_date) - (now + 31 * DAY * 1000)).to.equal(8 * DAY * 1000);
      await advanceClock(app, 8 * DAY);
      await me.get(`/api/security/keys/${k.id}`).expect(404);
    });
  });

  describe('key aliases', () => {
    it('name a key wherever its id goes, are unique per owner, and follow a retarget', async () => {
      const a = await create({});
      const b = await create({});
      const alias = (
        await me.post('/api/security/key-aliases').send({ name: 'alias/app/billing', target_key_id: a.id }).expect(201)
      ).body;
      expect(alias.id).to.match(/^kal-/);
      const enc = await call('alias/app/billing', 'encrypt', { plaintext: b64('via alias') }).expect(200);
      expect(enc.body.key_id).to.equal(a.id);
      expect((await me.get('/api/security/keys/alias%2Fapp%2Fbilling').expect(200)).body.id).to.equal(a.id);
      expect((await me.get('/api/security/key-aliases/alias%2Fapp%2Fbilling').expect(200)).body.id).to.equal(alias.id);
      const dup = await me
        .post('/api/security/key-aliases')
        .send({ name: 'alias/app/billing', target_key_id: b.id })
        .expect(409);
      expect(dup.body.errors[0].pointer).to.equal('/name');
      // Another owner may use the same name; it names their key, and ours stays invisible to them.
      const theirs = await create({}, other);
      await other
        .post('/api/security/key-aliases')
        .send({ name: 'alias/app/billing', target_key_id: theirs.id })
        .expect(201);
      expect((await other.get('/api/security/keys/alias%2Fapp%2Fbilling').expect(200)).body.id).to.equal(theirs.id);
      await other.get(`/api/security/key-aliases/${alias.id}`).expect(404);
      await call('alias/nothing-here', 'encrypt', { plaintext: b64('x') }).expect(404);
      const moved = await me.patch(`/api/security/key-aliases/${alias.id}`).send({ target_key_id: b.id }).expect(200);
      expect(moved.body.target_key_id).to.equal(b.id);
      expect((await call('alias/app/billing', 'encrypt', { plaintext: b64('x') }).expect(200)).body.key_id).to.equal(
        b.id,
      );
      await me.delete('/api/security/key-aliases/alias%2Fapp%2Fbilling').expect(204);
      await me.get(`/api/security/keys/${b.id}`).expect(200);
    });

    it("refuses reserved names, another owner's key, and a key pending deletion", async () => {
      const k = await create({});
      const reserved = await me.post('/api/security/key-aliases').send({ name: 'alias/aws/s3', target_key_id: k.id });
      expect(reserved.status).to.equal(422);
      expect(reserved.body.errors[0]).to.include({ pointer: '/name', code: 'ReservedName' });
      const badName = await me.post('/api/security/key-aliases').send({ name: 'billing', target_key_id: k.id });
      expect(badName.status).to.equal(422);
      const theirs = await create({}, other);
      const foreign = await me.post('/api/security/key-aliases').send({ name: 'alias/x', target_key_id: theirs.id });
      expect([foreign.status, foreign.body.code]).to.deep.equal([422, 'ReferenceNotFound']);
      await call(k.id, 'schedule-deletion').expect(200);
      const pending = await me.post('/api/security/key-aliases').send({ name: 'alias/y', target_key_id: k.id });
      expect([pending.status, pending.body.code]).to.deep.equal([409, 'KMSInvalidState']);
    });
  });

  describe('IAM', () => {
    it('decides on the key itself: an alias resolves before IAM, and a blob-only decrypt is authorized on the blob key', async () => {
      const u = await newUser(app, 'kms-iam');
      const as = app.as(u.token);
      const a = await create({}, as);
      const b = await create({}, as);
      await as.post('/api/security/key-aliases').send({ name: 'alias/iam-a', target_key_id: a.id }).expect(201);
      const blobOf = async (id: string) =>
        (await call(id, 'encrypt', { plaintext: b64(id) }, as).expect(200)).body.ciphertext_blob;
      const [blobA, blobB] = [await blobOf(a.id), await blobOf(b.id)];
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-b-decrypt',
          document: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'NoB', Effect: 'Deny', Action: 'security:Decrypt', Resource: `atx:security:*:*:key/${b.id}` },
              {
                Sid: 'NoAEncrypt',
                Effect: 'Deny',
                Action: 'security:Encrypt',
                Resource: `atx:security:*:*:key/${a.id}`,
              },
            ],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const byBlob = await as.post('/api/security/keys/decrypt').send({ ciphertext_blob: blobB }).expect(403);
      expect(byBlob.body).to.include({ code: 'AccessDenied', action: 'security:Decrypt' });
      expect(byBlob.body.detail).to.include(b.id);
      await call(b.id, 'decrypt', { ciphertext_blob: blobB }, as).expect(403);
      await as.post('/api/security/keys/decrypt').send({ ciphertext_blob: blobA }).expect(200);
      const viaAlias = await call('alias/iam-a', 'encrypt', { plaintext: b64('x') }, as).expect(403);
      expect(viaAlias.body.detail).to.include(a.id);
      await call(b.id, 'encrypt', { plaintext: b64('x') }, as).expect(200);
      const audit = await app.platform
        .db('audit_logs')
        .where({ user_id: u.id, action: 'security:Encrypt', status: 'failure' });
      expect(audit.map((r: any) => r.resource_id)).to.include(a.id);
    });
  });

  describe('in a stack', () => {
    it('deploys Atonix::Security::Key and ::KeyAlias by their type names; deleting the stack schedules the key deletion', async () => {
      const template = {
        Resources: {
          Key: { Type: 'Atonix::Security::Key', Properties: { name: 'stacked', deletion_window_in_days: 7 } },
          Alias: {
            Type: 'Atonix::Security::KeyAlias',
            Properties: { name: 'alias/stacked', target_key_id: { Ref: 'Key' } },
          },
        },
        Outputs: { KeyId: { Value: { Ref: 'Key' } } },
      };
      const settled = async (id: string) =>
        eventually(
          async () => {
            const r = await me.get(`/api/automation/stacks/${id}`);
            if (r.status === 404) return { status: 'gone' };
            return !/_in_progress|_pending$/.test(r.body.status) && r.body;
          },
          'the stack to settle',
          30_000,
        );
      const s = await me.post('/api/automation/stacks').send({ name: 'keys', template }).expect(202);
      const done = await settled(s.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const keyId = done.outputs.KeyId;
      const enc = await call('alias/stacked', 'encrypt', { plaintext: b64('from a stack') }).expect(200);
      expect(enc.body.key_id).to.equal(keyId);
      await me.delete(`/api/automation/stacks/${s.body.id}`).expect(202);
      await settled(s.body.id);
      const key = (await me.get(`/api/security/keys/${keyId}`).expect(200)).body;
      expect(key.key_state).to.equal('pending_deletion');
      await call('alias/stacked', 'encrypt', { plaintext: b64('x') }).expect(404);
    });
  });

  describe('the master key', () => {
    it('is made once in the data dir, mode 0600, when ATONIX_MASTER_KEY is unset, and opens the keys after a restart', async () => {
      const data = mkdtempSync(join(tmpdir(), 'atonix-kms-data-'));
      try {
        const env = { ATONIX_MASTER_KEY: '', ATONIX_DATA_DIR: data };
        const first = await startApp(env);
        let blob: string;
        const owner = await newUser(first, 'mk');
        try {
          const k = (await first.as(owner.token).post('/api/security/keys').send({ name: 'mk' }).expect(201)).body;
          blob = (
            await first
              .as(owner.token)
              .post(`/api/security/keys/${k.id}/encrypt`)
              .send({ plaintext: b64('kept') })
          ).body.ciphertext_blob;
        } finally {
          await first.close();
        }
        const file = join(data, MASTER_KEY_FILE);
        expect(statSync(file).mode & 0o777).to.equal(0o600);
        const key = readFileSync(file, 'utf8');
        expect(Buffer.from(key.trim(), 'base64').length).to.equal(32);
        const second = await startApp(env, first.databaseUrl);
        try {
          const d = await second.as(owner.token).post('/api/security/keys/decrypt').send({ ciphertext_blob: blob });
          expect(Buffer.from(d.body.plaintext, 'base64').toString()).to.equal('kept');
        } finally {
          await second.close();
        }
        expect(readFileSync(file, 'utf8')).to.equal(key);
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    });

    it('warns at start that the key file is the only protection, and refuses a file others can read', () => {
      const data = mkdtempSync(join(tmpdir(), 'atonix-kms-warn-'));
      try {
        const warnings: string[] = [];
        const log = { warn: (_o: object, msg: string) => warnings.push(msg) } as any;
        loadMasterKey({ dataDir: data }, log);
        expect(warnings[0]).to.match(/ATONIX_MASTER_KEY is unset/);
        execFileSync('chmod', ['644', join(data, MASTER_KEY_FILE)]);
        expect(() => loadMasterKey({ dataDir: data }, log)).to.throw(/readable by others/);
        const set = loadMasterKey({ dataDir: data, masterKey: Buffer.alloc(32, 1) }, log);
        expect(set.equals(Buffer.alloc(32, 1))).to.equal(true);
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    });

    it('refuses to start with an ATONIX_MASTER_KEY that is not the base64 of 32 bytes, without echoing it', () => {
      for (const bad of ['c2hvcnQ=', 'not base64 at all!', Buffer.alloc(33).toString('base64')]) {
        expect(() => loadConfig({ ATONIX_MASTER_KEY: bad })).to.throw(/ATONIX_MASTER_KEY must be the base64 of 32/);
        try {
          loadConfig({ ATONIX_MASTER_KEY: bad });
        } catch (e) {
          expect((e as Error).message).to.not.include(bad);
        }
      }
      expect(loadConfig({ ATONIX_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') }).masterKey!.length).to.equal(32);
    });
  });
});
