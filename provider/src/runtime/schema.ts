// The schema model handlers declare (blocks, attributes, nested attributes, nested blocks) and what follows from it:
// the implied object type, and completeObject(), which gives every attribute a key, as core requires of every object.
import type { CtyType, ObjectType } from './cty-types.js';
import { UNKNOWN, type ObjectValue, type Value } from './values.js';

export type StringKind = 'plain' | 'markdown';

export interface Attribute {
  /** The value type, e.g. "string", ["map", "string"], ["list", ["object", {...}]]. Exactly one of type / nested. */
  type?: CtyType;
  /** A nested attribute (protocol 6): attributes with their own flags inside a single/list/set/map. */
  nested?: NestedAttributes;
  description?: string;
  descriptionKind?: StringKind;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  /** Never stored in state; core sends it in config only (Terraform 1.11+). */
  writeOnly?: boolean;
  deprecated?: boolean;
}

export interface NestedAttributes {
  nesting: 'single' | 'list' | 'set' | 'map';
  attributes: Readonly<Record<string, Attribute>>;
}

export interface NestedBlock {
  /** group: a block that is always present (never null), whose attributes may all be null. */
  nesting: 'single' | 'list' | 'set' | 'map' | 'group';
  block: Block;
  minItems?: number;
  maxItems?: number;
}

export interface Block {
  attributes?: Readonly<Record<string, Attribute>>;
  blocks?: Readonly<Record<string, NestedBlock>>;
  description?: string;
  descriptionKind?: StringKind;
  deprecated?: boolean;
}

export interface Schema {
  /** State schema version: raise it when stored state needs upgrading (see ResourceType.upgradeState). */
  version?: number;
  block: Block;
}

const typeCache = new WeakMap<Block, ObjectType>();

/** The object type of a block's values (what the msgpack codec uses); cached per block. */
export function impliedType(block: Block): ObjectType {
  let type = typeCache.get(block);
  if (!type) {
    type = ['object', { ...attributesType(block.attributes ?? {})[1], ...blocksType(block.blocks ?? {}) }];
    typeCache.set(block, type);
  }
  return type;
}

function attributesType(attributes: Readonly<Record<string, Attribute>>): ObjectType {
  const out: Record<string, CtyType> = {};
  for (const [name, attr] of Object.entries(attributes)) out[name] = attributeType(attr);
  return ['object', out];
}

export function attributeType(attr: Attribute): CtyType {
  if (attr.type !== undefined) return attr.type;
  if (!attr.nested) throw new Error('schema: an attribute needs a type or nested attributes');
  const object = attributesType(attr.nested.attributes);
  return attr.nested.nesting === 'single' ? object : [attr.nested.nesting, object];
}

function blocksType(blocks: Readonly<Record<string, NestedBlock>>): Record<string, CtyType> {
  const out: Record<string, CtyType> = {};
  for (const [name, nested] of Object.entries(blocks)) {
    const object = impliedType(nested.block);
    out[name] = nested.nesting === 'single' || nested.nesting === 'group' ? object : [nested.nesting, object];
  }
  return out;
}

/**
 * A copy of `value` with exactly the block's attributes and nested blocks, recursively: absent attributes become null,
 * absent list/set blocks [], map blocks {}, group blocks an object of nulls; keys the schema does not know are dropped.
 */
export function completeObject(block: Block, value: ObjectValue | null | undefined): ObjectValue {
  const source = value ?? {};
  const out: ObjectValue = {};
  for (const [name, attr] of Object.entries(block.attributes ?? {})) out[name] = completeAttribute(attr, source[name]);
  for (const [name, nested] of Object.entries(block.blocks ?? {})) out[name] = completeBlock(nested, source[name]);
  return out;
}

