// Loads the bundled contract once (api/src/generated/openapi.json, made from openapi.yaml and openapi/ by
// `npm run generate`) and offers small helpers to walk it (refs, operations).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Schema = Record<string, any>;
export type Spec = {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, any>; [k: string]: any };
  [k: string]: any;
};

/** The bundle: every `$ref` in it is local (`#/components/...`), so `deref` below is all a reader needs. */
export const SPEC_PATH = join(dirname(fileURLToPath(import.meta.url)), '../../generated/openapi.json');
export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

let cached: Spec | undefined;
export function loadSpec(): Spec {
  cached ??= JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
  return cached;
}

/** Follows a local `#/components/...` reference. */
export function deref<T = any>(spec: Spec, node: any): T {
  let cur = node;
  while (cur && typeof cur === 'object' && typeof cur.$ref === 'string') {
    cur = cur.$ref
      .slice(2)
      .split('/')
      .reduce((o: any, k: string) => o?.[k], spec);
  }
  return cur as T;
}

export type OperationRef = { path: string; method: (typeof HTTP_METHODS)[number]; op: any; parameters: any[] };

/** Every operation with its path-level and operation-level parameters merged (operation wins). */
export function operations(spec: Spec): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const byKey = new Map<string, any>();
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const d = deref(spec, p);
        byKey.set(`${d.in}:${d.name}`, d);
      }
      out.push({ path, method, op, parameters: [...byKey.values()] });
    }
  }
  return out;
}

/** The component schema name a `$ref` points at, if any. */
export function refName(node: any): string | undefined {
  return typeof node?.$ref === 'string' ? node.$ref.split('/').pop() : undefined;
}
