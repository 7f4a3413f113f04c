// Terraform JSON (what CDKTF synthesizes): `resource`, `data`, `variable`, `output`, `count` and `${...}` references,
// turned into the native model (references become Ref / GetAtt / Join).
import type { FieldError } from '../../platform/problems.js';
import type { Json, Model, ParamType, ResourceSpec } from './template-model.js';
import { kindForDataSource, kindForTerraformType } from './type-names.js';

const obj = (v: Json | undefined): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
/** Terraform accepts a block or a list of blocks for the same thing; CDKTF writes lists for providers. */
const first = (v: Json | undefined): Record<string, Json> => (Array.isArray(v) ? obj(v[0]) : obj(v));
const IGNORED_KEYS = new Set(['provider', 'lifecycle', 'timeouts', 'connection', 'provisioner']);
const TF_TYPES: Record<string, ParamType> = {
  string: 'String',
  number: 'Number',
  bool: 'Boolean',
  'list(string)': 'CommaDelimitedList',
};

export function isTerraformJson(doc: Record<string, Json>): boolean {
  return (
    ['resource', 'data', 'terraform', 'provider', 'variable', 'output'].some((k) => k in doc) && !('Resources' in doc)
  );
}

interface Ctx {
  errors: FieldError[];
  params: Record<string, Json>;
  /** the count of a block whose count variable has no value yet (a stored template's check), else an error */
  unsetCount?: number;
}

/**
 * `${var.x}` -> Ref; `${type.name.attr}` / `${type.name[0].attr}` / `${data.type.name.attr}` -> GetAtt;
 * `${count.index}` -> the index; a string with text around references -> Join.
 */
function convertString(s: string, pointer: string, ctx: Ctx, index?: number): Json {
  const parts: Json[] = [];
  let last = 0;
  for (const m of s.matchAll(/\$\{([^}]*)\}/g)) {
    if (m.index! > last) parts.push(s.slice(last, m.index));
    parts.push(convertRef(m[1]!.trim(), pointer, ctx, index));
    last = m.index! + m[0].length;
  }
  if (last === 0) return s;
  if (last < s.length) parts.push(s.slice(last));
  return parts.length === 1 ? parts[0]! : { 'Fn::Join': ['', parts] };
}

function convertRef(expr: string, pointer: string, ctx: Ctx, index?: number): Json {
  if (expr === 'count.index') {
    if (index === undefined)
      ctx.errors.push({
        pointer,
        detail: 'count.index is only available in a resource with count',
        code: 'InvalidReference',
      });
    return index ?? 0;
  }
  let m = /^var\.([A-Za-z_][\w-]*)$/.exec(expr);
  if (m) return { Ref: m[1]! };
  m = /^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*(?:\[\d+\])?)\.([a-z_][a-z0-9_]*)$/.exec(expr);
  if (m) return { 'Fn::GetAtt': [m[1]!, m[2]!] };
  ctx.errors.push({
    pointer,
    detail: `\${${expr}} is not supported here: use var.<name>, <type>.<name>.<attribute>, data.<type>.<name>.<attribute> or count.index`,
    code: 'UnsupportedExpression',
  });
  return null;
}

function convert(v: Json, pointer: string, ctx: Ctx, index?: number): Json {
  if (typeof v === 'string') return convertString(v, pointer, ctx, index);
  if (Array.isArray(v)) return v.map((x, i) => convert(x, `${pointer}/${i}`, ctx, index));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !k.startsWith('//'))
        .map(([k, x]) => [k, convert(x, `${pointer}/${k}`, ctx, index)]),
    );
  return v;
}

/** count must be known when the template is read: a number, or a variable with a value. */
function countOf(raw: Json | undefined, pointer: string, ctx: Ctx): number | undefined {
  if (raw === undefined) return undefined;
  let v: Json = raw;
  const m = typeof raw === 'string' ? /^\$\{var\.([\w-]+)\}$/.exec(raw) : null;
  if (m) v = ctx.params[m[1]!] ?? ctx.unsetCount ?? null;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 1000) {
    ctx.errors.push({
      pointer,
      detail: 'must be a whole number from 0 to 1000, or a variable holding one',
      code: 'InvalidCount',
    });
    return 0;
  }
  return n;
}

export function parseTerraformJson(
  doc: Record<string, Json>,
  base: string,
  errors: FieldError[],
  params: Record<string, Json>,
  opts: { unsetCount?: number } = {},
): Model {
  const ctx: Ctx = { errors, params, unsetCount: opts.unsetCount };
  const model: Model = { format: 'terraform', parameters: {}, conditions: {}, resources: {}, outputs: {} };
  for (const [name, v] of Object.entries(obj(doc.variable))) {
    const spec = first(v);
    const tfType = typeof spec.type === 'string' ? spec.type.replace(/^\$\{(.*)\}$/, '$1') : 'string';
    model.parameters[name] = {
      type: TF_TYPES[tfType] ?? 'String',
      default: spec.default,
      description: typeof spec.description === 'string' ? spec.description : undefined,
      pointer: `${base}/variable/${name}`,
    };
  }
  // Defaults fill in before count is read.
  for (const [name, p] of Object.entries(model.parameters))
    if (!(name in params) && p.default !== undefined) ctx.params = { ...ctx.params, [name]: p.default };

  const add = (lookup: boolean, section: 'resource' | 'data') => {
    for (const [type, byName] of Object.entries(obj(doc[section]))) {
      for (const [name, raw] of Object.entries(obj(byName))) {
        const block = first(raw);
        const pointer = `${base}/${section}/${type}/${name}`;
        const address = `${lookup ? 'data.' : ''}${type}.${name}`;
        const kind = lookup ? kindForDataSource(type) : kindForTerraformType(type);
        if ('for_each' in block)
          errors.push({
            pointer: `${pointer}/for_each`,
            detail: 'for_each is not supported; use count',
            code: 'Unsupported',
          });
        const count = countOf(block.count, `${pointer}/count`, ctx);
        const make = (logicalId: string, index?: number): ResourceSpec => {
          const properties: Record<string, Json> = {};
          for (const [k, val] of Object.entries(block)) {
            if (k === 'count' || k === 'for_each' || k === 'depends_on' || k.startsWith('//') || IGNORED_KEYS.has(k))
              continue;
            properties[k] = convert(val, `${pointer}/${k}`, ctx, index);
          }
          const dependsOn = Array.isArray(block.depends_on)
            ? block.depends_on.map((d) => String(d).replace(/^\$\{(.*)\}$/, '$1'))
            : [];
          return {
            logicalId,
            type: lookup ? `data.${type}` : type,
            kind,
            lookup,
            properties,
            dependsOn,
            pointer,
            propertiesPointer: pointer,
          };
        };
        if (count === undefined) model.resources[address] = make(address);
        else for (let i = 0; i < count; i++) model.resources[`${address}[${i}]`] = make(`${address}[${i}]`, i);
      }
    }
  };
  add(false, 'resource');
  add(true, 'data');
  for (const [name, o] of Object.entries(obj(doc.output))) {
    const spec = first(o);
    model.outputs[name] = {
      value: convert(spec.value ?? null, `${base}/output/${name}/value`, ctx),
      pointer: `${base}/output/${name}/value`,
    };
  }
  if (Object.keys(model.resources).length === 0)
    errors.push({ pointer: `${base}/resource`, detail: 'must declare at least one resource', code: 'Required' });
  return model;
}
