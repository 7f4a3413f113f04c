// The provider process: the handshake first, then the schema-driven definition loads while core dials in.
import { serve } from './runtime/index.js';
import { VERSION } from './version.js';

// Bundled as CommonJS (node starts it ~10 ms faster than an ES module), so no top-level await here.
serve({
  name: 'atonix',
  address: 'registry.terraform.io/atonixcorp/atonix',
  version: VERSION,
  provider: async () => {
    const [{ buildProvider }, { providerSchema }, { hooks, resources }, { dataSources }] = await Promise.all([
      import('./framework/provider.js'),
      import('./generated/schema.js'),
      import('./resources/index.js'),
      import('./data-sources/index.js'),
    ]);
    return buildProvider(providerSchema, { version: VERSION, hooks, resources, dataSources });
  },
}).catch((error: unknown) => {
  process.stderr.write(`terraform-provider-atonix: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
