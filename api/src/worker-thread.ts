// The background worker of a `role=all` process, on its own thread: job batches (placement, provisioning, stacks)
// then run beside the HTTP event loop instead of inside it, so one process uses both of a small machine's cores.
// It is a `role=worker` platform on the same database; its job metrics are reported to the main thread's /metrics.
import { parentPort, workerData } from 'node:worker_threads';
import { bootPlatform } from './platform/boot.js';
import { loadConfig } from './platform/config.js';
import { createLogger } from './platform/logger.js';

export interface WorkerThreadData {
  databaseUrl: string;
  env: Record<string, string | undefined>;
}
export type WorkerThreadMessage =
  { type: 'ready' } | { type: 'jobs'; labels: { queue: string; state: string }; n: number } | { type: 'stopped' };

const { databaseUrl, env } = workerData as WorkerThreadData;
const config = loadConfig({ ...env, ATONIX_ROLE: 'worker' });
const log = createLogger(config.logLevel).child({ thread: 'worker' });
const port = parentPort!;
const platform = await bootPlatform(config, databaseUrl, log);

const inc = platform.metrics.jobs.inc.bind(platform.metrics.jobs);
platform.metrics.jobs.inc = ((labels: { queue: string; state: string }, n?: number) => {
  inc(labels, n ?? 1);
  port.postMessage({ type: 'jobs', labels, n: n ?? 1 } satisfies WorkerThreadMessage);
}) as typeof platform.metrics.jobs.inc;

port.on('message', (msg: string) => {
  if (msg !== 'stop') return;
  void platform.stop().finally(() => port.postMessage({ type: 'stopped' } satisfies WorkerThreadMessage));
});
port.postMessage({ type: 'ready' } satisfies WorkerThreadMessage);
