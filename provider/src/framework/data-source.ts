// The generic data source: look one resource up by id, or by its lookup attributes (exactly one must match).
import { DiagnosticsError, errorDiagnostic, type DataSourceType } from '../runtime/index.js';
import { ApiError, problemDiagnostics, type ApiClient } from './client.js';
import { fromApi } from './convert.js';
import type { TfDataSource } from './schema-types.js';
import { dataSourceSchema } from './schemas.js';

export function genericDataSource(def: TfDataSource, client: () => ApiClient): DataSourceType {
  return {
    schema: dataSourceSchema(def),

    validate({ config }) {
      const given = def.lookup.filter((k) => config[k] !== null);
      if (given.length === 0 && config.id === null) {
        return [
          errorDiagnostic(`Nothing to look up`, `Set one of: ${[...new Set(['id', ...def.lookup])].join(', ')}.`),
        ];
      }
      return [];
    },

    async read({ config }, { signal }) {
      const c = client();
      try {
        if (config.id !== null) {
          const { body } = await c.request('GET', def.api.item.replace('{id}', encodeURIComponent(String(config.id))), {
            signal,
          });
          return { state: fromApi(def.attributes, body) };
        }
        const query = new URLSearchParams({ limit: '2' });
        for (const k of def.lookup) if (config[k] !== null) query.set(k, String(config[k]));
        const { body } = await c.request('GET', `${def.api.list}?${query}`, { signal });
        const what = [...query]
          .filter(([k]) => k !== 'limit')
          .map(([k, v]) => `${k} = "${v}"`)
          .join(', ');
        if (body.items.length === 0)
          throw new DiagnosticsError(errorDiagnostic(`No ${def.typeName} matches`, `Nothing has ${what}.`));
        if (body.items.length > 1)
          throw new DiagnosticsError(
            errorDiagnostic(`More than one ${def.typeName} matches`, `Several have ${what}; look it up by id.`),
          );
        return { state: fromApi(def.attributes, body.items[0]) };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          throw new DiagnosticsError(
            errorDiagnostic(
              `No ${def.typeName} with id ${String(config.id)}`,
              'It does not exist, or belongs to someone else.',
              ['id'],
            ),
          );
        }
        if (e instanceof ApiError) throw new DiagnosticsError(problemDiagnostics(e, `Cannot read ${def.typeName}`));
        throw e;
      }
    },
  };
}
