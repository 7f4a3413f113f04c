// Mocha root hooks: stop the shared PostgreSQL when the run ends.
import { stopPostgres } from './postgres.js';

export const mochaHooks = {
  async afterAll() {
    await stopPostgres();
  },
};
