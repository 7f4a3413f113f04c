// Terraform values <-> msgpack in one type-driven pass (the DynamicValue wire format of go-cty).
// Hand-written instead of @msgpack/msgpack: decoding a large config was ~5x slower than JSON.parse through the
// generic decoder plus a second shaping pass, and the library sat on every launch's start-up path.
// Decoding: any extension is an unknown (ext 0 plain, ext 12 refined); extra object keys are skipped, missing ones
// are null. Encoding: every attribute of an object type is written; unknowns are go-cty's d4 00 00.
import type { CtyType } from './cty-types.js';
import { normalizeNumber, numberToWire } from './numbers.js';
import { ValueTypeError, inferType } from './value-shape.js';
import { TypedValue, UNKNOWN, type ObjectValue, type Value } from './values.js';

export function decodeMsgpackValue(bytes: Uint8Array, type: CtyType): Value {
  const reader = new Reader(bytes);
  const value = reader.value(type);
  if (reader.pos !== bytes.length) throw new ValueTypeError([], 'trailing bytes after the msgpack value');
  return value;
}

export function encodeMsgpackValue(value: Value, type: CtyType): Uint8Array {
  const writer = new Writer();
  writer.value(value, type);
  return writer.finish();
}

class Reader {
  pos = 0;
  private readonly view: DataView;
  private readonly buf: Buffer;
  private readonly path: (string | number)[] = [];

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(message: string): never {
    throw new ValueTypeError([...this.path], message);
  }

  value(type: CtyType): Value {
    if (this.pos >= this.buf.length) this.fail('truncated msgpack value');
    const b = this.buf[this.pos]!;
    if (b === 0xc0) {
      this.pos++;
      return null;
    }
    if ((b >= 0xd4 && b <= 0xd8) || (b >= 0xc7 && b <= 0xc9)) {
      this.skip();
      return UNKNOWN;
    }
    if (typeof type === 'string') {
      switch (type) {
        case 'string': {
          const s = this.stringOrBin();
          return s ?? this.fail('expected a string');
        }
        case 'bool':
          if (b !== 0xc2 && b !== 0xc3) this.fail('expected a bool');
          this.pos++;
          return b === 0xc3;
        case 'number': {
          const s = this.stringOrBin();
          if (s === undefined) return normalizeNumber(this.number());
          try {
            return normalizeNumber(s);
          } catch (error) {
            return this.fail((error as Error).message);
          }
        }
        case 'dynamic': {
          if (this.arrayLength() !== 2) this.fail('expected [type, value] for a dynamic value');
          const typeJson = this.stringOrBin() ?? this.fail('expected the type of a dynamic value');
          const inner = JSON.parse(typeJson) as CtyType;
          return new TypedValue(inner, this.value(inner));
        }
      }
    }
    const [kind, arg] = type;
    if (kind === 'list' || kind === 'set' || kind === 'tuple') {
      const n = this.arrayLength();
      const out: Value[] = new Array(n);
      for (let i = 0; i < n; i++) {
        this.path.push(i);
        out[i] = this.value(kind === 'tuple' ? ((arg as readonly CtyType[])[i] ?? 'dynamic') : (arg as CtyType));
        this.path.pop();
      }
      return out;
    }
    const n = this.mapLength();
    const out: ObjectValue = {};
    const attributes = kind === 'object' ? (arg as { readonly [name: string]: CtyType }) : undefined;
    for (let i = 0; i < n; i++) {
      const key = this.stringOrBin() ?? this.fail('expected a string map key');
      this.path.push(key);
      if (!attributes) define(out, key, this.value(arg as CtyType));
      else if (Object.hasOwn(attributes, key)) define(out, key, this.value(attributes[key]!));
      else this.skip(); // an attribute the schema does not know (core never sends one)
      this.path.pop();
    }
    if (attributes) for (const name of Object.keys(attributes)) if (!Object.hasOwn(out, name)) out[name] = null;
    return out;
  }

