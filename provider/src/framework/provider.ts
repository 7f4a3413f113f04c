// The provider definition: configuration (endpoint, token), one generic resource or data source per generated type,
// and the hand-written resources and data sources (provider/src/resources/, provider/src/data-sources/) beside them.
import { errorDiagnostic, type DataSourceType, type ProviderDefinition, type ResourceType } from '../runtime/index.js';
import { ApiClient, ApiError } from './client.js';
import { genericDataSource } from './data-source.js';
import { bindType, type HandWritten } from './hand-written.js';
import { genericResource, type ResourceHooks } from './resource.js';
import type { ProviderSchema } from './schema-types.js';
import { providerConfigSchema } from './schemas.js';

export interface ProviderOptions {
  version: string;
  hooks?: Record<string, ResourceHooks>;
  /** Resources with no REST kind of their own (an object in a bucket), by type name; a generated name is refused. */
  resources?: Readonly<Record<string, HandWritten<ResourceType>>>;
  /** Data sources that are not generic lookups, by type name; a name the generated schema has too is refused. */
  dataSources?: Readonly<Record<string, HandWritten<DataSourceType>>>;
  env?: NodeJS.ProcessEnv;
}

export function buildProvider(schema: ProviderSchema, opts: ProviderOptions): ProviderDefinition {
  const env = opts.env ?? process.env;
  let client: ApiClient | undefined;
  const getClient = () => {
    if (!client) throw new Error('the provider was used before it was configured');
    return client;
  };
  const resources: Record<string, ResourceType> = {};
  for (const r of schema.resources) resources[r.typeName] = genericResource(r, getClient, opts.hooks?.[r.typeName]);
  for (const [name, r] of Object.entries(opts.resources ?? {})) {
    if (resources[name]) throw new Error(`resource ${name} is both generated and written by hand`);
    resources[name] = bindType(r, getClient);
  }
  const dataSources: Record<string, DataSourceType> = {};
  for (const d of schema.dataSources) dataSources[d.typeName] = genericDataSource(d, getClient);
  for (const [name, d] of Object.entries(opts.dataSources ?? {})) {
    if (dataSources[name]) throw new Error(`data source ${name} is both generated and written by hand`);
    dataSources[name] = bindType(d, getClient);
  }

  return {
    providerSchema: providerConfigSchema,
    resources,
    dataSources,

    async configure({ config, terraformVersion }, { signal }) {
      const endpoint = typeof config.endpoint === 'string' ? config.endpoint : env.ATONIX_ENDPOINT;
      const token = typeof config.token === 'string' ? config.token : env.ATONIX_TOKEN;
      if (!endpoint)
        return [
          errorDiagnostic(
            'No AtonixCorp endpoint',
            'Set `endpoint` in the provider block or the ATONIX_ENDPOINT environment variable.',
            ['endpoint'],
          ),
        ];
      if (!token)
        return [
          errorDiagnostic(
            'No AtonixCorp token',
            'Set `token` in the provider block or the ATONIX_TOKEN environment variable.',
            ['token'],
          ),
        ];
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        return [
          errorDiagnostic('Invalid endpoint', `"${endpoint}" is not a URL such as http://127.0.0.1:8000.`, [
            'endpoint',
          ]),
        ];
      }
      client = new ApiClient(
        url.toString(),
        token,
        `terraform-provider-atonix/${opts.version} terraform/${terraformVersion}`,
      );
      // One cheap authenticated call, so a wrong endpoint or token fails at plan time with a clear message.
      try {
        await client.request('GET', '/api/compute/flavors?limit=1', { signal });
      } catch (e) {
        if (e instanceof ApiError && e.status === 401)
          return [
            errorDiagnostic(
              'The AtonixCorp API refused the token',
              `${e.problem.detail ?? ''} Check \`token\` or ATONIX_TOKEN.`,
              ['token'],
            ),
          ];
        if (e instanceof ApiError)
          return [
            errorDiagnostic(
              `The AtonixCorp API answered ${e.status}`,
              `${e.problem.detail ?? ''} Is ${endpoint} an AtonixCorp API?`,
              ['endpoint'],
            ),
          ];
        return [errorDiagnostic('Cannot reach the AtonixCorp API', `${(e as Error).message}`, ['endpoint'])];
      }
      return [];
    },
  };
}
