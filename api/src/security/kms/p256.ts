// ECDSA over NIST P-256 on a digest the caller computed (message_type DIGEST). node:crypto signs only messages it
// hashes itself, so this is the curve arithmetic of FIPS 186-4 / SEC 1 in BigInt, Jacobian coordinates and a
// Montgomery ladder. BigInt arithmetic is not constant-time: RAW messages go through OpenSSL instead, and only
// DIGEST signing uses this (the README says so). Signatures are DER `SEQUENCE { r INTEGER, s INTEGER }`.
import { randomBytes } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;

/** A point in Jacobian coordinates (x = X/Z², y = Y/Z³); Z = 0 is the point at infinity. */
type J = [bigint, bigint, bigint];
const INFINITY: J = [0n, 1n, 0n];

const mod = (a: bigint, m = P) => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function pow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}
/** The inverse modulo a prime (Fermat). */
const inv = (a: bigint, m: bigint) => pow(a, m - 2n, m);

function double([X, Y, Z]: J): J {
  if (Z === 0n || Y === 0n) return INFINITY;
  // dbl-2001-b (a = -3)
  const delta = mod(Z * Z);
  const gamma = mod(Y * Y);
  const beta = mod(X * gamma);
  const alpha = mod(3n * (X - delta) * (X + delta));
  const X3 = mod(alpha * alpha - 8n * beta);
  const Z3 = mod((Y + Z) * (Y + Z) - gamma - delta);
  const Y3 = mod(alpha * (4n * beta - X3) - 8n * gamma * gamma);
  return [X3, Y3, Z3];
}

function add(p: J, q: J): J {
  if (p[2] === 0n) return q;
  if (q[2] === 0n) return p;
  // add-2007-bl
  const [X1, Y1, Z1] = p;
  const [X2, Y2, Z2] = q;
  const Z1Z1 = mod(Z1 * Z1);
  const Z2Z2 = mod(Z2 * Z2);
  const U1 = mod(X1 * Z2Z2);
  const U2 = mod(X2 * Z1Z1);
  const S1 = mod(Y1 * Z2 * Z2Z2);
  const S2 = mod(Y2 * Z1 * Z1Z1);
  if (U1 === U2) return S1 === S2 ? double(p) : INFINITY;
  const H = mod(U2 - U1);
  const I = mod(4n * H * H);
  const Jv = mod(H * I);
  const r = mod(2n * (S2 - S1));
  const V = mod(U1 * I);
  const X3 = mod(r * r - Jv - 2n * V);
  const Y3 = mod(r * (V - X3) - 2n * S1 * Jv);
  const Z3 = mod(((Z1 + Z2) * (Z1 + Z2) - Z1Z1 - Z2Z2) * H);
  return [X3, Y3, Z3];
}

/** k·P by a Montgomery ladder: the same doubling and addition at every one of the 256 bits. */
function multiply(k: bigint, point: J): J {
  let r0 = INFINITY;
  let r1 = point;
  for (let i = 255; i >= 0; i--) {
    if ((k >> BigInt(i)) & 1n) {
      r0 = add(r0, r1);
      r1 = double(r1);
    } else {
      r1 = add(r0, r1);
      r0 = double(r0);
    }
  }
  return r0;
}

function affineX([X, , Z]: J): bigint {
  const zi = inv(Z, P);
  return mod(X * zi * zi);
}

const G: J = [GX, GY, 1n];
const toInt = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
/** The digest as an integer: its leftmost 256 bits (SEC 1, 4.1.3 step 5). */
const digestInt = (digest: Buffer) => toInt(digest.subarray(0, 32));

const onCurve = (x: bigint, y: bigint) => mod(y * y) === mod(x * x * x - 3n * x + B);

function randomScalar(): bigint {
  for (;;) {
    const k = toInt(randomBytes(32));
    if (k > 0n && k < N) return k;
  }
}

/** A DER signature over `digest` with private scalar `d` (from the key's JWK `d`). */
export function signDigest(d: Buffer, digest: Buffer): Buffer {
  const dn = toInt(d);
  const z = digestInt(digest);
  for (;;) {
    const k = randomScalar();
    const r = mod(affineX(multiply(k, G)), N);
    if (r === 0n) continue;
    const s = mod(inv(k, N) * (z + r * dn), N);
    if (s === 0n) continue;
    return derSignature(r, s);
  }
}

/** Whether `signature` (DER) is a valid signature over `digest` by the public point (x, y). */
export function verifyDigest(x: Buffer, y: Buffer, digest: Buffer, signature: Buffer): boolean {
  const rs = parseDerSignature(signature);
  if (!rs) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const qx = toInt(x);
  const qy = toInt(y);
  if (!onCurve(qx, qy)) return false;
  const w = inv(s, N);
  const u1 = mod(digestInt(digest) * w, N);
  const u2 = mod(r * w, N);
  const point = add(multiply(u1, G), multiply(u2, [qx, qy, 1n]));
  if (point[2] === 0n) return false;
  return mod(affineX(point), N) === r;
}

function derInteger(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}

function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** r and s of a DER signature, or undefined if it is not exactly one (short-form lengths only, as P-256 needs). */
function parseDerSignature(sig: Buffer): [bigint, bigint] | undefined {
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return undefined;
  const out: bigint[] = [];
  let at = 2;
  for (let i = 0; i < 2; i++) {
    if (sig[at] !== 0x02) return undefined;
    const len = sig[at + 1]!;
    if (len === 0 || len > 33 || at + 2 + len > sig.length) return undefined;
    const bytes = sig.subarray(at + 2, at + 2 + len);
    if (bytes[0]! & 0x80) return undefined; // negative
    if (len > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) return undefined; // not minimal
    out.push(toInt(bytes));
    at += 2 + len;
  }
  return at === sig.length ? [out[0]!, out[1]!] : undefined;
}