function completeAttribute(attr: Attribute, value: Value | undefined): Value {
  if (value === undefined) return null;
  if (!attr.nested) return completeTyped(attr.type!, value);
  if (value === null || value === UNKNOWN) return value;
  const inner: Block = { attributes: attr.nested.attributes };
  const each = (item: Value): Value =>
    item === null || item === UNKNOWN ? item : completeObject(inner, item as ObjectValue);
  switch (attr.nested.nesting) {
    case 'single':
      return each(value);
    case 'list':
    case 'set':
      return (value as Value[]).map(each);
    case 'map':
      return mapValues(value as ObjectValue, each);
  }
}

function completeBlock(nested: NestedBlock, value: Value | undefined): Value {
  if (value === UNKNOWN) return value;
  const each = (item: Value): Value =>
    item === UNKNOWN ? item : completeObject(nested.block, item as ObjectValue | null);
  switch (nested.nesting) {
    case 'single':
      return value === null || value === undefined ? null : each(value);
    case 'group':
      return each(value ?? {});
    case 'list':
    case 'set':
      return ((value ?? []) as Value[]).map(each);
    case 'map':
      return mapValues((value ?? {}) as ObjectValue, each);
  }
}

/** Object types inside plain attribute types need every attribute too (e.g. list(object({...}))). */
function completeTyped(type: CtyType, value: Value): Value {
  if (typeof type === 'string' || value === null || value === UNKNOWN) return value;
  const [kind, arg] = type;
  switch (kind) {
    case 'list':
    case 'set':
      return (value as Value[]).map((item) => completeTyped(arg as CtyType, item));
    case 'map':
      return mapValues(value as ObjectValue, (item) => completeTyped(arg as CtyType, item));
    case 'tuple':
      return (value as Value[]).map((item, i) => completeTyped((arg as readonly CtyType[])[i]!, item));
    case 'object': {
      const out: ObjectValue = {};
      for (const [name, t] of Object.entries(arg as Record<string, CtyType>))
        out[name] = completeTyped(t, (value as ObjectValue)[name] ?? null);
      return out;
    }
  }
}

const writeOnlyCache = new WeakMap<Block, boolean>();

function hasWriteOnly(block: Block): boolean {
  let found = writeOnlyCache.get(block);
  if (found === undefined) {
    const inAttributes = (attributes: Readonly<Record<string, Attribute>>): boolean =>
      Object.values(attributes).some(
        (a) => a.writeOnly || (a.nested !== undefined && inAttributes(a.nested.attributes)),
      );
    found =
      inAttributes(block.attributes ?? {}) || Object.values(block.blocks ?? {}).some((b) => hasWriteOnly(b.block));
    writeOnlyCache.set(block, found);
  }
  return found;
}

/**
 * The value with every write-only attribute set to null, recursively: core rejects a plan or state that carries
 * one (write-only values exist in config only). Returns the value itself when the schema has none.
 */
export function nullWriteOnly(block: Block, value: ObjectValue): ObjectValue {
  if (!hasWriteOnly(block)) return value;
  const out: ObjectValue = { ...value };
  const each = (inner: Block, item: Value): Value =>
    item === null || item === UNKNOWN || typeof item !== 'object' ? item : nullWriteOnly(inner, item as ObjectValue);
  const across = (inner: Block, v: Value, nesting: string): Value => {
    if (v === null || v === UNKNOWN || v === undefined) return v ?? null;
    if (nesting === 'list' || nesting === 'set') return (v as Value[]).map((item) => each(inner, item));
    if (nesting === 'map') return mapValues(v as ObjectValue, (item) => each(inner, item));
    return each(inner, v);
  };
  for (const [name, attr] of Object.entries(block.attributes ?? {})) {
    if (attr.writeOnly) out[name] = null;
    else if (attr.nested && name in out)
      out[name] = across({ attributes: attr.nested.attributes }, out[name]!, attr.nested.nesting);
  }
  for (const [name, nested] of Object.entries(block.blocks ?? {}))
    if (name in out) out[name] = across(nested.block, out[name]!, nested.nesting);
  return out;
}

function mapValues(value: ObjectValue, fn: (item: Value) => Value): ObjectValue {
  const out: ObjectValue = {};
  for (const key of Object.keys(value)) out[key] = fn(value[key]!);
  return out;
}
