// config -> database (embedded, or DATABASE_URL) -> migrate -> createApp -> listen; Ctrl-C stops it all cleanly.
import { createServer } from 'node:http';
import { createApp, workerProbes } from './app.js';
import { bootPlatform } from './platform/boot.js';
import { loadConfig } from './platform/config.js';
import { startEmbedded, type EmbeddedDb } from './platform/db/embedded.js';
import { createLogger } from './platform/logger.js';
import { attachEventStream } from './platform/websocket.js';

const config = loadConfig();
const log = createLogger(config.logLevel);

let embedded: EmbeddedDb | undefined;
if (!config.databaseUrl) {
  log.info({ dir: config.dataDir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
  embedded = await startEmbedded(config.dataDir);
}
const platform = await bootPlatform(config, config.databaseUrl ?? embedded!.url, log);
if (platform.adminSecret) {
  // Shown once: only its hash is stored.
  process.stderr.write(`\nAdmin token (shown once, store it now): ${platform.adminSecret}\n\n`);
}

const server = createServer(config.role === 'worker' ? workerProbes(platform) : createApp(platform));
if (config.role !== 'worker') attachEventStream(server, platform.auth, platform.events);
server.keepAliveTimeout = 65_000;
server.listen(config.port, config.host, () => log.info({ port: config.port, role: config.role }, 'AtonixCorp API listening'));

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  server.closeIdleConnections?.();
  await new Promise((r) => server.close(r));
  await platform.stop();
  await embedded?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
