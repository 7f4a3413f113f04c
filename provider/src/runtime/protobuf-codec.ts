// Protobuf wire encoding and decoding driven by the parsed .proto tables (no generated code, no protobufjs at run time).
// Decoded messages are plain objects with the .proto field names; scalars absent on the wire get their proto3 zero
// value, repeated fields an empty array, maps an empty object, and absent sub-messages stay undefined.
import type { FieldInfo, ProtoTables } from './proto-parser.js';

export type ProtoMessage = Record<string, unknown>;

const TWO_64 = 1n << 64n;
const utf8 = new TextDecoder();

export class ProtoCodec {
  private readonly byNumber = new Map<string, Map<number, FieldInfo>>();
  constructor(private readonly tables: ProtoTables) {}

  encode(type: string, message: ProtoMessage): Uint8Array {
    const w = new Writer();
    this.writeMessage(w, type, message);
    return w.finish();
  }

  decode(type: string, bytes: Uint8Array): ProtoMessage {
    return this.readMessage(new Reader(bytes), type, bytes.length);
  }

  private fields(type: string): FieldInfo[] {
    const fields = this.tables.messages[type];
    if (!fields) throw new Error(`protobuf: unknown message type ${type}`);
    return fields;
  }

  private writeMessage(w: Writer, type: string, message: ProtoMessage): void {
    for (const f of this.fields(type)) {
      const value = message[f.name];
      if (value === undefined || value === null) continue;
      if (f.map) {
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
          const entry = new Writer();
          entry.tag(1, 2).string(key);
          this.writeField(
            entry,
            { ...f, name: 'value', no: 2, map: undefined, repeated: undefined, presence: true },
            v,
          );
          w.tag(f.no, 2).bytes(entry.finish());
        }
      } else if (f.repeated) {
        for (const v of value as unknown[]) this.writeField(w, { ...f, presence: true }, v);
      } else this.writeField(w, f, value);
    }
  }

  private writeField(w: Writer, f: FieldInfo, value: unknown): void {
    if (f.kind === 'message') {
      const sub = new Writer();
      this.writeMessage(sub, f.type, value as ProtoMessage);
      w.tag(f.no, 2).bytes(sub.finish());
      return;
    }
    if (f.kind === 'enum') {
      const n = typeof value === 'number' ? value : this.tables.enums[f.type]?.[value as string];
      if (n === undefined) throw new Error(`protobuf: ${String(value)} is not a value of ${f.type}`);
      if (n !== 0 || f.presence) w.tag(f.no, 0).varint(n);
      return;
    }
    switch (f.type) {
      case 'string':
        if (value !== '' || f.presence) w.tag(f.no, 2).string(value as string);
        return;
      case 'bytes':
        if ((value as Uint8Array).length > 0 || f.presence) w.tag(f.no, 2).bytes(value as Uint8Array);
        return;
      case 'bool':
        if (value || f.presence) w.tag(f.no, 0).varint(value ? 1 : 0);
        return;
      default: // the integer types
        if (value !== 0 && value !== 0n) w.tag(f.no, 0).varint(value as number | bigint);
        else if (f.presence) w.tag(f.no, 0).varint(0);
    }
  }

  private readMessage(r: Reader, type: string, end: number): ProtoMessage {
    let index = this.byNumber.get(type);
    if (!index) {
      index = new Map(this.fields(type).map((f) => [f.no, f]));
      this.byNumber.set(type, index);
    }
    const out: ProtoMessage = {};
    while (r.pos < end) {
      const key = r.varint();
      const no = Math.floor(key / 8);
      const wire = key & 7;
      const f = index.get(no);
      if (!f) {
        r.skip(wire);
        continue;
      }
      if (f.map) {
        const entryEnd = r.length() + r.pos;
        let k = '';
        let v: unknown;
        while (r.pos < entryEnd) {
          const ek = r.varint();
          if (ek >>> 3 === 1) k = r.string();
          else if (ek >>> 3 === 2) v = this.readValue(r, f, ek & 7);
          else r.skip(ek & 7);
        }
        const map = (out[f.name] ??= {}) as Record<string, unknown>;
        map[k] = v ?? this.zero({ ...f, map: undefined, repeated: undefined });
      } else if (f.repeated) {
        const list = (out[f.name] ??= []) as unknown[];
        if (wire === 2 && f.kind !== 'message' && f.type !== 'string' && f.type !== 'bytes') {
          const packedEnd = r.length() + r.pos; // packed repeated scalars
          while (r.pos < packedEnd) list.push(this.readValue(r, f, 0));
        } else list.push(this.readValue(r, f, wire));
      } else out[f.name] = this.readValue(r, f, wire);
    }
    for (const f of this.fields(type)) if (!(f.name in out)) out[f.name] = this.zero(f);
    return out;
  }

  private readValue(r: Reader, f: FieldInfo, wire: number): unknown {
    if (f.kind === 'message') {
      const len = r.length();
      return this.readMessage(r, f.type, r.pos + len);
    }
    if (f.kind === 'enum') {
      const n = r.varint();
      const names = this.tables.enums[f.type]!;
      for (const name in names) if (names[name] === n) return name;
      return n;
    }
    switch (f.type) {
      case 'string':
        return r.string();
      case 'bytes':
        return r.bytes();
      case 'bool':
        return r.varint() !== 0;
      case 'int64':
      case 'int32': {
        if (wire !== 0) throw new Error(`protobuf: wire type ${wire} for integer field ${f.name}`);
        return r.signedVarint();
      }
      default:
        return r.varint();
    }
  }

  private zero(f: FieldInfo): unknown {
    if (f.map) return {};
    if (f.repeated) return [];
    if (f.presence || f.kind === 'message') return undefined;
    if (f.kind === 'enum') {
      const names = this.tables.enums[f.type]!;
      for (const name in names) if (names[name] === 0) return name;
      return 0;
    }
    switch (f.type) {
      case 'string':
        return '';
      case 'bytes':
        return new Uint8Array(0);
      case 'bool':
        return false;
      default:
        return 0;
    }
  }
}

class Writer {
  private buf = Buffer.allocUnsafe(128);
  private len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  tag(no: number, wire: number): this {
    return this.varint(no * 8 + wire);
  }
  varint(value: number | bigint): this {
    if (typeof value === 'bigint' || value < 0 || value > Number.MAX_SAFE_INTEGER) {
      // Negative int64 values are written as their 64-bit two's complement (always 10 bytes).
      let v = BigInt(value);
      if (v < 0n) v += TWO_64;
      this.ensure(10);
      while (v > 0x7fn) {
        this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.len++] = Number(v);
      return this;
    }
    this.ensure(8);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
    return this;
  }
  bytes(data: Uint8Array): this {
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }
  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    throw new Error('protobuf: varint too long');
  }
  /** int64/int32: a 10-byte varint is a negative number in two's complement. */
  signedVarint(): number {
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start < 10) return v;
    let big = 0n;
    for (let i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt(this.buf[i]! & 0x7f);
    big = BigInt.asIntN(64, big);
    return Number(big);
  }
  length(): number {
    const n = this.varint();
    if (this.pos + n > this.buf.length) throw new Error('protobuf: length beyond end of message');
    return n;
  }
  bytes(): Uint8Array {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(): string {
    return utf8.decode(this.bytes());
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.length();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}
