// The runtime's value layer in-process: msgpack wire forms (unknowns, numbers), lossless JSON, schema completion.
import { expect } from 'chai';
import { decode as libDecode, encode as libEncode } from '@msgpack/msgpack';
import {
  completeObject,
  decodeJsonValue,
  decodeMsgpackValue,
  encodeMsgpackValue,
  impliedType,
  nullWriteOnly,
  parseJsonLossless,
  TypedValue,
  UNKNOWN,
  ValueTypeError,
  type Block,
  type CtyType,
} from '../../../provider/src/runtime/index.js';
import { handshakeLine } from '../../../provider/src/runtime/plugin-env.js';
import { createLogger, levelFromEnv, timestamp } from '../../../provider/src/runtime/logger.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const wire = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('provider runtime: values on the wire', () => {
  describe('unknowns', () => {
    it('decodes every msgpack extension as UNKNOWN: ext 0 (d4 00 00, c7 00 00) and refined ext 12', () => {
      expect(decodeMsgpackValue(hex('d4 00 00'), 'string')).to.equal(UNKNOWN);
      expect(decodeMsgpackValue(hex('c7 00 00'), 'number')).to.equal(UNKNOWN);
      expect(decodeMsgpackValue(hex('c7 07 0c 82 01 c2 02 a2 6e 2d'), 'string')).to.equal(UNKNOWN); // "n-${...}"
      const map = decodeMsgpackValue(hex('82 a3 65 6e 76 a3 64 65 76 a3 72 65 66 c7 03 0c 81 01 c2'), [
        'map',
        'string',
      ]);
      expect(map).to.deep.equal({ env: 'dev', ref: UNKNOWN });
    });

    it('encodes UNKNOWN exactly as go-cty does: d4 00 00', () => {
      expect(wire(encodeMsgpackValue(UNKNOWN, 'string'))).to.equal('d40000');
      expect(wire(encodeMsgpackValue({ a: UNKNOWN }, ['object', { a: ['list', 'string'] }]))).to.equal('81a161d40000');
    });
  });

  describe('numbers', () => {
    const cases: [string, string, unknown][] = [
      ['positive fixint', '03', 3],
      ['negative fixint', 'f9', -7],
      ['float64', 'cb 40 04 00 00 00 00 00 00', 2.5],
      ['decimal string', 'a3 30 2e 31', 0.1],
      ['uint64 beyond 2^53', 'cf 00 20 00 00 00 00 00 01', 9007199254740993n],
      ['uint64 within 2^53', 'cf 00 00 00 00 00 00 00 05', 5],
      ['int64 negative beyond 2^53', 'd3 ff df ff ff ff ff ff ff', -9007199254740993n],
      ['decimal beyond float64', wire(libEncode('0.10000000000000000001')), '0.10000000000000000001'],
    ];
    for (const [form, bytes, expected] of cases) {
      it(`decodes ${form} losslessly`, () => expect(decodeMsgpackValue(hex(bytes), 'number')).to.equal(expected));
    }

    it('encodes integers as msgpack ints and everything else as exact decimal text', () => {
      expect(wire(encodeMsgpackValue(3, 'number'))).to.equal('03');
      expect(wire(encodeMsgpackValue(-7, 'number'))).to.equal('f9');
      expect(wire(encodeMsgpackValue(70000, 'number'))).to.equal('ce00011170');
      expect(wire(encodeMsgpackValue(0.1, 'number'))).to.equal(wire(libEncode('0.1')));
      expect(wire(encodeMsgpackValue(9007199254740993n, 'number'))).to.equal('cf0020000000000001');
      expect(encodeMsgpackValue(2n ** 70n, 'number')).to.deep.equal(libEncode((2n ** 70n).toString()));
      expect(() => encodeMsgpackValue(NaN, 'number')).to.throw(/NaN/);
    });
  });

  describe('objects', () => {
    const type: CtyType = [
      'object',
      { name: 'string', tags: ['map', 'string'], extra: 'dynamic', rules: ['list', ['object', { port: 'number' }]] },
    ];

    it('agrees with an independent msgpack implementation in both directions', () => {
      const value = {
        name: 'x',
        tags: { a: 'b' },
        extra: new TypedValue(['list', 'bool'], [true]),
        rules: [{ port: 80 }, { port: 9007199254740993n }],
      };
      const theirs = libDecode(encodeMsgpackValue(value, type), { useBigInt64: true }) as Record<string, unknown>;
      expect(theirs.rules).to.deep.equal([{ port: 80 }, { port: 9007199254740993n }]);
      expect(Buffer.from((theirs.extra as [Uint8Array])[0]).toString()).to.equal('["list","bool"]');
      const back = decodeMsgpackValue(libEncode(theirs, { useBigInt64: true }), type);
      expect(back).to.deep.equal(value);
    });

    it('writes every attribute of the type (null when absent) and ignores keys the type lacks', () => {
      const decoded = libDecode(encodeMsgpackValue({ name: 'x' }, type)) as Record<string, unknown>;
      expect(decoded).to.deep.equal({ name: 'x', tags: null, extra: null, rules: null });
      expect(decodeMsgpackValue(libEncode({ name: 'x', stray: [1, { a: 2 }] }), type)).to.deep.equal({
        name: 'x',
        tags: null,
        extra: null,
        rules: null,
      });
    });

    it('names the path of a value of the wrong type', () => {
      expect(() => encodeMsgpackValue({ tags: { env: 5 } } as never, type)).to.throw(
        ValueTypeError,
        /expected a string.* at \.tags\.env/,
      );
      expect(() => encodeMsgpackValue({ rules: [{ port: 'eighty' }] } as never, type)).to.throw(
        /at \.rules\[0\]\.port/,
      );
    });

    it('infers the type of plain values in a dynamic attribute', () => {
      const decoded = libDecode(encodeMsgpackValue({ a: 1, b: ['x', true] }, 'dynamic')) as [Uint8Array, unknown];
      expect(JSON.parse(Buffer.from(decoded[0]).toString())).to.deep.equal([
        'object',
        { a: 'number', b: ['tuple', ['string', 'bool']] },
      ]);
      expect(decoded[1]).to.deep.equal({ a: 1, b: ['x', true] });
    });
  });

  describe('lossless JSON', () => {
    it('keeps big integers and long decimals exact, where JSON.parse rounds them', () => {
      const parsed = parseJsonLossless(
        '{"big": 9007199254740993, "neg": -9007199254740993, "d": 0.1, "long": 0.10000000000000000001, "e": 1.5e3, "s": "\\u00e9\\"", "l": [true, null]}',
      );
      expect(parsed).to.deep.equal({
        big: 9007199254740993n,
        neg: -9007199254740993n,
        d: 0.1,
        long: '0.10000000000000000001',
        e: 1500,
        s: 'é"',
        l: [true, null],
      });
      expect(() => parseJsonLossless('{"a": 1,}')).to.throw(SyntaxError);
    });

    it('keeps a "__proto__" key as data', () => {
      const parsed = parseJsonLossless('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
      expect(Object.getPrototypeOf(parsed)).to.equal(Object.prototype);
      expect(Object.keys(parsed)).to.deep.equal(['__proto__']);
    });

    it('shapes JSON state to a type, with dynamic values in their {"value","type"} form', () => {
      const type: CtyType = ['object', { n: 'number', x: 'dynamic', gone: 'string' }];
      expect(
        decodeJsonValue('{"n": 9007199254740993, "x": {"value": [1], "type": ["list", "number"]}, "removed": 1}', type),
      ).to.deep.equal({
        n: 9007199254740993n,
        x: new TypedValue(['list', 'number'], [1]),
        gone: null,
      });
    });
  });

  describe('schema completion', () => {
    const block: Block = {
      attributes: {
        id: { type: 'string', computed: true },
        obj: { type: ['list', ['object', { a: 'string', b: 'number' }]], optional: true },
        nested: { optional: true, nested: { nesting: 'map', attributes: { x: { type: 'string', optional: true } } } },
      },
      blocks: {
        rule: { nesting: 'list', block: { attributes: { port: { type: 'number', required: true } } } },
        single: { nesting: 'single', block: { attributes: { v: { type: 'string', optional: true } } } },
        group: { nesting: 'group', block: { attributes: { v: { type: 'string', optional: true } } } },
        labelled: { nesting: 'map', block: { attributes: { v: { type: 'string', optional: true } } } },
      },
    };

    it('gives every attribute and block a key, recursively, as core requires', () => {
      expect(completeObject(block, {})).to.deep.equal({
        id: null,
        obj: null,
        nested: null,
        rule: [],
        single: null,
        group: { v: null },
        labelled: {},
      });
      expect(
        completeObject(block, { obj: [{ a: 'x' }], nested: { k: {} }, rule: [{}], stray: 1 } as never),
      ).to.deep.equal({
        id: null,
        obj: [{ a: 'x', b: null }],
        nested: { k: { x: null } },
        rule: [{ port: null }],
        single: null,
        group: { v: null },
        labelled: {},
      });
      expect(completeObject(block, { rule: UNKNOWN, id: UNKNOWN })).to.include({ rule: UNKNOWN, id: UNKNOWN });
    });

    it('nulls write-only attributes wherever they sit, since core rejects them in plans and state', () => {
      const withSecrets: Block = {
        attributes: {
          password: { type: 'string', optional: true, writeOnly: true },
          name: { type: 'string', optional: true },
        },
        blocks: {
          user: {
            nesting: 'list',
            block: { attributes: { token: { type: 'string', optional: true, writeOnly: true } } },
          },
        },
      };
      expect(nullWriteOnly(withSecrets, { password: 'p', name: 'n', user: [{ token: 't' }, UNKNOWN] })).to.deep.equal({
        password: null,
        name: 'n',
        user: [{ token: null }, UNKNOWN],
      });
      const plain = { id: 'x' };
      expect(nullWriteOnly(block, plain)).to.equal(plain);
    });

    it('implies the object type core decodes with', () => {
      expect(impliedType(block)).to.deep.equal([
        'object',
        {
          id: 'string',
          obj: ['list', ['object', { a: 'string', b: 'number' }]],
          nested: ['map', ['object', { x: 'string' }]],
          rule: ['list', ['object', { port: 'number' }]],
          single: ['object', { v: 'string' }],
          group: ['object', { v: 'string' }],
          labelled: ['map', ['object', { v: 'string' }]],
        },
      ]);
    });
  });

  describe('plugin process details', () => {
    it('writes the handshake certificate as unpadded base64', () => {
      for (const length of [300, 301, 302]) {
        const line = handshakeLine('/tmp/x.sock', Buffer.alloc(length, 0xff));
        expect(line).to.match(/^1\|6\|unix\|\/tmp\/x\.sock\|grpc\|[A-Za-z0-9+/]+\n$/);
      }
      expect(handshakeLine('/tmp/x.sock', undefined)).to.equal('1|6|unix|/tmp/x.sock|grpc|\n');
    });

    it('logs hclog JSON with microsecond timestamps, at the level TF_LOG_PROVIDER or TF_LOG asks for', () => {
      expect(timestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.789)).to.equal('2026-01-02T03:04:05.006789Z');
      expect(levelFromEnv({})).to.equal('off');
      expect(levelFromEnv({ TF_LOG: 'debug', TF_LOG_PROVIDER: 'WARN' })).to.equal('warn');
      expect(levelFromEnv({ TF_LOG: 'JSON' })).to.equal('trace');
      const lines: string[] = [];
      const log = createLogger('fake', 'info', (l) => lines.push(l));
      log.debug('hidden');
      log.with({ rpc: 'X' }).info('shown', { big: 1n });
      expect(lines).to.have.length(1);
      const entry = JSON.parse(lines[0]!) as Record<string, string>;
      expect(entry).to.include({ '@level': 'info', '@message': 'shown', '@module': 'fake', rpc: 'X', big: '1' });
      expect(entry['@timestamp']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    });
  });
});
