// Intrinsic functions (Ref, GetAtt, Sub, Join, Select, If and the condition functions): finding references,
// and evaluating against parameters and the attributes of resources made so far.
import type { Json } from './template-model.js';

/** A value not known yet (a preview of a resource that does not exist). */
export const PENDING = '(known after apply)';

export type Reference = { kind: 'param' | 'resource' | 'condition'; name: string; attr?: string };

/** The single intrinsic key of an object, if it is a function call. */
export function fnOf(v: Json): { name: string; arg: Json } | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1) return undefined;
  const k = keys[0]!;
  const name = k.startsWith('Fn::') ? k.slice(4) : k;
  return ['Ref', 'GetAtt', 'Sub', 'Join', 'Select', 'If', 'Equals', 'Not', 'And', 'Or', 'Condition'].includes(name)
    ? { name, arg: v[k]! }
    : undefined;
}

/** `${Name}` or `${Logical.attr}` placeholders of a Sub string. */
export function subPlaceholders(s: string): string[] {
  return [...s.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]!);
}

export function references(v: Json, out: Reference[] = [], isParam: (n: string) => boolean = () => false): Reference[] {
  const f = fnOf(v);
  if (f) {
    switch (f.name) {
      case 'Ref':
        out.push({ kind: isParam(String(f.arg)) ? 'param' : 'resource', name: String(f.arg) });
        return out;
      case 'GetAtt': {
        const [name, attr] = Array.isArray(f.arg) ? f.arg.map(String) : splitDotted(String(f.arg));
        out.push({ kind: 'resource', name: name!, attr });
        return out;
      }
      case 'Sub': {
        const [text, vars] = Array.isArray(f.arg)
          ? [String(f.arg[0]), (f.arg[1] ?? {}) as Record<string, Json>]
          : [String(f.arg), {}];
        for (const ph of subPlaceholders(text)) {
          if (ph in vars) continue;
          const [name, attr] = splitDotted(ph);
          out.push(
            attr !== undefined
              ? { kind: 'resource', name: name!, attr }
              : { kind: isParam(name!) ? 'param' : 'resource', name: name! },
          );
        }
        for (const x of Object.values(vars)) references(x, out, isParam);
        return out;
      }
      case 'Condition':
        out.push({ kind: 'condition', name: String(f.arg) });
        return out;
      case 'If':
        if (Array.isArray(f.arg)) {
          out.push({ kind: 'condition', name: String(f.arg[0]) });
          f.arg.slice(1).forEach((x) => references(x, out, isParam));
        }
        return out;
    }
    return references(f.arg, out, isParam);
  }
  if (Array.isArray(v)) v.forEach((x) => references(x, out, isParam));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => references(x, out, isParam));
  return out;
}

/** `Logical.attr` -> [Logical, attr]; the logical id may itself hold dots and brackets (Terraform addresses). */
export function splitDotted(s: string): [string, string | undefined] {
  const i = s.lastIndexOf('.');
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

export interface EvalContext {
  param(name: string): Json;
  /** whether the template declares a resource of this name (a Ref to it is its id, known or not) */
  declared(name: string): boolean;
  /** the API representation of a resource, or undefined while it does not exist yet */
  resource(logicalId: string): Record<string, Json> | undefined;
  condition(name: string): boolean;
}

export class EvalError extends Error {}

/** Evaluates a value; references to resources not made yet become PENDING (only previews see that). */
export function evaluate(v: Json, ctx: EvalContext): Json {
  const f = fnOf(v);
  if (!f) {
    if (Array.isArray(v)) return v.map((x) => evaluate(x, ctx));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evaluate(x, ctx)]));
    return v;
  }
  const a = f.arg;
  switch (f.name) {
    case 'Ref': {
      const name = String(a);
      if (!ctx.declared(name)) return ctx.param(name);
      return (ctx.resource(name)?.id ?? PENDING) as Json;
    }
    case 'GetAtt': {
      const [name, attr] = Array.isArray(a) ? a.map(String) : splitDotted(String(a));
      const r = ctx.resource(name!);
      return r === undefined ? PENDING : ((r[attr!] ?? null) as Json);
    }
    case 'Sub': {
      const [text, vars] = Array.isArray(a) ? [String(a[0]), (a[1] ?? {}) as Record<string, Json>] : [String(a), {}];
      return text.replace(/\$\{([^}]+)\}/g, (_, ph: string) => {
        if (ph in vars) return str(evaluate(vars[ph]!, ctx));
        const [name, attr] = splitDotted(ph);
        if (attr !== undefined && ctx.resource(name!) !== undefined) return str(ctx.resource(name!)![attr] ?? '');
        if (attr !== undefined) return PENDING;
        return str(evaluate({ Ref: name! }, ctx));
      });
    }
    case 'Join': {
      const [sep, list] = a as [Json, Json];
      const items = evaluate(list, ctx);
      if (!Array.isArray(items)) throw new EvalError('Join needs a list');
      return items.map(str).join(String(sep));
    }
    case 'Select': {
      const [i, list] = a as [Json, Json];
      const items = evaluate(list, ctx);
      const idx = Number(evaluate(i, ctx));
      if (!Array.isArray(items)) throw new EvalError('Select needs a list');
      if (!Number.isInteger(idx) || idx < 0 || idx >= items.length)
        throw new EvalError(`Select index ${idx} is outside the list of ${items.length}`);
      return items[idx]!;
    }
    case 'If': {
      const [cond, yes, no] = a as [Json, Json, Json];
      return ctx.condition(String(cond)) ? evaluate(yes, ctx) : evaluate(no, ctx);
    }
    case 'Condition':
      return ctx.condition(String(a));
    case 'Equals': {
      const [x, y] = a as [Json, Json];
      return JSON.stringify(evaluate(x, ctx)) === JSON.stringify(evaluate(y, ctx));
    }
    case 'Not':
      return !truthy(evaluate((a as Json[])[0]!, ctx));
    case 'And':
      return (a as Json[]).every((x) => truthy(evaluate(x, ctx)));
    case 'Or':
      return (a as Json[]).some((x) => truthy(evaluate(x, ctx)));
  }
  throw new EvalError(`unknown function ${f.name}`);
}

const truthy = (v: Json) => v === true || v === 'true';
const str = (v: Json): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** True when a resolved value still waits for a resource (only in previews). */
export function isPending(v: Json): boolean {
  if (v === PENDING) return true;
  if (typeof v === 'string') return v.includes(PENDING);
  if (Array.isArray(v)) return v.some(isPending);
  if (v && typeof v === 'object') return Object.values(v).some(isPending);
  return false;
}
