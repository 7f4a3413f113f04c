// Workflow paths: the JSONPath subset of InputPath, ResultPath, OutputPath and Variable, and how each reads or writes.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type PathErrorCode = 'InvalidPath' | 'PathNotFound' | 'IntrinsicFailure' | 'NoChoiceMatched';

/** A runtime failure; the engine maps the code to an ASL error (States.Runtime, States.IntrinsicFailure, ...). */
export class PathError extends Error {
  constructor(
    message: string,
    readonly code: PathErrorCode,
  ) {
    super(message);
    this.name = 'PathError';
  }
}

/** The ASL context object, read by paths rooted at `$$`. */
export interface Context {
  [k: string]: Json;
}

type Segment = string | number;
type Parsed = { root: '$' | '$$'; segments: Segment[] };

const NAME = /^[A-Za-z0-9_-]$/;

/** Parses a path, or returns why it is not one. Positions in messages are 0-based character offsets. */
function parse(path: string, allowContext: boolean): Parsed | string {
  if (typeof path !== 'string') return 'must be a string';
  if (!path.startsWith('$')) return 'must start with $';
  const root = path.startsWith('$$') ? '$$' : '$';
  if (root === '$$' && !allowContext) return 'the context object ($$) is not allowed here';
  const segments: Segment[] = [];
  let i = root.length;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      let j = i + 1;
      while (j < path.length && NAME.test(path[j])) j++;
      if (j === i + 1) {
        if (path[j] === '*') return 'wildcards are not supported';
        if (path[j] === '.') return 'recursive descent (..) is not supported';
        return `expected a field name after . at position ${i}`;
      }
      segments.push(path.slice(i + 1, j));
      i = j;
    } else if (c === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        const end = path.indexOf(q, i + 2);
        if (end < 0) return `unterminated quoted name at position ${i + 1}`;
        if (path[end + 1] !== ']') return `unclosed [ at position ${i}`;
        segments.push(path.slice(i + 2, end));
        i = end + 2;
      } else {
        const m = /^\d+/.exec(path.slice(i + 1));
        if (m && path[i + 1 + m[0].length] === ']') {
          segments.push(Number(m[0]));
          i += m[0].length + 2;
        } else if (q === '*') return 'wildcards are not supported';
        else if (q === '?' || q === '(') return 'filters and expressions are not supported';
        else if (q === '-') return `array indexes must be non-negative integers (position ${i + 1})`;
        else if (m || q === undefined || !path.includes(']', i)) return `unclosed [ at position ${i}`;
        else return `expected a quoted name or an index after [ at position ${i}`;
      }
    } else if (c === '*') return 'wildcards are not supported';
    else return `unexpected '${c}' at position ${i}`;
  }
  return { root, segments };
}

/** Null if `path` is a valid path, else why not. */
export function checkPath(path: string, opts: { allowContext?: boolean } = {}): string | null {
  const p = parse(path, opts.allowContext ?? false);
  return typeof p === 'string' ? p : null;
}

/** Null if `path` may be a ResultPath: field names only, since indexing into an array being written is ambiguous. */
export function checkResultPath(path: string | null): string | null {
  if (path === null) return null;
  const p = parse(path, false);
  if (typeof p === 'string') return p;
  return p.segments.some((s) => typeof s === 'number') ? 'array indexes are not allowed in a ResultPath' : null;
}

function mustParse(path: string, allowContext: boolean): Parsed {
  const p = parse(path, allowContext);
  if (typeof p === 'string') throw new PathError(`${String(path)}: ${p}`, 'InvalidPath');
  return p;
}

/** The canonical spelling of a path prefix, for messages. */
function show(root: string, segments: Segment[]): string {
  return (
    root +
    segments.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z0-9_-]+$/.test(s) ? `.${s}` : `['${s}']`)).join('')
  );
}

const isObject = (v: Json | undefined): v is { [k: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at `path` in `doc` (`$`) or in `ctx` (`$$`). */
export function readPath(doc: Json, path: string, ctx: Context = {}): Json {
  const { root, segments } = mustParse(path, true);
  let cur: Json = root === '$$' ? ctx : doc;
  segments.forEach((s, i) => {
    const missing = () => new PathError(`${show(root, segments.slice(0, i + 1))}: no such field`, 'PathNotFound');
    if (typeof s === 'number') {
      if (!Array.isArray(cur) || s >= cur.length) throw missing();
      cur = cur[s];
    } else {
      // Own properties only: `$.constructor` must not reach Object.prototype.
      if (!isObject(cur) || !Object.hasOwn(cur, s)) throw missing();
      cur = cur[s];
    }
  });
  return cur;
}

/** A copy of `doc` with `value` at `path` (ResultPath semantics); missing objects on the way are created. */
export function writePath(doc: Json, path: string, value: Json): Json {
  const bad = checkResultPath(path);
  if (bad !== null) throw new PathError(`${String(path)}: ${bad}`, 'InvalidPath');
  const segments = mustParse(path, false).segments as string[];
  const put = (node: Json | undefined, i: number): Json => {
    if (i === segments.length) return value;
    if (node !== undefined && !isObject(node)) {
      const kind = node === null ? 'null' : Array.isArray(node) ? 'an array' : `a ${typeof node}`;
      throw new PathError(`${show('$', segments.slice(0, i))}: cannot set a field in ${kind}`, 'InvalidPath');
    }
    const k = segments[i];
    const child = node !== undefined && Object.hasOwn(node, k) ? node[k] : undefined;
    // A computed key defines an own property even for "__proto__", where assignment would set the prototype.
    return { ...node, [k]: put(child, i + 1) };
  };
  return put(doc, 0);
}

/** InputPath: absent means the whole input, null means an empty object. */
export function applyInputPath(input: Json, path: string | null | undefined, ctx: Context): Json {
  if (path === undefined) return input;
  if (path === null) return {};
  return readPath(input, path, ctx);
}

/** ResultPath: absent means the result replaces the input, null means the result is discarded. */
export function applyResultPath(rawInput: Json, result: Json, path: string | null | undefined): Json {
  if (path === undefined) return result;
  if (path === null) return rawInput;
  return writePath(rawInput, path, result);
}

/** OutputPath: absent means the whole document, null means an empty object. */
export function applyOutputPath(doc: Json, path: string | null | undefined): Json {
  if (path === undefined) return doc;
  if (path === null) return {};
  return readPath(doc, path);
}

/** Escapes one RFC 6901 reference token. */
export const pointerToken = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
