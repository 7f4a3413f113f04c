// One real PostgreSQL for the whole test run (embedded, or TEST_DATABASE_URL), and a fresh migrated database per suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, ensureDatabase, migrate } from '../../api/src/platform/db/knex.js';
import { startEmbedded, type EmbeddedDb } from '../../api/src/platform/db/embedded.js';

interface Shared {
  server?: Promise<{ url: string; embedded?: EmbeddedDb; dir?: string }>;
  template?: Promise<void>;
  counter: number;
}
// On globalThis, not in module variables: mocha loads the root hooks (which stop the server) through require and
// the test files through import, so this module can exist twice in one run, and a module-level server started
// by the tests was invisible to the hooks, which then left PostgreSQL running after the run.
const shared: Shared = ((globalThis as { __atonixTestPostgres?: Shared }).__atonixTestPostgres ??= { counter: 0 });
const TEMPLATE = 'atonix_test_template';

function startServer() {
  shared.server ??= (async () => {
    if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL };
    const dir = mkdtempSync(join(tmpdir(), 'atonix-test-pg-'));
    const embedded = await startEmbedded(dir, { durable: false });
    return { url: embedded.url, embedded, dir };
  })();
  return shared.server;
}

/** A new database, already migrated (cloned from a migrated template: ~100 ms instead of a migration run). */
export async function freshDatabase(): Promise<string> {
  const { url } = await startServer();
  shared.template ??= (async () => {
    const tplUrl = await ensureDatabase(url, TEMPLATE);
    const db = createDb(tplUrl, 2);
    await migrate(db);
    await db.destroy();
  })();
  await shared.template;
  return ensureDatabase(url, `atonix_test_${process.pid}_${++shared.counter}`, TEMPLATE);
}

export async function stopPostgres(): Promise<void> {
  if (!shared.server) return;
  const s = await shared.server;
  await s.embedded?.stop();
  if (s.dir) rmSync(s.dir, { recursive: true, force: true });
  shared.server = undefined;
  shared.template = undefined;
}
