// The provider process: the handshake first, then the schema-driven definition loads while core dials in.
import { serve } from './runtime/index.js';
import { VERSION } from './version.js';

await serve({
  name: 'atonix',
  version: VERSION,
  provider: async () => {
    const [{ buildProvider }, { providerSchema }, { hooks }] = await Promise.all([
      import('./framework/provider.js'), import('./generated/schema.js'), import('./resources/index.js'),
    ]);
    return buildProvider(providerSchema, { version: VERSION, hooks });
  },
});