  /** A str or bin at the cursor, decoded as UTF-8; undefined (cursor unmoved) when something else is there. */
  private stringOrBin(): string | undefined {
    const b = this.buf[this.pos]!;
    let len: number;
    let head: number;
    if (b >= 0xa0 && b <= 0xbf) {
      len = b & 0x1f;
      head = 1;
    } else if (b === 0xd9 || b === 0xc4) {
      len = this.buf[this.pos + 1]!;
      head = 2;
    } else if (b === 0xda || b === 0xc5) {
      len = this.view.getUint16(this.pos + 1);
      head = 3;
    } else if (b === 0xdb || b === 0xc6) {
      len = this.view.getUint32(this.pos + 1);
      head = 5;
    } else return undefined;
    const start = this.pos + head;
    if (start + len > this.buf.length) this.fail('truncated string');
    this.pos = start + len;
    return this.buf.toString('utf8', start, start + len);
  }

  private number(): number | bigint {
    const b = this.buf[this.pos++]!;
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    const p = this.pos;
    switch (b) {
      case 0xcc:
        this.pos += 1;
        return this.view.getUint8(p);
      case 0xcd:
        this.pos += 2;
        return this.view.getUint16(p);
      case 0xce:
        this.pos += 4;
        return this.view.getUint32(p);
      case 0xcf:
        this.pos += 8;
        return this.view.getBigUint64(p);
      case 0xd0:
        this.pos += 1;
        return this.view.getInt8(p);
      case 0xd1:
        this.pos += 2;
        return this.view.getInt16(p);
      case 0xd2:
        this.pos += 4;
        return this.view.getInt32(p);
      case 0xd3:
        this.pos += 8;
        return this.view.getBigInt64(p);
      case 0xca:
        this.pos += 4;
        return this.view.getFloat32(p);
      case 0xcb:
        this.pos += 8;
        return this.view.getFloat64(p);
    }
    this.pos--;
    return this.fail('expected a number');
  }

  private arrayLength(): number {
    const b = this.buf[this.pos++]!;
    if (b >= 0x90 && b <= 0x9f) return b & 0x0f;
    if (b === 0xdc) {
      this.pos += 2;
      return this.view.getUint16(this.pos - 2);
    }
    if (b === 0xdd) {
      this.pos += 4;
      return this.view.getUint32(this.pos - 4);
    }
    this.pos--;
    return this.fail('expected a list');
  }

  private mapLength(): number {
    const b = this.buf[this.pos++]!;
    if (b >= 0x80 && b <= 0x8f) return b & 0x0f;
    if (b === 0xde) {
      this.pos += 2;
      return this.view.getUint16(this.pos - 2);
    }
    if (b === 0xdf) {
      this.pos += 4;
      return this.view.getUint32(this.pos - 4);
    }
    this.pos--;
    return this.fail('expected a map or object');
  }

  /** Steps over one complete value of any kind. */
  private skip(): void {
    const b = this.buf[this.pos]!;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      this.pos++;
      return;
    }
    if (this.stringOrBin() !== undefined) return;
    if ((b >= 0x90 && b <= 0x9f) || b === 0xdc || b === 0xdd) {
      for (let n = this.arrayLength(); n > 0; n--) this.skip();
      return;
    }
    if ((b >= 0x80 && b <= 0x8f) || b === 0xde || b === 0xdf) {
      for (let n = this.mapLength() * 2; n > 0; n--) this.skip();
      return;
    }
    const fixext: Record<number, number> = { 0xd4: 1, 0xd5: 2, 0xd6: 4, 0xd7: 8, 0xd8: 16 };
    if (b in fixext) {
      this.pos += 2 + fixext[b]!;
      return;
    }
    if (b === 0xc7) {
      this.pos += 3 + this.buf[this.pos + 1]!;
      return;
    }
    if (b === 0xc8) {
      this.pos += 4 + this.view.getUint16(this.pos + 1);
      return;
    }
    if (b === 0xc9) {
      this.pos += 6 + this.view.getUint32(this.pos + 1);
      return;
    }
    this.number();
  }
}

