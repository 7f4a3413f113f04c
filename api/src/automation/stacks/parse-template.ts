// Reading a template from a request (an object, JSON or YAML text, or a stored template) into a validated model.
import { parse as parseYaml } from 'yaml';
import { problems, type FieldError } from '../../platform/problems.js';
import type { Json, Model } from './template-model.js';
import { parseNative } from './native.js';
import { isTerraformJson, parseTerraformJson } from './terraform-json.js';
import { validateModel } from './validate.js';

export interface TemplateSource {
  template?: Record<string, Json>;
  template_body?: string;
}

/** The template object and its text (the text is stored as sent so reads never drift). */
export function readTemplate(src: TemplateSource): { doc: Record<string, Json>; body: string; base: string } {
  if (src.template !== undefined && src.template_body !== undefined) {
    throw problems.validation([
      { pointer: '/template_body', detail: 'send either template or template_body, not both', code: 'Conflict' },
    ]);
  }
  if (src.template !== undefined)
    return { doc: src.template, body: JSON.stringify(src.template, null, 2), base: '/template' };
  if (src.template_body === undefined)
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
