// Liveness and readiness.
import type { Deps } from './deps.js';
import type { Handlers } from './http/context.js';
import { problems } from './problems.js';

export const platformHandlers = ({ db }: Deps): Handlers => ({
  getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
  async getReadiness() {
    try {
      await db.raw('select 1');
    } catch {
      throw problems.unavailable('The database does not answer.');
    }
    return { status: 200, body: { status: 'ok' } };
  },
});
