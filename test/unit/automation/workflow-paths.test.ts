// Workflow paths, payload templates and intrinsics: grammar, immutable reads and writes, Input/Result/OutputPath.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { checkIntrinsic, evaluateIntrinsic } from '../../../api/src/automation/workflows/intrinsics.js';
import {
  PathError,
  applyInputPath,
  applyOutputPath,
  applyResultPath,
  checkPath,
  checkResultPath,
  readPath,
  writePath,
  type Context,
  type Json,
} from '../../../api/src/automation/workflows/paths.js';
import { checkTemplate, renderTemplate } from '../../../api/src/automation/workflows/templates.js';

const ctx: Context = {
  Execution: { Id: 'exec-1', Input: { a: 1 }, StartTime: '2026-12-03T06:00:00Z' },
  State: { Name: 'Pick', EnteredTime: '2026-12-03T06:00:01Z' },
  Map: { Item: { Index: 2, Value: 'c' } },
};

/** The PathError `fn` throws, so its code and message can be asserted exactly. */
function thrown(fn: () => unknown): PathError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(PathError);
    return e as PathError;
  }
  throw new Error('expected a PathError');
}
const failure = (fn: () => unknown) => {
  const e = thrown(fn);
  return [e.code, e.message];
};

describe('automation: workflow paths', () => {
  describe('checkPath', () => {
    it('accepts the root, dotted names, quoted names and indexes', () => {
      for (const p of ['$', '$.a', '$.a_b-c.D9', "$['a b']", '$["x.y"]', '$.list[0].name', '$[12]', "$.a['']"])
        expect(checkPath(p), p).to.equal(null);
    });

    it('accepts $$ only when the context is allowed', () => {
      expect(checkPath('$$.Execution.Id', { allowContext: true })).to.equal(null);
      expect(checkPath('$$', { allowContext: true })).to.equal(null);
      expect(checkPath('$$.Execution.Id')).to.equal('the context object ($$) is not allowed here');
    });

    it('refuses everything else with a message saying why', () => {
      const cases: [string, string][] = [
        ['', 'must start with $'],
        ['a.b', 'must start with $'],
        ['$.', 'expected a field name after . at position 1'],
        ['$.a.', 'expected a field name after . at position 3'],
        ['$.a[', 'unclosed [ at position 3'],
        ['$.a[0', 'unclosed [ at position 3'],
        ["$['a'", 'unclosed [ at position 1'],
        ["$['a", 'unterminated quoted name at position 2'],
        ['$.*', 'wildcards are not supported'],
        ['$[*]', 'wildcards are not supported'],
        ['$.a*', 'wildcards are not supported'],
        ['$..a', 'recursive descent (..) is not supported'],
        ['$[?(@.a)]', 'filters and expressions are not supported'],
        ['$[-1]', 'array indexes must be non-negative integers (position 2)'],
        ['$[a]', 'expected a quoted name or an index after [ at position 1'],
        ['$a', "unexpected 'a' at position 1"],
        ['$.a b', "unexpected ' ' at position 3"],
      ];
      for (const [p, msg] of cases) expect(checkPath(p), p).to.equal(msg);
    });
  });

  describe('checkResultPath', () => {
    it('allows null and field names, and refuses indexes and the context', () => {
      expect(checkResultPath(null)).to.equal(null);
      expect(checkResultPath('$')).to.equal(null);
      expect(checkResultPath("$.a['b c']")).to.equal(null);
      expect(checkResultPath('$.a[0]')).to.equal('array indexes are not allowed in a ResultPath');
      expect(checkResultPath('$$.State')).to.equal('the context object ($$) is not allowed here');
      expect(checkResultPath('a')).to.equal('must start with $');
    });
  });

  describe('readPath', () => {
    const doc: Json = { a: { b: [10, { c: 'x' }], 'd e': null }, n: 0 };

    it('reads the document, nested fields, indexes, quoted names and falsy values', () => {
      expect(readPath(doc, '$')).to.equal(doc);
      expect(readPath(doc, '$.a.b[1].c')).to.equal('x');
      expect(readPath(doc, "$['a']['d e']")).to.equal(null);
      expect(readPath(doc, '$.n')).to.equal(0);
    });

    it('reads the context at $$', () => {
      expect(readPath(doc, '$$.Execution.Id', ctx)).to.equal('exec-1');
      expect(readPath(doc, '$$.Map.Item.Index', ctx)).to.equal(2);
      expect(readPath(doc, '$$', ctx)).to.deep.equal(ctx);
    });

    it('names the first missing step', () => {
      expect(failure(() => readPath({ a: {} }, '$.a.b'))).to.deep.equal(['PathNotFound', '$.a.b: no such field']);
      expect(failure(() => readPath({}, '$.a.b'))).to.deep.equal(['PathNotFound', '$.a: no such field']);
      expect(failure(() => readPath(doc, '$.a.b[5]'))).to.deep.equal(['PathNotFound', '$.a.b[5]: no such field']);
      expect(failure(() => readPath(doc, "$.a['x y']"))).to.deep.equal(['PathNotFound', "$.a['x y']: no such field"]);
      expect(failure(() => readPath({ a: 'str' }, '$.a.length'))).to.deep.equal([
        'PathNotFound',
        '$.a.length: no such field',
      ]);
      expect(failure(() => readPath({ a: { '0': 1 } }, '$.a[0]'))).to.deep.equal([
        'PathNotFound',
        '$.a[0]: no such field',
      ]);
    });

    it('does not reach inherited properties', () => {
      expect(failure(() => readPath({}, '$.constructor'))).to.deep.equal([
        'PathNotFound',
        '$.constructor: no such field',
      ]);
      expect(failure(() => readPath({}, "$['__proto__']"))).to.deep.equal([
        'PathNotFound',
        '$.__proto__: no such field',
      ]);
      expect(failure(() => readPath([1], '$.length'))).to.deep.equal(['PathNotFound', '$.length: no such field']);
    });

    it('throws InvalidPath for a malformed path', () => {
      expect(failure(() => readPath(doc, '$.*'))).to.deep.equal(['InvalidPath', '$.*: wildcards are not supported']);
    });
  });

  describe('writePath', () => {
    it('places the value, creating missing objects, and leaves the input as it was', () => {
      const doc: Json = { a: { keep: 1 }, z: [1] };
      const before = structuredClone(doc);
      const out = writePath(doc, '$.a.b.c', 'v');
      expect(out).to.deep.equal({ a: { keep: 1, b: { c: 'v' } }, z: [1] });
      expect(doc).to.deep.equal(before);
      expect((out as { z: Json }).z).to.equal((doc as { z: Json }).z); // untouched branches are shared, not copied
    });

    it('replaces an existing field in place, keeping key order', () => {
      expect(Object.keys(writePath({ a: 1, b: 2, c: 3 }, '$.b', 9) as object)).to.deep.equal(['a', 'b', 'c']);
    });

    it('replaces the whole document at $', () => {
      expect(writePath({ a: 1 }, '$', [1, 2])).to.deep.equal([1, 2]);
    });

    it('writes a "__proto__" field as a plain field', () => {
      const out = writePath({}, "$['__proto__'].x", 1) as object;
      expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
      expect(Object.hasOwn(out, '__proto__')).to.equal(true);
      expect(JSON.stringify(out)).to.equal('{"__proto__":{"x":1}}');
    });

    it('refuses to write into a non-object, an index or the context', () => {
      expect(failure(() => writePath({ a: 'text' }, '$.a.b', 1))).to.deep.equal([
        'InvalidPath',
        '$.a: cannot set a field in a string',
      ]);
      expect(failure(() => writePath({ a: [1] }, '$.a.b', 1))).to.deep.equal([
        'InvalidPath',
        '$.a: cannot set a field in an array',
      ]);
      expect(failure(() => writePath(5, '$.a', 1))).to.deep.equal(['InvalidPath', '$: cannot set a field in a number']);
      expect(failure(() => writePath({ a: null }, '$.a.b', 1))).to.deep.equal([
        'InvalidPath',
        '$.a: cannot set a field in null',
      ]);
      expect(failure(() => writePath({ a: [] }, '$.a[0]', 1))).to.deep.equal([
        'InvalidPath',
        '$.a[0]: array indexes are not allowed in a ResultPath',
      ]);
      expect(failure(() => writePath({}, '$$.a', 1))).to.deep.equal([
        'InvalidPath',
        '$$.a: the context object ($$) is not allowed here',
      ]);
    });
  });

  describe('InputPath, ResultPath and OutputPath', () => {
    const input: Json = { a: { b: 1 }, c: 2 };

    it('InputPath: absent is the whole input, null an empty object, a path its value, $$ the context', () => {
      expect(applyInputPath(input, undefined, ctx)).to.equal(input);
      expect(applyInputPath(input, null, ctx)).to.deep.equal({});
      expect(applyInputPath(input, '$.a', ctx)).to.deep.equal({ b: 1 });
      expect(applyInputPath(input, '$$.State.Name', ctx)).to.equal('Pick');
      expect(failure(() => applyInputPath(input, '$.x', ctx))).to.deep.equal(['PathNotFound', '$.x: no such field']);
    });

    it('ResultPath: absent replaces the input, null discards the result, a path places it', () => {
      const before = structuredClone(input);
      expect(applyResultPath(input, 'r', undefined)).to.equal('r');
      expect(applyResultPath(input, 'r', null)).to.equal(input);
      expect(applyResultPath(input, 'r', '$.a.res')).to.deep.equal({ a: { b: 1, res: 'r' }, c: 2 });
      expect(applyResultPath(input, { x: 1 }, '$')).to.deep.equal({ x: 1 });
      expect(input).to.deep.equal(before);
    });

    it('OutputPath: absent is the whole document, null an empty object, a path its value', () => {
      expect(applyOutputPath(input, undefined)).to.equal(input);
      expect(applyOutputPath(input, null)).to.deep.equal({});
      expect(applyOutputPath(input, '$.c')).to.equal(2);
      expect(failure(() => applyOutputPath(input, '$.a.z'))).to.deep.equal(['PathNotFound', '$.a.z: no such field']);
    });
  });
});

