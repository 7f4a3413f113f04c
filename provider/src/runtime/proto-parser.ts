// A small .proto (proto3) parser that turns our own protocol files into the lookup tables the codec uses.
// It understands only what our files use (messages, nested types, enums, oneof, map, repeated/optional, services)
// and fails loudly on anything else, so a change to a .proto file cannot be silently misread.

export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64';

export interface FieldInfo {
  name: string;
  no: number;
  /** A scalar type name, or the full name of a message or enum (e.g. "tfplugin6.Schema.Block"). */
  type: string;
  kind: 'scalar' | 'message' | 'enum';
  repeated?: true;
  /** map<string, type>: encoded as repeated entries {key = 1, value = 2}. */
  map?: true;
  /** proto3 `optional`: encoded even when it holds the zero value. */
  presence?: true;
}

export interface MethodInfo {
  input: string;
  output: string;
  serverStreaming: boolean;
}

export interface ProtoTables {
  messages: Record<string, FieldInfo[]>;
  enums: Record<string, Record<string, number>>;
  /** Keyed by gRPC path, e.g. "/tfplugin6.Provider/GetProviderSchema". */
  methods: Record<string, MethodInfo>;
}

const SCALARS = new Set<string>(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64']);

interface PendingField extends Omit<FieldInfo, 'type' | 'kind'> {
  typeRef: string;
  scope: string;
}

/** Parses several .proto sources into one set of tables; type references may cross files. */
export function parseProtoFiles(sources: readonly string[]): ProtoTables {
  const tables: ProtoTables = { messages: {}, enums: {}, methods: {} };
  const pending: { message: string; field: PendingField }[] = [];
  const pendingMethods: { path: string; scope: string; input: string; output: string; serverStreaming: boolean }[] = [];

  for (const source of sources) {
    const t = new Tokens(source);
    let pkg = '';
    while (!t.done()) {
      const word = t.next();
      if (word === 'syntax' || word === 'option' || word === 'import') t.skipTo(';');
      else if (word === 'package') {
        pkg = t.next();
        t.expect(';');
      } else if (word === 'message') parseMessage(t, pkg, tables, pending);
      else if (word === 'enum') parseEnum(t, pkg, tables);
      else if (word === 'service') {
        const service = join(pkg, t.next());
        t.expect('{');
        while (t.peek() !== '}') {
          t.expectWord('rpc');
          const name = t.next();
          t.expect('(');
          const input = t.next();
          t.expect(')');
          t.expectWord('returns');
          t.expect('(');
          let serverStreaming = false;
          if (t.peek() === 'stream') {
            t.next();
            serverStreaming = true;
          }
          const output = t.next();
          t.expect(')');
          if (t.peek() === '{') {
            t.next();
            t.expect('}');
          } else t.expect(';');
          pendingMethods.push({ path: `/${service}/${name}`, scope: pkg, input, output, serverStreaming });
        }
        t.expect('}');
      } else throw t.error(`unexpected "${word}"`);
    }
  }

  for (const { message, field } of pending) {
    const { typeRef, scope, ...rest } = field;
    if (SCALARS.has(typeRef)) {
      tables.messages[message]!.push({ ...rest, type: typeRef, kind: 'scalar' });
      continue;
    }
    const full = resolve(tables, scope, typeRef);
    tables.messages[message]!.push({ ...rest, type: full, kind: full in tables.enums ? 'enum' : 'message' });
  }
  for (const m of pendingMethods) {
    const input = resolve(tables, m.scope, m.input);
    const output = resolve(tables, m.scope, m.output);
    tables.methods[m.path] = { input, output, serverStreaming: m.serverStreaming };
  }
  return tables;
}

function parseMessage(
  t: Tokens,
  scope: string,
  tables: ProtoTables,
  pending: { message: string; field: PendingField }[],
): void {
  const full = join(scope, t.next());
  tables.messages[full] = [];
  t.expect('{');
  const parseField = (label: string | undefined, typeRef: string): void => {
    const name = t.next();
    t.expect('=');
    const no = Number(t.next());
    if (!Number.isInteger(no) || no <= 0) throw t.error(`bad field number for ${full}.${name}`);
    if (t.peek() === '[') t.skipTo(']');
    t.expect(';');
    const field: PendingField = { name, no, typeRef, scope: full };
    if (label === 'repeated') field.repeated = true;
    if (label === 'optional') field.presence = true;
    pending.push({ message: full, field });
  };
  while (t.peek() !== '}') {
    const word = t.next();
    if (word === 'message') parseMessage(t, full, tables, pending);
    else if (word === 'enum') parseEnum(t, full, tables);
    else if (word === 'reserved' || word === 'option') t.skipTo(';');
    else if (word === 'oneof') {
      t.next();
      t.expect('{');
      while (t.peek() !== '}') parseField(undefined, t.next());
      t.expect('}');
    } else if (word === 'map') {
      t.expect('<');
      const keyType = t.next();
      if (keyType !== 'string') throw t.error('only map<string, ...> is supported');
      t.expect(',');
      const valueType = t.next();
      t.expect('>');
      const before = pending.length;
      parseField('repeated', valueType);
      pending[before]!.field.map = true;
    } else if (word === 'repeated' || word === 'optional') parseField(word, t.next());
    else parseField(undefined, word);
  }
  t.expect('}');
}

function parseEnum(t: Tokens, scope: string, tables: ProtoTables): void {
  const full = join(scope, t.next());
  const values: Record<string, number> = {};
  t.expect('{');
  while (t.peek() !== '}') {
    const name = t.next();
    if (name === 'option' || name === 'reserved') {
      t.skipTo(';');
      continue;
    }
    t.expect('=');
    values[name] = Number(t.next());
    t.expect(';');
  }
  t.expect('}');
  tables.enums[full] = values;
}

/** Protobuf name resolution: look in the innermost scope first, then each enclosing one. */
function resolve(tables: ProtoTables, scope: string, ref: string): string {
  if (ref.startsWith('.')) return ref.slice(1);
  const parts = scope ? scope.split('.') : [];
  for (let i = parts.length; i >= 0; i--) {
    const candidate = join(parts.slice(0, i).join('.'), ref);
    if (candidate in tables.messages || candidate in tables.enums) return candidate;
  }
  throw new Error(`proto: cannot resolve type "${ref}" from scope "${scope}"`);
}

function join(scope: string, name: string): string {
  return scope ? `${scope}.${name}` : name;
}

class Tokens {
  private readonly list: string[];
  private pos = 0;
  constructor(source: string) {
    const stripped = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
    this.list = stripped.match(/"[^"]*"|[A-Za-z_][\w.]*|\.[A-Za-z_][\w.]*|-?\d+|[{}()<>;=,[\]]/g) ?? [];
  }
  done(): boolean {
    return this.pos >= this.list.length;
  }
  peek(): string | undefined {
    return this.list[this.pos];
  }
  next(): string {
    const tok = this.list[this.pos++];
    if (tok === undefined) throw new Error('proto: unexpected end of file');
    return tok;
  }
  expect(tok: string): void {
    const got = this.next();
    if (got !== tok) throw this.error(`expected "${tok}", got "${got}"`);
  }
  expectWord(word: string): void {
    this.expect(word);
  }
  skipTo(tok: string): void {
    while (this.next() !== tok);
  }
  error(message: string): Error {
    return new Error(`proto: ${message} (token ${this.pos})`);
  }
}
