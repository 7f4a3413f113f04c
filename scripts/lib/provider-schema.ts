// Derives the Terraform provider schema (resources and data sources) from the resource registry.
import type { PropMeta, ResourceMeta } from '../../api/src/platform/resources/registry-types.js';
import type {
  CtyType,
  ProviderSchema,
  TfAttribute,
  TfDataSource,
  TfResource,
} from '../../provider/src/framework/schema-types.js';

/** Server bookkeeping that would only add noise (and refresh churn) to plans. */
const SKIP = new Set(['etag', 'updated_at']);

/** The nesting of a property Terraform holds as nested attributes, or undefined for a plain attribute. */
function nestingOf(p: PropMeta): 'set' | 'list' | 'single' | undefined {
  if (p.json) return undefined;
  if (p.type === 'array' && p.items) return p.uniqueItems || !p.list ? 'set' : 'list';
  if (p.type === 'object' && p.fields) return 'single';
  return undefined;
}

function ctyType(p: PropMeta): CtyType {
  if (p.json) return 'string';
  const scalar = (t?: string): string =>
    t === 'integer' || t === 'number' ? 'number' : t === 'boolean' ? 'bool' : 'string';
  const object = (fields: Record<string, PropMeta>): CtyType => [
    'object',
    Object.fromEntries(Object.entries(fields).map(([n, q]) => [n, ctyType(q)])),
  ];
  const nesting = nestingOf(p);
  if (nesting === 'single') return object(p.fields!);
  if (nesting) return [nesting, object(p.items!)];
  if (p.type === 'array') return ['list', scalar(p.elementType)];
  if (p.type === 'object') return ['map', scalar(p.elementType)];
  return scalar(p.type);
}

function describe(name: string, p: PropMeta): string {
  const parts = [p.description ?? name.replace(/_/g, ' ')];
  if (p.enum) parts.push(`One of: ${p.enum.map((v) => `\`${String(v)}\``).join(', ')}.`);
  if (p.default !== undefined) parts.push(`Defaults to \`${JSON.stringify(p.default)}\`.`);
  if (p.immutable) parts.push('Changing it replaces the resource.');
  return parts.join(' ');
}

function resourceAttributes(meta: ResourceMeta): TfAttribute[] {
  const out: TfAttribute[] = [];
  for (const [name, p] of Object.entries(meta.properties)) {
    if (SKIP.has(name) || !p.terraform) continue;
    const computedOnly = p.readOnly;
    const hasDefault = p.default !== undefined || p.serverDefault;
    const required = !computedOnly && p.required && !hasDefault;
    const attr: TfAttribute = {
      name,
      type: ctyType(p),
      description: describe(name, p),
      required,
      optional: !computedOnly && !required,
      computed: computedOnly || hasDefault,
      // A secret the API shows once (x-secret: an access key's) is kept in state, marked sensitive.
      sensitive: p.writeOnly || p.secret,
      forceNew: p.immutable,
    };
    if (p.default !== undefined) attr.default = p.default;
    if (p.json) attr.json = true;
    if (p.json && p.type === 'array') attr.jsonList = true;
    if (p.nullable) attr.nullable = true;
    if (p.enum && !computedOnly) attr.enum = p.enum;
    // A list of objects held as JSON text (a dashboard's panels) is one string, not nested attributes.
    const nested = nestedOf(p, computedOnly);
    if (nested) attr.nested = nested;
    out.push(attr);
  }
  return out;
}

/**
 * The nested attributes of an array of objects or a fixed-shape object, recursively: as the API requires them, a
 * field with a default optional and computed (the plan shows the default), or all computed inside a computed one.
 */
function nestedOf(p: PropMeta, computedOnly: boolean): TfAttribute['nested'] {
  const nesting = nestingOf(p);
  if (!nesting) return undefined;
  const fields = nesting === 'single' ? p.fields! : p.items!;
  const attributes = Object.entries(fields).map(([name, q]): TfAttribute => {
    const hasDefault = q.default !== undefined || q.serverDefault;
    const required = !computedOnly && q.required && !hasDefault;
    const attr: TfAttribute = {
      name,
      type: ctyType(q),
      description: describe(name, q),
      required,
      optional: !computedOnly && !required,
      computed: computedOnly || hasDefault,
      sensitive: false,
      forceNew: false,
    };
    if (q.default !== undefined) attr.default = q.default;
    if (q.nullable) attr.nullable = true;
    if (q.enum && !computedOnly) attr.enum = q.enum;
    const inner = nestedOf(q, computedOnly);
    if (inner) attr.nested = inner;
    return attr;
  });
  return { nesting, attributes };
}

export function buildProviderSchema(registry: Record<string, ResourceMeta>): ProviderSchema {
  const resources: TfResource[] = [];
  const dataSources: TfDataSource[] = [];
  for (const meta of Object.values(registry)) {
    if (!meta.terraform || !meta.paths.item) continue;
    const description = meta.description;
    // A create-only kind (no update, no delete: a CDN invalidation) is a resource too; destroy forgets it.
    const createOnly = !meta.operations.delete && !meta.operations.update && meta.async;
    if (meta.paths.create && (meta.operations.delete || createOnly) && (!meta.publicRead || meta.terraformResource)) {
      resources.push({
        typeName: meta.terraform,
        kind: meta.kind,
        description,
        attributes: resourceAttributes(meta),
        api: {
          create: meta.paths.create,
          item: meta.paths.item,
          list: meta.paths.list,
          parent: meta.paths.parent,
          async: meta.async,
          statusField: meta.statusField,
          readyStatus: meta.readyStatus,
          failedStatus: meta.failedStatus,
          updatable: Boolean(meta.operations.update),
          ...(meta.operations.delete ? {} : { deletable: false }),
        },
      });
    }
    if (meta.dataSourceLookup.length && meta.paths.list) {
      const attributes = Object.entries(meta.properties)
        .filter(([n]) => !SKIP.has(n))
        .map(([name, p]): TfAttribute => {
          const lookup = meta.dataSourceLookup.includes(name);
          return {
            name,
            type: ctyType(p),
            description: describe(name, p),
            required: false,
            optional: lookup,
            computed: true,
            sensitive: p.writeOnly,
            forceNew: false,
            ...(p.json ? { json: true } : {}),
            ...(nestingOf(p) ? { nested: nestedOf(p, true) } : {}),
          };
        });
      if (!attributes.some((a) => a.name === 'id'))
        attributes.unshift({
          name: 'id',
          type: 'string',
          description: 'id',
          required: false,
          optional: true,
          computed: true,
          sensitive: false,
          forceNew: false,
        });
      dataSources.push({
        typeName: meta.terraform,
        kind: meta.kind,
        description,
        lookup: meta.dataSourceLookup,
        attributes,
        api: { list: meta.paths.list, item: meta.paths.item },
      });
    }
  }
  const byName = (a: { typeName: string }, b: { typeName: string }) => a.typeName.localeCompare(b.typeName);
  return { resources: resources.sort(byName), dataSources: dataSources.sort(byName) };
}
