// The knex instance, pg type parsing, and migrations from api/migrations (run at start).
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// int8 (seq, counts) as numbers: every value this schema stores fits in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '../../../migrations');

export type Db = Knex;

/** Where knex's own warnings go (a lost connection, a failed acquire): the platform's log, not the console. */
export interface DbLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function createDb(url: string, poolMax = 10, log?: DbLog): Db {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 30_000,
    ...(log && {
      log: {
        warn: (message: unknown) => log.warn({ message: String(message) }, 'database client warning'),
        error: (message: unknown) => log.error({ message: String(message) }, 'database client error'),
        deprecate: (method: string, alternative: string) => log.warn({ method, alternative }, 'knex deprecation'),
        debug: () => {},
      },
    }),
  });
}

/** Migrations are the files in api/migrations, in name order; each exports up and down. */
const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return readdirSync(MIGRATIONS)
      .filter((f) => /^\d+_.*\.(ts|js)$/.test(f))
      .sort();
  },
  getMigrationName: (m) => m.replace(/\.(ts|js)$/, ''),
  async getMigration(m) {
    return import(pathToFileURL(join(MIGRATIONS, m)).href);
  },
};

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest({ migrationSource: source });
}

/** Creates a database if it is missing (used for per-test databases and a fresh DATABASE_URL server). */
export async function ensureDatabase(serverUrl: string, name: string, template?: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
