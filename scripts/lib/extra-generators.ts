// Generators beyond the API's own types: the Terraform provider schema and, through it, its docs and CDKTF bindings.
import type { Spec } from '../../api/src/platform/operations/spec.js';
import { buildRegistry } from './registry.js';
import { buildProviderSchema } from './provider-schema.js';
import { providerDocs } from './provider-docs.js';
import { cdktfBindings } from './cdktf-bindings.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

export async function generate(spec: Spec, header: string) {
  const schema = buildProviderSchema(buildRegistry(spec));
  return [
    {
      path: 'provider/src/generated/schema.ts',
      content:
        header +
        "import type { ProviderSchema } from '../framework/schema-types.js';\n\n" +
        `export const providerSchema: ProviderSchema = ${JSON.stringify(schema, null, 2)};\n`,
    },
    ...providerDocs(schema, root, header),
    ...(await cdktfBindings(schema, header)),
  ];
}
