// The probes: readiness follows the database (503 while it refuses connections, 200 again once it is back), while
// liveness stays 200 throughout.
import { expect } from 'chai';
import pg from 'pg';
import { eventually, startApp, type TestApp } from '../../support/app.js';

describe('system: probes', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('answers /readyz 503 while the database refuses connections, and 200 again once it is back', async () => {
    const name = decodeURIComponent(new URL(app.databaseUrl).pathname.slice(1));
    const server = new URL(app.databaseUrl);
    server.pathname = '/postgres';
    const dba = new pg.Client({ connectionString: server.toString() });
    await dba.connect();
    try {
      await dba.query(`alter database "${name}" with allow_connections false`);
      await dba.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      const down = await eventually(async () => {
        const r = await app.admin.get('/readyz');
        return r.status === 503 && r;
      }, '/readyz to answer 503');
      expect(down.body).to.include({ status: 503, code: 'Unavailable' });
      await app.admin.get('/healthz').expect(200);
    } finally {
      await dba.query(`alter database "${name}" with allow_connections true`);
      await dba.end();
    }
    await eventually(async () => (await app.admin.get('/readyz')).status === 200, '/readyz to answer 200 again');
  });
});
