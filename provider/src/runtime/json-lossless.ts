// A JSON parser that keeps every number exact (big integers as bigint, long decimals as text), for raw state and JSON values.
// JSON.parse rounds 9007199254740993 to ...992, which after an UpgradeResourceState echo shows as a perpetual diff.
import { normalizeNumber } from './numbers.js';
import type { NumberValue } from './values.js';

export type JsonValue = null | boolean | NumberValue | JsonValue[] | { [key: string]: JsonValue };

export function parseJsonLossless(text: string): JsonValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.whitespace();
  if (parser.pos !== text.length) throw parser.error('unexpected trailing characters');
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  whitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  value(): JsonValue {
    this.whitespace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (this.text.startsWith('true', this.pos)) {
      this.pos += 4;
      return true;
    }
    if (this.text.startsWith('false', this.pos)) {
      this.pos += 5;
      return false;
    }
    if (this.text.startsWith('null', this.pos)) {
      this.pos += 4;
      return null;
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) throw this.error('unexpected character');
    this.pos += m[0].length;
    return normalizeNumber(m[0]);
  }

  private object(): { [key: string]: JsonValue } {
    const out: { [key: string]: JsonValue } = {};
    this.pos++;
    this.whitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.pos] !== '"') throw this.error('expected a string key');
      const key = this.string();
      this.whitespace();
      if (this.text[this.pos++] !== ':') throw this.error('expected ":"');
      const item = this.value();
      // A "__proto__" key must stay data, never become the object's prototype.
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      else out[key] = item;
      this.whitespace();
      const sep = this.text[this.pos++];
      if (sep === '}') return out;
      if (sep !== ',') throw this.error('expected "," or "}"');
    }
  }

  private array(): JsonValue[] {
    const out: JsonValue[] = [];
    this.pos++;
    this.whitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.whitespace();
      const sep = this.text[this.pos++];
      if (sep === ']') return out;
      if (sep !== ',') throw this.error('expected "," or "]"');
    }
  }

  private string(): string {
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    for (; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 0x5c) {
        i++;
        escaped = true;
      } else if (c === 0x22) break;
    }
    if (i >= this.text.length) throw this.error('unterminated string');
    this.pos = i + 1;
    // JSON.parse handles escapes (\uXXXX, surrogate pairs) exactly; the plain case needs no parse at all.
    return escaped ? (JSON.parse(this.text.slice(start, i + 1)) as string) : this.text.slice(start + 1, i);
  }

  error(message: string): SyntaxError {
    return new SyntaxError(`JSON: ${message} at position ${this.pos}`);
  }
}
