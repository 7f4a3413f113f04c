// Template resource types <-> registry kinds: `Atonix::<Service>::<Schema>` (native) and the Terraform type names.
import { kindMeta, registry } from '../../generated/registry.js';
import type { ResourceMeta } from '../../platform/resources/registry-types.js';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Kinds a template may create: those with create and delete operations that users own, and the create-only ones (an
 * asynchronous kind with neither update nor delete: a CDN invalidation), which a stack's delete forgets.
 */
const createOnly = (m: ResourceMeta) => m.async && !m.operations.update && !m.operations.delete;
const creatable = Object.values(registry).filter(
  (m) =>
    m.operations.create &&
    (m.operations.delete || createOnly(m)) &&
    m.operations.get &&
    (!m.publicRead || m.terraformResource),
);

const NATIVE = new Map(creatable.map((m) => [`Atonix::${cap(m.service)}::${m.schema}`, m.kind]));
const TERRAFORM = new Map(creatable.filter((m) => m.terraform).map((m) => [m.terraform!, m.kind]));
const LOOKUP = new Map(
  Object.values(registry)
    .filter((m) => m.terraform && m.dataSourceLookup.length && m.operations.list)
    .map((m) => [m.terraform!, m.kind]),
);

const NATIVE_LOOKUP = new Map(
  Object.values(registry)
    .filter((m) => m.dataSourceLookup.length && m.operations.list)
    .map((m) => [`Atonix::${cap(m.service)}::${m.schema}`, m.kind]),
);

export const kindForNativeType = (type: string) => NATIVE.get(type);
export const kindForNativeLookup = (type: string) => NATIVE_LOOKUP.get(type);
export const kindForTerraformType = (type: string) => TERRAFORM.get(type);
export const kindForDataSource = (type: string) => LOOKUP.get(type);
export const nativeTypes = () => [...NATIVE.keys()];
export const lookupTypes = (format: 'native' | 'terraform') =>
  format === 'native' ? [...NATIVE_LOOKUP.keys()] : [...LOOKUP.keys()].map((t) => `data.${t}`);
export const terraformTypes = () => [...TERRAFORM.keys()];
export const metaOf = (kind: string): ResourceMeta => kindMeta(kind)!;