describe('automation: workflow payload templates', () => {
  const input: Json = { order: { id: 'o-1', items: [{ sku: 'a' }, { sku: 'b' }] }, n: 3 };

  it('renders .$ keys from paths, the context and intrinsics, recursing into objects and arrays', () => {
    const tpl: Json = {
      literal: 'as is',
      'id.$': '$.order.id',
      'exec.$': '$$.Execution.Id',
      nested: { 'first.$': '$.order.items[0].sku', list: [{ 'n.$': '$.n' }, 'x', 1, null], deeper: { keep: '$.not' } },
      'msg.$': "States.Format('order {} has {} items', $.order.id, States.ArrayLength($.order.items))",
      arr: [[{ 'index.$': '$$.Map.Item.Index' }]],
    };
    const before = structuredClone(tpl);
    expect(renderTemplate(tpl, input, ctx)).to.deep.equal({
      literal: 'as is',
      id: 'o-1',
      exec: 'exec-1',
      nested: { first: 'a', list: [{ n: 3 }, 'x', 1, null], deeper: { keep: '$.not' } },
      msg: 'order o-1 has 2 items',
      arr: [[{ index: 2 }]],
    });
    expect(tpl).to.deep.equal(before);
  });

  it('renders scalars and a template with no .$ keys unchanged', () => {
    expect(renderTemplate('x', input, ctx)).to.equal('x');
    expect(renderTemplate({ a: [1, { b: true }] }, input, ctx)).to.deep.equal({ a: [1, { b: true }] });
  });

  it('fails a render on a .$ key that is not a string', () => {
    expect(failure(() => renderTemplate([{ 'a.$': 1 }], input, ctx))).to.deep.equal([
      'InvalidPath',
      'a.$: must be a path or an intrinsic function',
    ]);
  });

  it('fails a render on a missing path', () => {
    expect(failure(() => renderTemplate({ a: { 'b.$': '$.missing' } }, input, ctx))).to.deep.equal([
      'PathNotFound',
      '$.missing: no such field',
    ]);
  });

  it('reports each bad path or intrinsic with a pointer to its key, escaping ~ and /', () => {
    const tpl: Json = {
      'ok.$': '$.a',
      'bad.$': '$.a[',
      'a/b~c': { 'x.$': 'States.Nope()' },
      list: [1, { 'ctx.$': '$$.Execution.Id' }, { 'n.$': 5 }],
      'fmt.$': "States.Format('{} {}', $.a)",
      'rand.$': 'States.MathRandom(1, 10)',
      'dup.$': '$.a',
      dup: 1,
      'word.$': 'hello',
    };
    expect(checkTemplate(tpl, '/definition/States/S/Parameters')).to.deep.equal([
      { pointer: '/definition/States/S/Parameters/bad.$', detail: 'unclosed [ at position 3', code: 'InvalidPath' },
      {
        pointer: '/definition/States/S/Parameters/a~1b~0c/x.$',
        detail: 'unknown intrinsic function States.Nope',
        code: 'InvalidIntrinsic',
      },
      {
        pointer: '/definition/States/S/Parameters/list/2/n.$',
        detail: 'must be a string: a path or an intrinsic function',
        code: 'InvalidPath',
      },
      {
        pointer: '/definition/States/S/Parameters/fmt.$',
        detail: 'States.Format has 2 placeholders but 1 arguments to fill them',
        code: 'InvalidIntrinsic',
      },
      {
        pointer: '/definition/States/S/Parameters/rand.$',
        detail:
          'States.MathRandom is not supported: it is not deterministic, and the engine replays steps, so rendering must be pure',
        code: 'InvalidIntrinsic',
      },
      { pointer: '/definition/States/S/Parameters/dup.$', detail: 'duplicates the field dup', code: 'Duplicate' },
      {
        pointer: '/definition/States/S/Parameters/word.$',
        detail: 'must be a path ($...) or an intrinsic function call (States.…)',
        code: 'InvalidIntrinsic',
      },
    ]);
  });

  it('finds nothing wrong with a good template', () => {
    expect(checkTemplate({ 'a.$': '$$.Map.Item.Value', b: [{ 'c.$': 'States.Array(1, $.x)' }] }, '')).to.deep.equal([]);
  });
});

