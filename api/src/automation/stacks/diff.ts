// What a resource needs to go from the properties last applied to the ones the template now resolves to.
import type { Json } from './template-model.js';
import { metaOf } from './type-names.js';
import { mergePatchBetween } from '../../platform/resources/repo.js';

const isObject = (v: Json | undefined): v is Record<string, Json> =>
  v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

/** JSON text as the value it spells, or undefined when it is not JSON. */
export function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/**
 * Documents (x-terraform: json) given as JSON text, what CDKTF synthesizes from JSON.stringify(), read as the objects
 * they spell: sent and compared as such, so two spellings of one document are no change. Text that is no JSON object
 * (or list, for a list document) stays text (a workflow's YAML definition, which the API reads itself).
 */
export function readDocuments(kind: string, props: Record<string, Json>): Record<string, Json> {
  const meta = metaOf(kind);
  const out = { ...props };
  for (const [k, v] of Object.entries(props)) {
    if (!meta.properties[k]?.json || typeof v !== 'string') continue;
    const parsed = parseJson(v);
    // A list document (a dashboard's panels) reads as its list, an object document as its object.
    if (isObject(parsed) || (meta.properties[k]!.type === 'array' && Array.isArray(parsed))) out[k] = parsed;
  }
  return out;
}

export type Action = 'create' | 'update' | 'replace' | 'none';

/** JSON with sorted keys: jsonb does not keep key order, so equality must not depend on it. */
export const stable = (v: Json | undefined): string =>
  JSON.stringify(v ?? null, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );

export interface Change {
  action: Action;
  changed: string[];
  replaceFields: string[];
  patch: Record<string, Json>;
}

/** Fields left out of a template fall back to the API's defaults, so they compare as absent (null). */
export function diffProperties(kind: string, before: Record<string, Json> | null, after: Record<string, Json>): Change {
  if (!before) return { action: 'create', changed: Object.keys(after), replaceFields: [], patch: {} };
  const meta = metaOf(kind);
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => stable(before[k]) !== stable(after[k]))
    .sort();
  const replaceFields = changed.filter((k) => meta.properties[k]?.immutable);
  const patch: Record<string, Json> = {};
  for (const k of changed) {
    const b = before[k];
    const a = after[k];
    // Maps are merge-patched by the API, so keys that went away (at any depth) must be sent as null; a document
    // (x-terraform: json) the API replaces whole is sent whole, its nulls meant as nulls; and so is an object of a
    // fixed shape (a distribution's default_cache_behavior), which the API checks whole against its schema.
    const prop = meta.properties[k];
    patch[k] =
      prop?.type === 'object' && !prop.json && !prop.fields && isObject(b) && isObject(a)
        ? (mergePatchBetween(b, a) as Json)
        : (a ?? null);
  }
  const action: Action = changed.length === 0 ? 'none' : replaceFields.length ? 'replace' : 'update';
  return { action, changed, replaceFields, patch };
}
