// Compiles request and response validators for every operation from openapi.yaml, once, at start-up.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { deref, refName, type OperationRef, type Schema, type Spec } from './spec.js';
import type { FieldError } from '../problems.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const KEYWORDS = [
  'x-resource',
  'x-immutable',
  'x-server-default',
  'x-secret',
  'x-terraform',
  'example',
  'xml',
  'externalDocs',
  'discriminator',
];
const TOP = [
  'x-generated',
  'x-actions',
  'openapi',
  'info',
  'servers',
  'paths',
  'components',
  'webhooks',
  'tags',
  'security',
  'externalDocs',
  'jsonSchemaDialect',
];

function newAjv(spec: Spec, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    allErrors: true,
    coerceTypes: coerce,
    useDefaults: coerce,
  });
  addFormats(ajv);
  for (const k of [...KEYWORDS, ...TOP]) if (!ajv.getKeyword(k)) ajv.addKeyword({ keyword: k });
  ajv.addSchema(spec, 'openapi.json');
  return ajv;
}

/** Local refs become refs into the registered document, so derived schemas resolve. */
function rebase(node: any): any {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi.json${v}` : rebase(v);
  return out;
}

/** `raw`: the body is not JSON and is not read for the handler; it streams (an object upload). */
export type BodyMode = 'create' | 'patch' | 'raw';

/**
 * The request variant of a resource schema: read-only fields are not accepted, and for PATCH (JSON merge
 * patch) nothing is required and optional fields may be null (null resets them).
 */
export function requestSchema(spec: Spec, schema: Schema, mode: BodyMode, parentField?: string): Schema {
  const s = deref<Schema>(spec, schema);
  if (s.type !== 'object' || !s.properties) return rebase(s);
  const properties: Record<string, Schema> = {};
  for (const [name, prop] of Object.entries<Schema>(s.properties)) {
    const resolved = { ...deref<Schema>(spec, prop), ...prop };
    if (resolved.readOnly) continue;
    const required = (s.required ?? []).includes(name);
    let schema = rebase(prop);
    // In a merge patch, a null member of an object removes that key.
    if (
      mode === 'patch' &&
      resolved.type === 'object' &&
      resolved.additionalProperties &&
      typeof resolved.additionalProperties === 'object'
    ) {
      schema = {
        ...rebase(resolved),
        additionalProperties: { anyOf: [rebase(resolved.additionalProperties), { type: 'null' }] },
      };
    }
    properties[name] = mode === 'patch' && !required ? { anyOf: [schema, { type: 'null' }] } : schema;
  }
  const required =
    mode === 'create' ? (s.required ?? []).filter((r: string) => properties[r] && r !== parentField) : [];
  // A create body keeps the object's own constraints (how many members, which go together); a patch, being
  // partial, cannot be held to them.
  const whole =
    mode === 'create' ? Object.fromEntries(OBJECT_RULES.filter((k) => k in s).map((k) => [k, rebase(s[k])])) : {};
  return { type: 'object', properties, required, additionalProperties: false, ...whole };
}

const OBJECT_RULES = ['minProperties', 'maxProperties', 'dependentRequired', 'oneOf', 'anyOf', 'not'] as const;

export interface OperationValidators {
  params: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  bodySchemaName?: string;
  responses: Map<number, ValidateFunction>;
}

export function compileOperation(spec: Spec, o: OperationRef, ajvs = validatorsFor(spec)): OperationValidators {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const p of o.parameters) {
    if (p.in === 'header') continue;
    properties[p.name] = rebase(p.schema ?? {});
    if (p.required) required.push(p.name);
  }
  const params = ajvs.coercing.compile({ type: 'object', properties, required });
  const content = o.op.requestBody?.content ?? {};
  const media = content['application/json'] ?? content['application/merge-patch+json'];
  let body: ValidateFunction | undefined;
  if (media) {
    // x-body-mode: patch makes a non-PATCH operation take a partial body (for example a preview of a change).
    const mode: BodyMode = o.op['x-body-mode'] ?? (o.method === 'patch' ? 'patch' : 'create');
    body = ajvs.strict.compile(requestSchema(spec, media.schema, mode, o.op['x-parent']?.field));
  }
  const responses = new Map<number, ValidateFunction>();
  for (const [code, res] of Object.entries<any>(o.op.responses ?? {})) {
    const schema = deref(spec, res)?.content?.['application/json']?.schema;
    if (schema && /^\d+$/.test(code)) responses.set(Number(code), ajvs.strict.compile(rebase(schema)));
  }
  return {
    params,
    body,
    bodyRequired: o.op.requestBody?.required === true,
    bodySchemaName: media ? refName(media.schema) : undefined,
    responses,
  };
}

const shared = new WeakMap<Spec, { coercing: Ajv2020; strict: Ajv2020 }>();
export function validatorsFor(spec: Spec) {
  let v = shared.get(spec);
  if (!v) {
    v = { coercing: newAjv(spec, true), strict: newAjv(spec, false) };
    shared.set(spec, v);
  }
  return v;
}

/** Ajv errors as field errors: JSON pointers and Kubernetes-style details ("is required", "must be ..."). */
export function fieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    if (e.keyword === 'anyOf' || e.keyword === 'if') continue;
    let pointer = prefix + e.instancePath;
    let detail = e.message ?? 'is not valid';
    let code = 'Invalid';
    if (e.keyword === 'required') {
      pointer += `/${(e.params as any).missingProperty}`;
      detail = 'is required';
      code = 'Required';
    } else if (e.keyword === 'additionalProperties') {
      pointer += `/${(e.params as any).additionalProperty}`;
      detail = 'is not a writable field of this resource';
      code = 'UnknownField';
    } else if (e.keyword === 'enum') {
      detail = `must be one of: ${(e.params as any).allowedValues.join(', ')}`;
      code = 'NotInEnum';
    } else if (e.keyword === 'type' && (e.params as any).type === 'null') {
      continue; // the null branch of a merge-patch anyOf; the other branch's error says it better
    } else {
      code = e.keyword.charAt(0).toUpperCase() + e.keyword.slice(1);
    }
    const key = `${pointer}|${detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, detail, code });
  }
  return out;
}
