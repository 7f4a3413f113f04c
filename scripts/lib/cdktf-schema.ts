// The provider's schema in the exact `terraform providers schema -json` format, built from the same schema objects the
// provider serves (provider/src/framework/schemas.ts, and the hand-written types in provider/src/resources/ and
// provider/src/data-sources/), so the CDKTF bindings can be generated with no terraform binary.
import { dataSources as handWrittenDataSources } from '../../provider/src/data-sources/index.js';
import { resources as handWrittenResources } from '../../provider/src/resources/index.js';
import type { Attribute, Block, Schema } from '../../provider/src/runtime/index.js';
import type { ProviderSchema } from '../../provider/src/framework/schema-types.js';
import { dataSourceSchema, providerConfigSchema, resourceSchema } from '../../provider/src/framework/schemas.js';

export const PROVIDER_ADDRESS = 'registry.terraform.io/atonixcorp/atonix';

/** The types written by hand, by type name: the generators need only their schemas. */
export interface HandWrittenSchemas {
  resources: Readonly<Record<string, { readonly schema: Schema }>>;
  dataSources: Readonly<Record<string, { readonly schema: Schema }>>;
}
export const HAND_WRITTEN: HandWrittenSchemas = {
  resources: handWrittenResources,
  dataSources: handWrittenDataSources,
};

/** Terraform's meta-arguments: an attribute with one of these names cannot be configured, and breaks generated code. */
export const META_ARGUMENTS = ['count', 'for_each', 'provider', 'lifecycle', 'depends_on', 'connection', 'provisioner'];

export interface JsonAttribute {
  type?: unknown;
  nested_type?: { nesting_mode: string; attributes: Record<string, JsonAttribute> };
  description?: string;
  description_kind: 'plain' | 'markdown';
  deprecated?: true;
  required?: true;
  optional?: true;
  computed?: true;
  sensitive?: true;
  write_only?: true;
}
export interface JsonBlock {
  attributes?: Record<string, JsonAttribute>;
  block_types?: Record<string, { nesting_mode: string; block: JsonBlock; min_items?: number; max_items?: number }>;
  description?: string;
  description_kind: 'plain' | 'markdown';
  deprecated?: true;
}
export interface JsonSchema {
  version: number;
  block: JsonBlock;
}
export interface JsonProviderSchemas {
  format_version: '1.0';
  provider_schemas: Record<
    string,
    {
      provider: JsonSchema;
      resource_schemas: Record<string, JsonSchema>;
      data_source_schemas: Record<string, JsonSchema>;
    }
  >;
}

// Terraform omits false flags, empty strings and empty maps (Go's omitempty), and sorts map keys.
const flag = (v: boolean | undefined) => (v ? (true as const) : undefined);
const text = (v: string | undefined) => (v ? v : undefined);
const kind = (k: string | undefined) => (k === 'markdown' ? 'markdown' : 'plain') as JsonAttribute['description_kind'];
const sorted = <T, U>(o: Readonly<Record<string, T>>, fn: (v: T) => U): Record<string, U> | undefined => {
  const keys = Object.keys(o).sort();
  return keys.length ? Object.fromEntries(keys.map((k) => [k, fn(o[k]!)])) : undefined;
};
const clean = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function attributeJson(a: Attribute): JsonAttribute {
  return clean({
    type: a.type,
    nested_type: a.nested
      ? { nesting_mode: a.nested.nesting, attributes: sorted(a.nested.attributes, attributeJson) ?? {} }
      : undefined,
    description: text(a.description),
    description_kind: kind(a.descriptionKind),
    deprecated: flag(a.deprecated),
    required: flag(a.required),
    optional: flag(a.optional),
    computed: flag(a.computed),
    sensitive: flag(a.sensitive),
    write_only: flag(a.writeOnly),
  });
}

function blockJson(b: Block): JsonBlock {
  return clean({
    attributes: sorted(b.attributes ?? {}, attributeJson),
    block_types: sorted(b.blocks ?? {}, (n) =>
      clean({
        nesting_mode: n.nesting,
        block: blockJson(n.block),
        min_items: n.minItems || undefined,
        max_items: n.maxItems || undefined,
      }),
    ),
    description: text(b.description),
    description_kind: kind(b.descriptionKind),
    deprecated: flag(b.deprecated),
  });
}

const schemaJson = (s: Schema): JsonSchema => ({ version: s.version ?? 0, block: blockJson(s.block) });
const byType = (schemas: [string, Schema][]) =>
  Object.fromEntries(
    [...schemas].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, s]) => [type, schemaJson(s)] as const),
  );

/**
 * `terraform providers schema -json` for this provider, as terraform prints it once the provider is installed:
 * the generated types, and the hand-written ones the provider serves beside them.
 */
export function providerSchemaJson(
  schema: ProviderSchema,
  handWritten: HandWrittenSchemas = HAND_WRITTEN,
): JsonProviderSchemas {
  const json: JsonProviderSchemas = {
    format_version: '1.0',
    provider_schemas: {
      [PROVIDER_ADDRESS]: {
        provider: schemaJson(providerConfigSchema),
        resource_schemas: byType([
          ...schema.resources.map((r): [string, Schema] => [r.typeName, resourceSchema(r)]),
          ...Object.entries(handWritten.resources).map(([type, r]): [string, Schema] => [type, r.schema]),
        ]),
        data_source_schemas: byType([
          ...schema.dataSources.map((d): [string, Schema] => [d.typeName, dataSourceSchema(d)]),
          ...Object.entries(handWritten.dataSources).map(([type, d]): [string, Schema] => [type, d.schema]),
        ]),
      },
    },
  };
  const clashes = metaArgumentClashes(json);
  if (clashes.length) {
    throw new Error(
      `Attribute names that are Terraform meta-arguments (rename them in openapi.yaml):\n  ${clashes.join('\n  ')}`,
    );
  }
  return json;
}

/**
 * Every `<type>.<name>` at the top level of the provider block, a resource or a data source whose name is a
 * meta-argument (nested blocks may use these names: only the top level shares a namespace with them).
 */
export function metaArgumentClashes(json: JsonProviderSchemas): string[] {
  const found: string[] = [];
  const walk = (b: JsonBlock, at: string) => {
    for (const name of [...Object.keys(b.attributes ?? {}), ...Object.keys(b.block_types ?? {})]) {
      if (META_ARGUMENTS.includes(name)) found.push(`${at}.${name}`);
    }
  };
  for (const p of Object.values(json.provider_schemas)) {
    walk(p.provider.block, 'provider');
    for (const [type, s] of Object.entries(p.resource_schemas)) walk(s.block, type);
    for (const [type, s] of Object.entries(p.data_source_schemas)) walk(s.block, `data.${type}`);
  }
  return found;
}
