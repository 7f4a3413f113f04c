// Liveness and readiness.
import type { Deps } from '../platform/deps.js';
import { defineOperations } from '../platform/manifest.js';
import { problems } from '../platform/problems.js';

export const healthOperations = defineOperations('system', {
  handlers: ({ db }: Deps) => ({
    getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
    async getReadiness() {
      try {
        await db.raw('select 1');
      } catch {
        throw problems.unavailable('The database does not answer.');
      }
      return { status: 200, body: { status: 'ok' } };
    },
  }),
});
