// The per-launch server certificate for AutoMTLS: a fresh EC P-256 key and a self-signed X.509 v3 certificate built with node:crypto.
// Hand-built DER instead of a certificate library saves ~100-150 ms per launch; the fields mirror go-plugin's own
// certificates (CN and DNS SAN localhost, CA bit, key usage incl. certSign, server+client EKU, notBefore 30 s back).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

export interface Certificate {
  /** PEM certificate, for the TLS server. */
  certPem: string;
  /** PEM PKCS#8 private key, for the TLS server. Never written to disk. */
  keyPem: string;
  /** The DER bytes; the go-plugin handshake line carries them base64-encoded. */
  der: Buffer;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

export function createSelfSignedCertificate(options: { organization?: string; validForMs?: number } = {}): Certificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const name = sequence(
    set(sequence(oid('2.5.4.10'), utf8String(options.organization ?? 'terraform-provider'))),
    set(sequence(oid('2.5.4.3'), utf8String('localhost'))),
  );
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, and exactly 16 bytes long
  const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
    critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
  const tbs = sequence(
    explicit(0, smallInteger(2)), // X.509 v3
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(new Date(now - 30_000)), time(new Date(now + (options.validForMs ?? 365 * 86_400_000)))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension('2.5.29.19', true, sequence(boolean(true))), // basicConstraints: CA
        // keyUsage digitalSignature(0) keyEncipherment(2) keyAgreement(4) keyCertSign(5): bits 10101100, 2 unused
        extension('2.5.29.15', true, bitString(Buffer.from([0xac]), 2)),
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))), // serverAuth, clientAuth
        extension('2.5.29.17', false, sequence(Buffer.concat([Buffer.from([0x82, 9]), Buffer.from('localhost')]))), // dNSName
      ),
    ),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  return {
    der,
    certPem: toPem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
