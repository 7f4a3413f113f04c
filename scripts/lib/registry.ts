// Builds the resource registry (one entry per schema with x-resource) from the spec.
import { deref, operations, refName, type Spec, type Schema } from '../../api/src/platform/operations/spec.js';
import type { PropMeta, PropType, ResourceMeta } from '../../api/src/platform/resources/registry-types.js';

function propType(spec: Spec, s: Schema): { type: PropType; nullable: boolean; enumValues?: unknown[] } {
  const r = deref<Schema>(spec, s.allOf?.[0] ?? s);
  const types: string[] = Array.isArray(r.type) ? r.type : [r.type];
  const nullable = types.includes('null') || (Array.isArray(s.type) && s.type.includes('null'));
  const type = (types.find((t) => t !== 'null') ?? 'string') as PropType;
  return { type, nullable, enumValues: r.enum };
}

function propMeta(spec: Spec, raw: Schema, required: boolean): PropMeta {
  const s = { ...deref<Schema>(spec, raw), ...raw };
  const { type, nullable, enumValues } = propType(spec, s);
  const meta: PropMeta = {
    type,
    nullable,
    required,
    readOnly: s.readOnly === true,
    writeOnly: s.writeOnly === true,
    immutable: s['x-immutable'] === true,
    serverDefault: s['x-server-default'] === true,
    secret: s['x-secret'] === true,
    terraform: s['x-terraform'] !== false,
  };
  // x-terraform: json — a free-form object that Terraform holds as JSON text (a policy document).
  if (s['x-terraform'] === 'json') meta.json = true;
  // x-terraform: list — an array of objects whose order means something (behaviours tried in order).
  if (s['x-terraform'] === 'list') meta.list = true;
  if (s.uniqueItems === true) meta.uniqueItems = true;
  if (s.default !== undefined) meta.default = s.default;
  if (enumValues) meta.enum = enumValues;
  if (type === 'array') {
    meta.elementType = propType(spec, s.items ?? {}).type;
    const item = deref<Schema>(spec, s.items ?? {});
    if (meta.elementType === 'object' && item.properties) {
      const req = new Set<string>(item.required ?? []);
      meta.items = Object.fromEntries(
        Object.entries<Schema>(item.properties).map(([n, ps]) => [n, propMeta(spec, ps, req.has(n))]),
      );
    }
  }
  if (type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    meta.elementType = propType(spec, s.additionalProperties).type;
  }
  // An object of a fixed shape (inline, or `allOf: [$ref]`): its fields, to any depth, unless it is a document.
  const shape = deref<Schema>(spec, s.allOf?.[0] ?? s);
  if (type === 'object' && !meta.json && shape.properties) {
    const req = new Set<string>(shape.required ?? []);
    meta.fields = Object.fromEntries(
      Object.entries<Schema>(shape.properties).map(([n, ps]) => [n, propMeta(spec, ps, req.has(n))]),
    );
  }
  // Undescribed nested objects say what their items (or the object referred to) are: a distribution's `origins`.
  const nestedDescription = meta.items
    ? deref<Schema>(spec, s.items ?? {}).description
    : meta.fields
      ? shape.description
      : undefined;
  const described = s.description ?? nestedDescription;
  if (described) meta.description = String(described).trim();
  return meta;
}

function successSchema(spec: Spec, op: any): string | undefined {
  for (const [code, res] of Object.entries<any>(op.responses ?? {})) {
    if (!code.startsWith('2')) continue;
    const name = refName(deref(spec, res)?.content?.['application/json']?.schema);
    if (name) return name;
  }
  return undefined;
}

