// Turns the schema model into GetProviderSchema messages, and checks it first the way core will, but with clear messages.
// Core rejects a bad schema with errors that name neither the provider nor the attribute (or panics on bad type JSON).
import { isCtyType, typeToBytes } from './cty-types.js';
import { errorDiagnostic, type Diagnostic } from './diagnostics.js';
import type { ProtoAttribute, ProtoBlock, ProtoSchema, ProtoStringKind } from './protocol-types.js';
import type { Attribute, Block, Schema, StringKind } from './schema.js';

const NAME = /^[a-z0-9_]+$/;

export function schemaToProto(schema: Schema): ProtoSchema {
  return { version: schema.version ?? 0, block: blockToProto(schema.block, schema.version ?? 0) };
}

function kind(k: StringKind | undefined): ProtoStringKind {
  return k === 'markdown' ? 'MARKDOWN' : 'PLAIN';
}

function blockToProto(block: Block, version = 0): ProtoBlock {
  return {
    version,
    attributes: Object.entries(block.attributes ?? {}).map(([name, attr]) => attributeToProto(name, attr)),
    block_types: Object.entries(block.blocks ?? {}).map(([name, nested]) => ({
      type_name: name,
      block: blockToProto(nested.block),
      nesting: nested.nesting.toUpperCase() as 'SINGLE' | 'LIST' | 'SET' | 'MAP' | 'GROUP',
      min_items: nested.minItems ?? 0,
      max_items: nested.maxItems ?? 0,
    })),
    description: block.description ?? '',
    description_kind: kind(block.descriptionKind),
    deprecated: block.deprecated ?? false,
  };
}

function attributeToProto(name: string, attr: Attribute): ProtoAttribute {
  return {
    name,
    type: attr.type !== undefined ? typeToBytes(attr.type) : undefined,
    nested_type: attr.nested
      ? {
          attributes: Object.entries(attr.nested.attributes).map(([n, a]) => attributeToProto(n, a)),
          nesting: attr.nested.nesting.toUpperCase() as 'SINGLE' | 'LIST' | 'SET' | 'MAP',
        }
      : undefined,
    description: attr.description ?? '',
    description_kind: kind(attr.descriptionKind),
    required: attr.required ?? false,
    optional: attr.optional ?? false,
    computed: attr.computed ?? false,
    sensitive: attr.sensitive ?? false,
    deprecated: attr.deprecated ?? false,
    write_only: attr.writeOnly ?? false,
  };
}

/** Problems core would refuse the schema for (see core's configschema internal validation), as diagnostics. */
export function checkSchema(schema: Schema, where: string): Diagnostic[] {
  const problems: string[] = [];
  if (!schema || typeof schema.block !== 'object') problems.push(`${where}: the schema has no block`);
  else checkBlock(schema.block, where, problems);
  return problems.map((p) => errorDiagnostic('Invalid provider schema', `${p}. This is a bug in the provider.`));
}

function checkBlock(block: Block, where: string, problems: string[]): void {
  const seen = new Set<string>();
  for (const [name, attr] of Object.entries(block.attributes ?? {})) {
    seen.add(name);
    checkAttribute(name, attr, `${where}.${name}`, problems, false);
  }
  for (const [name, nested] of Object.entries(block.blocks ?? {})) {
    const at = `${where}.${name}`;
    if (!NAME.test(name)) problems.push(`${at}: names may only contain a-z, 0-9 and _`);
    if (seen.has(name)) problems.push(`${at}: used both as an attribute and a block`);
    if (nested.nesting === 'single' && (nested.maxItems ?? 0) > 1)
      problems.push(`${at}: a single block may not have max_items above 1`);
    checkBlock(nested.block, at, problems);
  }
}

function checkAttribute(name: string, attr: Attribute, at: string, problems: string[], inSet: boolean): void {
  if (!NAME.test(name)) problems.push(`${at}: names may only contain a-z, 0-9 and _`);
  if ((attr.type === undefined) === (attr.nested === undefined))
    problems.push(`${at}: set exactly one of type and nested`);
  if (attr.type !== undefined && !isCtyType(attr.type))
    problems.push(`${at}: ${JSON.stringify(attr.type)} is not a type`);
  if (!attr.required && !attr.optional && !attr.computed) problems.push(`${at}: set required, optional or computed`);
  if (attr.required && attr.optional) problems.push(`${at}: may not be both required and optional`);
  if (attr.required && attr.computed) problems.push(`${at}: may not be both required and computed`);
  if (attr.writeOnly && attr.computed) problems.push(`${at}: a write-only attribute may not be computed`);
  if (inSet && (attr.writeOnly || attr.type === 'dynamic'))
    problems.push(`${at}: write-only and dynamic attributes may not sit inside a set`);
  if (attr.nested) {
    for (const [n, a] of Object.entries(attr.nested.attributes))
      checkAttribute(n, a, `${at}.${n}`, problems, inSet || attr.nested.nesting === 'set');
  }
}
