// config -> database (embedded, or DATABASE_URL) -> migrate -> createApp -> listen; Ctrl-C stops it all cleanly.
// `role=all` (the default) serves HTTP on the main thread and runs the background worker on a worker thread.
import { createServer } from 'node:http';
import { s3Server } from './storage/s3/server.js';
import { answerClientErrors } from './platform/http/client-errors.js';
import type { Worker } from 'node:worker_threads';
import { createApp, workerProbes } from './app.js';
import { bootPlatform } from './platform/boot.js';
import { loadConfig } from './platform/config.js';
import { startEmbedded, type EmbeddedDb } from './platform/db/embedded.js';
import { createLogger } from './platform/logger.js';
import { tsWorker } from './platform/ts-worker.js';
import { attachEventStream } from './platform/events/websocket.js';
import type { MetricsRequest, WorkerThreadData, WorkerThreadMessage } from './worker-thread.js';

const config = loadConfig();
let stopping = false;
const log = createLogger(config.logLevel);

let embedded: EmbeddedDb | undefined;
if (!config.databaseUrl) {
  log.info({ dir: config.dataDir }, 'DATABASE_URL is unset: starting the embedded PostgreSQL');
  embedded = await startEmbedded(config.dataDir);
}
const databaseUrl = config.databaseUrl ?? embedded!.url;
const platform = await bootPlatform(config.role === 'all' ? { ...config, role: 'api' } : config, databaseUrl, log);
const worker = config.role === 'all' ? await startWorkerThread() : undefined;
if (worker) platform.metrics.extra = () => threadMetrics(worker);
if (platform.adminSecret) {
  // Shown once: only its hash is stored.
  process.stderr.write(`\nAdmin token (shown once, store it now): ${platform.adminSecret}\n\n`);
}

const server = createServer(config.role === 'worker' ? workerProbes(platform) : createApp(platform));
answerClientErrors(server);
if (config.role !== 'worker') attachEventStream(server, platform);
server.keepAliveTimeout = 65_000;
server.listen(config.port, config.host, () =>
  log.info({ port: config.port, role: config.role }, 'AtonixCorp API listening'),
);
// The S3 protocol at the root of a port of its own, for tools that take only a host and a port.
const s3 = config.role !== 'worker' && config.storage.s3Port !== undefined ? s3Server(platform) : undefined;
s3?.listen(config.storage.s3Port, config.host, () =>
  log.info({ port: config.storage.s3Port }, 'S3 protocol listening'),
);

async function shutdown(signal: string, code = 0) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  server.closeIdleConnections?.();
  await new Promise((r) => server.close(r));
  if (s3) await new Promise((r) => s3.close(r));
  await stopWorkerThread();
  await platform.stop();
  await embedded?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

/** Resolves once the worker thread's platform is up; its failure stops the process (a supervisor restarts it). */
function startWorkerThread(): Promise<Worker> {
  const w = tsWorker(new URL('./worker-thread.ts', import.meta.url), {
    workerData: { databaseUrl, env: { ...process.env } } satisfies WorkerThreadData,
  });
  w.on('message', (m: WorkerThreadMessage) => {
    if (m.type === 'jobs') platform.metrics.jobs.inc(m.labels, m.n);
  });
  w.on('exit', (code) => {
    if (stopping) return;
    log.fatal({ code }, 'the worker thread stopped; stopping the process');
    void shutdown('worker-exit', 1);
  });
  return new Promise((resolve, reject) => {
    w.once('error', reject);
    w.on('message', (m: WorkerThreadMessage) => {
      if (m.type === 'ready') {
        w.off('error', reject);
        w.on('error', (err) => log.error({ err }, 'worker thread error'));
        resolve(w);
      }
    });
  });
}

let metricsAsked = 0;
/** The worker thread's own figures for /metrics (its load balancers'); nothing if it does not answer in a second. */
function threadMetrics(w: Worker): Promise<string> {
  const id = ++metricsAsked;
  return new Promise((resolve) => {
    const timer = setTimeout(() => (w.off('message', onMessage), resolve('')), 1000);
    const onMessage = (m: WorkerThreadMessage) => {
      if (m.type !== 'metrics' || m.id !== id) return;
      clearTimeout(timer);
      w.off('message', onMessage);
      resolve(m.text);
    };
    w.on('message', onMessage);
    w.postMessage({ type: 'metrics', id } satisfies MetricsRequest);
  });
}

/** Lets the worker finish its current batch (pg-boss's graceful stop) and close its connections. */
async function stopWorkerThread(): Promise<void> {
  if (!worker) return;
  const stopped = new Promise<void>((resolve) =>
    worker.on('message', (m: WorkerThreadMessage) => {
      if (m.type === 'stopped') resolve();
    }),
  );
  worker.postMessage('stop');
  await Promise.race([stopped, new Promise((r) => setTimeout(r, 8000))]);
  await worker.terminate();
}
