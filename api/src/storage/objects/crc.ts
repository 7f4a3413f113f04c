// The CRCs S3 offers that node does not: CRC32C (Castagnoli) and CRC64NVME, table-driven, both reflected with an
// all-ones start and final xor. Node's zlib.crc32 covers plain CRC32.

const CRC32C_POLY = 0x82f63b78;
const CRC32C_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32C_POLY : c >>> 1;
  CRC32C_TABLE[i] = c >>> 0;
}

/** CRC32C of data, continuing from `previous` (a CRC32C returned before) the way zlib.crc32 continues. */
export function crc32c(data: Uint8Array, previous = 0): number {
  let c = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// CRC64NVME's reflected polynomial 0x9A6C9329AC4BC9B5, kept as two 32-bit halves: JS bit operations are 32-bit,
// and BigInt per byte would be far slower.
const POLY_HI = 0x9a6c9329;
const POLY_LO = 0xac4bc9b5;
const T_HI = new Uint32Array(256);
const T_LO = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (carry) {
      lo = (lo ^ POLY_LO) >>> 0;
      hi = (hi ^ POLY_HI) >>> 0;
    }
  }
  T_HI[i] = hi;
  T_LO[i] = lo;
}

/** An incremental CRC64NVME. */
export class Crc64Nvme {
  private hi = 0xffffffff;
  private lo = 0xffffffff;

  update(data: Uint8Array): this {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i < data.length; i++) {
      const idx = (lo ^ data[i]) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ T_LO[idx]) >>> 0;
      hi = ((hi >>> 8) ^ T_HI[idx]) >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
    return this;
  }

  /** The CRC as 8 big-endian bytes, as S3 encodes it (base64 of these). */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(~this.hi >>> 0, 0);
    out.writeUInt32BE(~this.lo >>> 0, 4);
    return out;
  }
}
