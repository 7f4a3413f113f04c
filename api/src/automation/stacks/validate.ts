// Everything checked before a stack runs: types, properties, references, cycles and parameters, each error
// pointing at its place in the request.
import type { FieldError } from '../../platform/problems.js';
import { parseJson } from './diff.js';
import { fnOf, references } from './expressions.js';
import { dependencies, findCycle } from './graph.js';
import type { Json, Model } from './template-model.js';
import { lookupTypes, metaOf, nativeTypes, terraformTypes } from './type-names.js';

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function validateModel(model: Model, params: Record<string, string>, errors: FieldError[]): void {
  const isParam = (n: string) => n in model.parameters && !(n in model.resources);
  for (const [name] of Object.entries(params)) {
    if (!(name in model.parameters))
      errors.push({
        pointer: `/parameters/${esc(name)}`,
        detail: 'is not a parameter of the template',
        code: 'UnknownParameter',
      });
  }
  for (const [name, p] of Object.entries(model.parameters)) {
    const given = params[name];
    if (given === undefined && p.default === undefined)
      errors.push({
        pointer: `/parameters/${esc(name)}`,
        detail: 'is required by the template (it has no default)',
        code: 'Required',
      });
    const value = given ?? p.default;
    if (value !== undefined && p.type === 'Number' && Number.isNaN(Number(value)))
      errors.push({ pointer: `/parameters/${esc(name)}`, detail: 'must be a number', code: 'Type' });
    if (value !== undefined && p.allowed && !p.allowed.map(String).includes(String(value))) {
      errors.push({
        pointer: `/parameters/${esc(name)}`,
        detail: `must be one of: ${p.allowed.map(String).join(', ')}`,
        code: 'NotInEnum',
      });
    }
  }
  for (const r of Object.values(model.resources)) {
    if (!r.kind) {
      const known = r.lookup ? lookupTypes(model.format) : model.format === 'native' ? nativeTypes() : terraformTypes();
      if (r.type)
        errors.push({
          pointer: model.format === 'native' ? `${r.pointer}/Type` : r.pointer,
          detail: `${r.type} is not a resource type; known: ${known.join(', ')}`,
          code: 'UnknownType',
        });
      continue;
    }
    const meta = metaOf(r.kind);
    for (const [prop, value] of Object.entries(r.properties)) {
      const p = meta.properties[prop];
      const at = `${r.propertiesPointer}/${esc(prop)}`;
      if (r.lookup) {
        if (!meta.dataSourceLookup.includes(prop) && prop !== 'id')
          errors.push({
            pointer: at,
            detail: `a ${r.type} is looked up by: ${['id', ...meta.dataSourceLookup].join(', ')}`,
            code: 'UnknownField',
          });
        continue;
      }
      if (!p) errors.push({ pointer: at, detail: `is not a property of ${r.type}`, code: 'UnknownField' });
      else if (p.readOnly)
        errors.push({ pointer: at, detail: 'is read-only (set by the platform)', code: 'ReadOnlyField' });
      else if (fnOf(value)) continue;
      else if (p.json) documentType(value, p.type, at, errors);
      else literalType(value, p.type, p.nullable, at, errors);
    }
    if (!r.lookup) {
      for (const [prop, p] of Object.entries(meta.properties)) {
        if (p.required && !p.readOnly && p.default === undefined && !(prop in r.properties)) {
          errors.push({
            pointer: `${r.propertiesPointer}/${esc(prop)}`,
            detail: `is required by ${r.type}`,
            code: 'Required',
          });
        }
      }
    }
    for (const ref of references(r.properties, [], isParam)) checkRef(model, ref, r.propertiesPointer, errors);
    for (const d of r.dependsOn)
      if (!(d in model.resources))
        errors.push({
          pointer: r.pointer,
          detail: `depends on ${d}, which the template does not declare`,
          code: 'InvalidReference',
        });
    if (r.condition && !(r.condition in model.conditions))
      errors.push({
        pointer: r.pointer,
        detail: `uses condition ${r.condition}, which the template does not declare`,
        code: 'InvalidReference',
      });
  }
  for (const o of Object.values(model.outputs))
    for (const ref of references(o.value, [], isParam)) checkRef(model, ref, o.pointer, errors);
  for (const [name, c] of Object.entries(model.conditions))
    for (const ref of references(c, [], isParam)) checkRef(model, ref, `/template/Conditions/${esc(name)}`, errors);
  const cycle = findCycle(dependencies(model));
  if (cycle)
    errors.push({
      pointer: model.resources[cycle[0]!]!.pointer,
      detail: `depends on itself: ${cycle.join(' -> ')}`,
      code: 'DependencyCycle',
    });
}

function checkRef(
  model: Model,
  ref: { kind: string; name: string; attr?: string },
  pointer: string,
  errors: FieldError[],
) {
  if (ref.kind === 'condition') {
    if (!(ref.name in model.conditions))
      errors.push({
        pointer,
        detail: `refers to condition ${ref.name}, which the template does not declare`,
        code: 'InvalidReference',
      });
    return;
  }
  if (ref.kind === 'param') return;
  const target = model.resources[ref.name];
  if (!target) {
    const what = model.format === 'terraform' ? ref.name : `${ref.name} (neither a parameter nor a resource)`;
    errors.push({
      pointer,
      detail: `refers to ${what}, which the template does not declare`,
      code: 'InvalidReference',
    });
    return;
  }
  if (ref.attr && target.kind && !(ref.attr in metaOf(target.kind).properties)) {
    errors.push({ pointer, detail: `${ref.name} has no attribute ${ref.attr}`, code: 'InvalidReference' });
  }
}

const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

function literalType(value: Json, type: string, nullable: boolean, pointer: string, errors: FieldError[]) {
  if (value === null) {
    if (!nullable) errors.push({ pointer, detail: 'may not be null', code: 'Type' });
    return;
  }
  const ok =
    type === 'integer'
      ? Number.isInteger(value)
      : type === 'number'
        ? typeof value === 'number'
        : type === 'boolean'
          ? typeof value === 'boolean'
          : type === 'object'
            ? typeof value === 'object' && !Array.isArray(value)
            : type === 'array'
              ? Array.isArray(value)
              : typeof value === 'string';
  if (!ok) errors.push({ pointer, detail: `must be ${type === 'integer' ? 'an integer' : `a ${type}`}`, code: 'Type' });
}

/**
 * A document (x-terraform: json): the object (or list) itself, or JSON text spelling one (CDKTF synthesizes JSON.stringify as
 * text); a document the API also reads as text (a workflow's YAML definition) may be any text.
 */
function documentType(value: Json, type: string, pointer: string, errors: FieldError[]) {
  // A list document (a dashboard's panels): the list itself, or JSON text spelling one.
  if (type === 'array') {
    const list = typeof value === 'string' ? parseJson(value) : value;
    if (!Array.isArray(list)) errors.push({ pointer, detail: 'must be a list, or JSON text of one', code: 'Type' });
    return;
  }
  if (typeof value === 'string') {
    if (type === 'object' && !isObject(parseJson(value)))
      errors.push({ pointer, detail: 'must be an object, or JSON text of one', code: 'Type' });
  } else if (!isObject(value)) errors.push({ pointer, detail: 'must be an object, or JSON text of one', code: 'Type' });
}
