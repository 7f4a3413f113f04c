// The Terraform schemas the provider advertises, built in one place: the provider serves them and
// `npm run generate` exports them as `terraform providers schema -json` for the CDKTF bindings.
import type { Attribute, Block, Schema } from '../runtime/index.js';
import type { TfAttribute, TfDataSource, TfResource } from './schema-types.js';

export const PHASES = ['create', 'update', 'delete'] as const;

/** The Terraform block for a generated attribute list (plus any extra nested blocks). */
export function blockOf(attributes: TfAttribute[], description: string, blocks: Block['blocks'] = {}): Block {
  return { attributes: attributesOf(attributes), blocks, description, descriptionKind: 'markdown' };
}

function attributesOf(attributes: TfAttribute[]): Record<string, Attribute> {
  const attrs: Record<string, Attribute> = {};
  for (const a of attributes) {
    attrs[a.name] = {
      ...(a.nested
        ? { nested: { nesting: a.nested.nesting, attributes: attributesOf(a.nested.attributes) } }
        : { type: a.type as any }),
      description: a.description,
      descriptionKind: 'markdown',
      required: a.required || undefined,
      optional: a.optional || undefined,
      computed: a.computed || undefined,
      sensitive: a.sensitive || undefined,
    };
  }
  return attrs;
}

/** The `provider "atonix" {}` block: both settings fall back to ATONIX_ENDPOINT / ATONIX_TOKEN. */
export const providerConfigSchema: Schema = {
  block: {
    description: 'The AtonixCorp platform: a self-hostable cloud control plane.',
    attributes: {
      endpoint: {
        type: 'string',
        optional: true,
        description: 'The API URL, e.g. `http://127.0.0.1:8000`. Defaults to `ATONIX_ENDPOINT`.',
      },
      token: {
        type: 'string',
        optional: true,
        sensitive: true,
        description: 'A bearer token. Defaults to `ATONIX_TOKEN`.',
      },
    },
  },
};

/** A resource: its generated attributes plus a `timeouts` block (create/update/delete durations). */
export function resourceSchema(def: TfResource): Schema {
  const timeouts = {
    nesting: 'single' as const,
    block: {
      attributes: Object.fromEntries(
        PHASES.map((p) => [
          p,
          { type: 'string' as const, optional: true, description: `How long to wait for ${p} (for example "30m").` },
        ]),
      ),
      description: 'Limits on how long Terraform waits for the resource to become ready or go away.',
    },
  };
  return { version: 0, block: blockOf(def.attributes, def.description, { timeouts }) };
}

/** A data source: its generated attributes only. */
export function dataSourceSchema(def: TfDataSource): Schema {
  return { version: 0, block: blockOf(def.attributes, def.description) };
}