/** Plain assignment would turn a "__proto__" key into a prototype change. */
function define(target: ObjectValue, key: string, value: Value): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;
  private readonly path: (string | number)[] = [];

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  private fail(message: string): never {
    throw new ValueTypeError([...this.path], message);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  private decimal(text: string): ReturnType<typeof normalizeNumber> {
    try {
      return normalizeNumber(text);
    } catch (error) {
      return this.fail((error as Error).message);
    }
  }

  private header(small: number, smallMax: number, codes: [number, number, number] | [number, number], n: number): void {
    this.ensure(5);
    if (n <= smallMax) {
      this.buf[this.len++] = small | n;
      return;
    }
    if (codes.length === 3 && n <= 0xff) {
      this.buf[this.len++] = codes[0];
      this.buf[this.len++] = n;
      return;
    }
    if (n <= 0xffff) {
      this.buf[this.len++] = codes[codes.length - 2]!;
      this.buf.writeUInt16BE(n, this.len);
      this.len += 2;
      return;
    }
    this.buf[this.len++] = codes[codes.length - 1]!;
    this.buf.writeUInt32BE(n, this.len);
    this.len += 4;
  }

  private string(s: string, bin = false): void {
    const n = s.length < 64 && /^[\x00-\x7f]*$/.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
    if (bin) this.header(0xc4, -1, [0xc4, 0xc5, 0xc6], n);
    else this.header(0xa0, 31, [0xd9, 0xda, 0xdb], n);
    this.ensure(n);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  private number(n: number | bigint): void {
    this.ensure(9);
    if (typeof n === 'bigint') {
      if (n >= 0n) {
        this.buf[this.len++] = 0xcf;
        this.buf.writeBigUInt64BE(n, this.len);
      } else {
        this.buf[this.len++] = 0xd3;
        this.buf.writeBigInt64BE(n, this.len);
      }
      this.len += 8;
    } else if (!Number.isInteger(n)) {
      this.buf[this.len++] = 0xcb;
      this.buf.writeDoubleBE(n, this.len);
      this.len += 8;
    } else if (n >= 0 && n <= 0x7f) this.buf[this.len++] = n;
    else if (n < 0 && n >= -32) this.buf[this.len++] = n + 0x100;
    else if (n >= -0x80000000 && n <= 0xffffffff) {
      if (n > 0) {
        this.buf[this.len++] = 0xce;
        this.buf.writeUInt32BE(n, this.len);
      } else {
        this.buf[this.len++] = 0xd2;
        this.buf.writeInt32BE(n, this.len);
      }
      this.len += 4;
    } else this.number(BigInt(n));
  }

  value(value: Value | undefined, type: CtyType): void {
    if (value === UNKNOWN) {
      this.ensure(3);
      this.buf[this.len++] = 0xd4;
      this.buf[this.len++] = 0;
      this.buf[this.len++] = 0;
      return;
    }
    if (value === null || value === undefined) {
      this.byte(0xc0);
      return;
    }
    if (typeof type === 'string') {
      switch (type) {
        case 'string':
          if (typeof value !== 'string') this.fail(`expected a string, got ${typeof value}`);
          this.string(value);
          return;
        case 'bool':
          if (typeof value !== 'boolean') this.fail(`expected a bool, got ${typeof value}`);
          this.byte(value ? 0xc3 : 0xc2);
          return;
        case 'number': {
          if (typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'string')
            this.fail(`expected a number, got ${typeof value}`);
          const wire = numberToWire(typeof value === 'string' ? this.decimal(value) : value);
          if (typeof wire === 'string') this.string(wire);
          else this.number(wire);
          return;
        }
        case 'dynamic': {
          const typed = value instanceof TypedValue ? value : new TypedValue(inferType(value), value);
          if (typed.value === null || typed.value === UNKNOWN) {
            this.value(typed.value, 'dynamic');
            return;
          }
          this.byte(0x92);
          this.string(JSON.stringify(typed.type), true);
          this.value(typed.value, typed.type);
          return;
        }
      }
    }
    const [kind, arg] = type;
    if (kind === 'list' || kind === 'set' || kind === 'tuple') {
      if (!Array.isArray(value)) this.fail(`expected a ${kind}`);
      this.header(0x90, 15, [0xdc, 0xdd], value.length);
      value.forEach((item, i) => {
        this.path.push(i);
        this.value(item, kind === 'tuple' ? ((arg as readonly CtyType[])[i] ?? 'dynamic') : (arg as CtyType));
        this.path.pop();
      });
      return;
    }
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof TypedValue)
      this.fail(`expected a ${kind}`);
    const attributes = kind === 'object' ? (arg as Record<string, CtyType>) : undefined;
    const keys = Object.keys(attributes ?? value);
    this.header(0x80, 15, [0xde, 0xdf], keys.length);
    for (const key of keys) {
      this.string(key);
      this.path.push(key);
      this.value(value[key], attributes ? attributes[key]! : (arg as CtyType));
      this.path.pop();
    }
  }
}