describe('automation: workflow intrinsic functions', () => {
  const input: Json = {
    s: 'a,b;;c',
    n: 4,
    list: [1, 2, { k: 'v' }, 2, { k: 'v' }],
    json: '{"x":[1,true]}',
    obj: { b: 1, a: 'é' },
  };
  const run = (src: string) => evaluateIntrinsic(src, input, ctx);
  const bad = (src: string) => failure(() => run(src));

  it('parses string escapes, numbers, booleans, null, nested calls and paths with odd names', () => {
    expect(run("States.Array('it\\'s', 'back\\\\slash', -1.5, 2e3, true, false, null)")).to.deep.equal([
      "it's",
      'back\\slash',
      -1.5,
      2000,
      true,
      false,
      null,
    ]);
    expect(
      run("States.Array( States.Array(), States.ArrayLength( $.list ) , $.obj['b'], $$.State.Name )"),
    ).to.deep.equal([[], 5, 1, 'Pick']);
    expect(evaluateIntrinsic("States.Array($['a, b)'])", { 'a, b)': 7 }, ctx)).to.deep.equal([7]);
  });

  it('refuses malformed calls at check time', () => {
    const cases: [string, string][] = [
      ["States.Format('x", 'unterminated string at position 16'],
      ["States.Format('\\n')", "only \\' and \\\\ may be escaped at position 16"],
      ['States.Array(1 2)', 'expected , or ) at position 15'],
      ['States.Array(foo)', 'expected ( after foo at position 16'],
      ['States.Array(1', 'expected , or ) at position 14'],
      ['States.Array', 'must be a path ($...) or an intrinsic function call (States.…)'],
      ['States.Array() x', 'unexpected text after the call at position 15'],
      ['States.Array($.a[)', '$.a[: unclosed [ at position 3'],
      ['42', 'must be a path ($...) or an intrinsic function call (States.…)'],
      ['States.Array(#)', "unexpected '#' at position 13"],
      [
        'States.UUID()',
        'States.UUID is not supported: it is not deterministic, and the engine replays steps, so rendering must be pure',
      ],
      ['States.constructor()', 'unknown intrinsic function States.constructor'],
      ['States.ArrayLength()', 'States.ArrayLength takes 1 argument, not 0'],
      ['States.ArrayRange(1, 2)', 'States.ArrayRange takes 3 arguments, not 2'],
      ['States.Format()', 'States.Format takes at least 1 argument, not 0'],
      ["States.MathAdd('1', 2)", 'States.MathAdd: argument 1 must be a number'],
      ['States.ArrayGetItem($.list, 1.5)', 'States.ArrayGetItem: argument 2 must be an integer'],
      ['States.Array(States.Nope())', 'unknown intrinsic function States.Nope'],
    ];
    for (const [src, msg] of cases) expect(checkIntrinsic(src), src).to.equal(msg);
    expect(checkIntrinsic("States.Format('{} and {}', $.s, States.Array())")).to.equal(null);
  });

  it('States.Format fills placeholders, rendering non-strings as JSON', () => {
    expect(run("States.Format('{}|{}|{}|{}', $.s, $.n, $.list[2], null)")).to.equal('a,b;;c|4|{"k":"v"}|null');
    expect(bad('States.Format($.s, 1)')).to.deep.equal([
      'IntrinsicFailure',
      'States.Format: 0 placeholders but 1 arguments to fill them',
    ]);
    expect(bad('States.Format($.n)')).to.deep.equal([
      'IntrinsicFailure',
      'States.Format: argument 1 must be a string, not number',
    ]);
  });

  it('States.StringToJson and States.JsonToString', () => {
    expect(run('States.StringToJson($.json)')).to.deep.equal({ x: [1, true] });
    expect(bad("States.StringToJson('{x')")).to.deep.equal([
      'IntrinsicFailure',
      'States.StringToJson: argument 1 is not valid JSON',
    ]);
    expect(run('States.JsonToString($.obj)')).to.equal('{"b":1,"a":"é"}');
    expect(checkIntrinsic('States.JsonToString(1, 2)')).to.equal('States.JsonToString takes 1 argument, not 2');
  });

  it('States.Array, States.ArrayLength and States.ArrayContains (deep equality)', () => {
    expect(run('States.Array($.n, $.obj)')).to.deep.equal([4, { b: 1, a: 'é' }]);
    expect(run('States.ArrayLength($.list)')).to.equal(5);
    expect(bad('States.ArrayLength($.s)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayLength: argument 1 must be an array, not string',
    ]);
    expect(run('States.ArrayContains($.list, States.StringToJson(\'{"k":"v"}\'))')).to.equal(true);
    expect(run("States.ArrayContains($.list, '2')")).to.equal(false);
    expect(bad('States.ArrayContains($.obj, 1)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayContains: argument 1 must be an array, not object',
    ]);
  });

  it('States.ArrayRange counts inclusively in either direction, within a limit', () => {
    expect(run('States.ArrayRange(1, 9, 2)')).to.deep.equal([1, 3, 5, 7, 9]);
    expect(run('States.ArrayRange(5, 1, -2)')).to.deep.equal([5, 3, 1]);
    expect(run('States.ArrayRange(1, 0, 1)')).to.deep.equal([]);
    expect(run('States.ArrayRange(0, 999, 1)')).to.have.length(1000);
    expect(bad('States.ArrayRange(0, 1000, 1)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayRange: more than 1000 items',
    ]);
    expect(bad('States.ArrayRange(1, 2, 0)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayRange: the step must not be 0',
    ]);
    expect(bad('States.ArrayRange(1, $.s, 1)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayRange: argument 2 must be an integer, not string',
    ]);
  });

  it('States.ArrayGetItem, States.ArrayPartition and States.ArrayUnique', () => {
    expect(run('States.ArrayGetItem($.list, 2)')).to.deep.equal({ k: 'v' });
    expect(bad('States.ArrayGetItem($.list, 5)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayGetItem: index 5 is out of range (length 5)',
    ]);
    expect(run('States.ArrayPartition($.list, 2)')).to.deep.equal([[1, 2], [{ k: 'v' }, 2], [{ k: 'v' }]]);
    expect(run('States.ArrayPartition(States.Array(), 3)')).to.deep.equal([]);
    expect(bad('States.ArrayPartition($.list, 0)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayPartition: the chunk size must be at least 1',
    ]);
    expect(run('States.ArrayUnique($.list)')).to.deep.equal([1, 2, { k: 'v' }]);
    expect(bad('States.ArrayUnique($.n)')).to.deep.equal([
      'IntrinsicFailure',
      'States.ArrayUnique: argument 1 must be an array, not number',
    ]);
  });

  it('States.MathAdd', () => {
    expect(run('States.MathAdd($.n, -10)')).to.equal(-6);
    expect(bad('States.MathAdd($.n, $.s)')).to.deep.equal([
      'IntrinsicFailure',
      'States.MathAdd: argument 2 must be a number, not string',
    ]);
    expect(bad('States.MathAdd(1e308, 1e308)')).to.deep.equal([
      'IntrinsicFailure',
      'States.MathAdd: the sum is out of range',
    ]);
  });

  it('States.StringSplit splits on any of the delimiter characters and drops empty pieces', () => {
    expect(run("States.StringSplit($.s, ',;')")).to.deep.equal(['a', 'b', 'c']);
    expect(run("States.StringSplit('abc', ',')")).to.deep.equal(['abc']);
    expect(bad("States.StringSplit($.s, '')")).to.deep.equal([
      'IntrinsicFailure',
      'States.StringSplit: the delimiter must not be empty',
    ]);
  });

  it('States.Base64Encode and States.Base64Decode round-trip UTF-8 and refuse malformed input', () => {
    expect(run("States.Base64Encode('héllo')")).to.equal('aMOpbGxv');
    expect(run("States.Base64Decode('aMOpbGxv')")).to.equal('héllo');
    expect(bad("States.Base64Decode('aMO*bGxv')")).to.deep.equal([
      'IntrinsicFailure',
      'States.Base64Decode: argument 1 is not base64',
    ]);
    expect(bad("States.Base64Decode('/w==')")).to.deep.equal([
      'IntrinsicFailure',
      'States.Base64Decode: argument 1 does not decode to UTF-8 text',
    ]);
    expect(bad('States.Base64Encode($.n)')).to.deep.equal([
      'IntrinsicFailure',
      'States.Base64Encode: argument 1 must be a string, not number',
    ]);
  });

  it('States.Hash digests UTF-8 text as lowercase hex', () => {
    expect(run("States.Hash('abc', 'SHA-256')")).to.equal(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(run("States.Hash($.obj.a, 'MD5')")).to.equal(createHash('md5').update('é').digest('hex'));
    expect(bad("States.Hash('abc', 'SHA-3')")).to.deep.equal([
      'IntrinsicFailure',
      'States.Hash: unknown algorithm SHA-3 (MD5, SHA-1, SHA-256, SHA-384, SHA-512)',
    ]);
    expect(bad("States.Hash('abc', 'constructor')")[0]).to.equal('IntrinsicFailure');
  });

  it('fails at run time on what a check would have refused', () => {
    expect(bad('States.UUID()')).to.deep.equal(['IntrinsicFailure', 'States.UUID is not supported']);
    expect(bad('States.Array(')).to.deep.equal(['IntrinsicFailure', 'States.Array(: unexpected end at position 13']);
    expect(bad('States.Array($.missing)')).to.deep.equal(['PathNotFound', '$.missing: no such field']);
  });
});
