// Reading a template from a request (an object, JSON or YAML text, or a stored template) into a validated model.
import { parse as parseYaml } from 'yaml';
import { problems, type FieldError } from '../../platform/problems.js';
import type { Json, Model } from './template-model.js';
import { parseNative } from './native.js';
import { isTerraformJson, parseTerraformJson } from './terraform-json.js';
import { validateModel } from './validate.js';

export interface TemplateSource {
  template?: Record<string, Json> | null;
  template_body?: string | null;
}

/** The template object and its text (the text is stored as sent so reads never drift). */
export function readTemplate(src: TemplateSource): { doc: Record<string, Json>; body: string; base: string } {
  // A merge patch may send null for a member; a template cannot be removed, only replaced.
  for (const field of ['template', 'template_body'] as const) {
    if (src[field] === null) {
      throw problems.validation([
        { pointer: `/${field}`, detail: 'may not be null: a stack always has a template', code: 'NotNullable' },
      ]);
    }
  }
  if (src.template !== undefined && src.template_body !== undefined) {
    throw problems.validation([
      { pointer: '/template_body', detail: 'send either template or template_body, not both', code: 'Conflict' },
    ]);
  }
  if (src.template) return { doc: src.template, body: JSON.stringify(src.template, null, 2), base: '/template' };
  if (typeof src.template_body !== 'string')
    throw problems.validation([
      {
        pointer: '/template',
        detail: 'a template is required (template, template_body or template_id)',
        code: 'Required',
      },
    ]);
  let doc: unknown;
  try {
    doc = parseYaml(src.template_body); // YAML 1.2 is a superset of JSON
  } catch (e) {
    throw problems.validation([
      {
        pointer: '/template_body',
        detail: `is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`,
        code: 'Unparsable',
      },
    ]);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw problems.validation([{ pointer: '/template_body', detail: 'must hold an object', code: 'Type' }]);
  return { doc: doc as Record<string, Json>, body: src.template_body, base: '/template_body' };
}

/** Parses and validates; any error is one 422 listing every problem found, with pointers. */
export function buildModel(doc: Record<string, Json>, base: string, params: Record<string, string>): Model {
  const errors: FieldError[] = [];
  const model = isTerraformJson(doc) ? parseTerraformJson(doc, base, errors, params) : parseNative(doc, base, errors);
  validateModel(model, params, errors);
  if (errors.length) throw problems.validation(errors);
  return model;
}

/**
 * Checks a template to store (a stored template's version): everything buildModel checks, except that parameters
 * without a default may stay unset (each stack made from it gives them).
 */
export function checkStoredTemplate(doc: Record<string, Json>, base: string): void {
  const errors: FieldError[] = [];
  // A count whose variable each stack gives is read as 1, so the blocks it counts are checked too.
  const model = isTerraformJson(doc)
    ? parseTerraformJson(doc, base, errors, {}, { unsetCount: 1 })
    : parseNative(doc, base, errors);
  validateModel(model, {}, errors);
  const real = errors.filter((e) => !(e.code === 'Required' && e.pointer.startsWith('/parameters/')));
  if (real.length) throw problems.validation(real);
}

/** Parameter values as the template sees them: given values, else defaults; typed by the parameter's type. */
export function parameterValues(model: Model, given: Record<string, string>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, p] of Object.entries(model.parameters)) {
    const raw = given[name] ?? p.default ?? null;
    out[name] =
      raw === null
        ? null
        : p.type === 'Number'
          ? Number(raw)
          : p.type === 'Boolean'
            ? (raw as unknown) === true || raw === 'true'
            : p.type === 'CommaDelimitedList'
              ? Array.isArray(raw)
                ? raw
                : String(raw)
                    .split(',')
                    .map((x) => x.trim())
              : String(raw);
  }
  return out;
}
