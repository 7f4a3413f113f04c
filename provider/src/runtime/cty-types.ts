// Terraform value types in their JSON wire form (go-cty's type JSON), as carried in Schema.Attribute.type.

export type CtyPrimitive = 'string' | 'number' | 'bool' | 'dynamic';

export type CtyType =
  | CtyPrimitive
  | readonly ['list', CtyType]
  | readonly ['set', CtyType]
  | readonly ['map', CtyType]
  | readonly ['object', { readonly [name: string]: CtyType }]
  | readonly ['object', { readonly [name: string]: CtyType }, readonly string[]]
  | readonly ['tuple', readonly CtyType[]];

export type ObjectType = readonly ['object', { readonly [name: string]: CtyType }];

export const objectType = (attributes: { readonly [name: string]: CtyType }): ObjectType => ['object', attributes];

/** The UTF-8 JSON bytes core expects in Attribute.type. */
export function typeToBytes(type: CtyType): Uint8Array {
  return Buffer.from(JSON.stringify(type), 'utf8');
}

export function isCtyType(value: unknown): value is CtyType {
  if (value === 'string' || value === 'number' || value === 'bool' || value === 'dynamic') return true;
  if (!Array.isArray(value)) return false;
  const [kind, arg] = value as unknown[];
  if (kind === 'list' || kind === 'set' || kind === 'map') return value.length === 2 && isCtyType(arg);
  if (kind === 'tuple') return value.length === 2 && Array.isArray(arg) && arg.every(isCtyType);
  if (kind === 'object') {
    return (
      (value.length === 2 || value.length === 3) &&
      typeof arg === 'object' &&
      arg !== null &&
      Object.values(arg).every(isCtyType)
    );
  }
  return false;
}