export function buildRegistry(spec: Spec): Record<string, ResourceMeta> {
  const out: Record<string, ResourceMeta> = {};
  const ops = operations(spec);
  for (const [name, schema] of Object.entries(spec.components.schemas)) {
    const x = schema['x-resource'];
    if (!x) continue;
    const required = new Set<string>(schema.required ?? []);
    const properties: Record<string, PropMeta> = {};
    for (const [p, ps] of Object.entries<Schema>(schema.properties ?? {}))
      properties[p] = propMeta(spec, ps, required.has(p));
    const meta: ResourceMeta = {
      kind: x.kind,
      schema: name,
      description: String(schema.description ?? name).trim(),
      service: x.service,
      collection: x.collection,
      idPrefix: x.id_prefix,
      // The table is the collection's name unless the schema says otherwise.
      table: x.table ?? String(x.collection).replaceAll('-', '_'),
      async: x.async === true,
      readyStatus: x.ready_status ?? [],
      failedStatus: x.failed_status ?? [],
      publicRead: x.public_read === true,
      terraformResource: x.terraform_resource === true,
      dataSourceLookup: x.data_source_lookup ?? [],
      properties,
      paths: {},
      operations: {},
    };
    if (x.status_field) meta.statusField = x.status_field;
    if (x.terraform) meta.terraform = x.terraform;
    for (const { path, method, op } of ops) {
      const returns = successSchema(spec, op);
      const isItem = path.endsWith('/{id}');
      // A create posts to a collection: top-level, or nested under a parent (x-parent); `/{id}/<action>` is an action.
      const isAction = /\/\{id\}\/[a-z-]+$/.test(path) && !op['x-parent'];
      if (method === 'post' && returns === name && !path.endsWith('}') && !isAction) {
        meta.paths.create = op['x-parent']
          ? path.replace(`{${op['x-parent'].param}}`, `{${op['x-parent'].field}}`)
          : path;
        if (op['x-parent']) meta.paths.parent = op['x-parent'];
        meta.operations.create = op.operationId;
      } else if (method === 'get' && returns === `${name}List` && !path.includes('{')) {
        meta.paths.list = path;
        meta.operations.list = op.operationId;
      } else if (isItem && method === 'get' && returns === name) {
        meta.paths.item = path;
        meta.operations.get = op.operationId;
      } else if (isItem && method === 'patch' && returns === name) {
        meta.operations.update = op.operationId;
      }
    }
    if (meta.paths.item) {
      const del = ops.find((o) => o.path === meta.paths.item && o.method === 'delete');
      if (del) meta.operations.delete = del.op.operationId;
    }
    out[x.kind] = meta;
  }
  return out;
}

/**
 * Every operation's kind: the resource it reads or changes, or null for an operation on no kind (a probe, the
 * capacity report). A kind's own CRUD operations first; then an operation answering the kind (or a list of it);
 * then the kind with the longest of its paths above the operation's (`/stacks/{id}/events` is a stack's,
 * `/users/{id}/tokens/{token_id}` a token's).
 */
export function buildOperationKinds(spec: Spec, registry: Record<string, ResourceMeta>): Record<string, string | null> {
  const metas = Object.values(registry);
  const bySchema = new Map(
    metas.flatMap(
      (m) =>
        [
          [m.schema, m.kind],
          [`${m.schema}List`, m.kind],
        ] as const,
    ),
  );
  const own = new Map(metas.flatMap((m) => Object.values(m.operations).map((id) => [id, m.kind] as const)));
  const shape = (path: string) => path.replace(/\{\w+\}/g, '{}');
  const prefixes = metas.flatMap((m) =>
    [m.paths.item, m.paths.list, m.paths.create]
      .filter((p) => p !== undefined)
      .map((p) => ({ kind: m.kind, path: shape(p) })),
  );
  const out: Record<string, string | null> = {};
  for (const { path, op } of operations(spec)) {
    const returns = successSchema(spec, op);
    const p = shape(path);
    const above = prefixes
      .filter((x) => p === x.path || p.startsWith(`${x.path}/`))
      .sort((a, b) => b.path.length - a.path.length)[0];
    out[op.operationId] = own.get(op.operationId) ?? (returns && bySchema.get(returns)) ?? above?.kind ?? null;
  }
  return out;
}
