// Plan-time checks of configured values against the spec, at any depth of nesting: a value outside its enum is a
// diagnostic on its attribute path (`origins[1].viewer_protocol_policy`) at `terraform plan`, not a 422 at apply.
import {
  errorDiagnostic,
  UNKNOWN,
  type AttributePath,
  type Diagnostic,
  type ObjectValue,
  type Value,
} from '../runtime/index.js';
import type { TfAttribute } from './schema-types.js';

const known = (v: Value | undefined): v is Value => v !== undefined && v !== null && v !== UNKNOWN;

export function enumDiagnostics(attributes: TfAttribute[], config: ObjectValue, at: AttributePath = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const a of attributes) {
    const v = config[a.name];
    if (!known(v)) continue;
    const path = [...at, a.name];
    if (a.enum && !a.enum.some((e) => e !== null && same(e, v)))
      out.push(
        errorDiagnostic(
          `Invalid value for ${a.name}`,
          `${where(path)}: ${JSON.stringify(typeof v === 'bigint' ? Number(v) : v)} is not one of: ${a.enum
            .filter((e) => e !== null)
            .map((e) => JSON.stringify(e))
            .join(', ')}.`,
          path,
        ),
      );
    if (!a.nested) continue;
    const inner = a.nested.attributes;
    if (a.nested.nesting === 'single') out.push(...enumDiagnostics(inner, v as ObjectValue, path));
    else if (Array.isArray(v))
      v.forEach((item, i) => {
        // A set's elements have no index: the diagnostic names the set.
        if (known(item))
          out.push(...enumDiagnostics(inner, item as ObjectValue, a.nested!.nesting === 'list' ? [...path, i] : path));
      });
  }
  return out;
}

/** The path as HCL spells it (Terraform points at the resource, not inside a list of objects). */
const where = (path: AttributePath) =>
  path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : typeof s === 'string' ? (i ? `.${s}` : s) : `["${s.key}"]`))
    .join('');

/** Terraform numbers may be bigints or exact decimal text; enums are JSON. */
const same = (e: unknown, v: Value) => (typeof e === 'number' ? Number(v) === e : e === v);
