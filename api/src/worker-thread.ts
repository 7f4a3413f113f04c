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
  | { type: 'ready' }
  | { type: 'jobs'; labels: { queue: string; state: string }; n: number }
  | { type: 'stopped' }
  | { type: 'metrics'; id: number; text: string };
/** The main thread asks for the figures only this thread has (the load balancers' data plane runs here). */
export type MetricsRequest = { type: 'metrics'; id: number };
const THREAD_METRICS = /^atonix_lb_/;

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

port.on('message', (msg: string | MetricsRequest) => {
  if (typeof msg === 'object' && msg.type === 'metrics') {
    const mine = platform.metrics.registry.getMetricsAsArray().filter((m) => THREAD_METRICS.test(m.name));
    void Promise.all(mine.map((m) => platform.metrics.registry.getSingleMetricAsString(m.name))).then((parts) =>
      port.postMessage({
        type: 'metrics',
        id: msg.id,
        text: parts.map((p) => `${p}\n`).join(''),
      } satisfies WorkerThreadMessage),
    );
    return;
  }
  if (msg !== 'stop') return;
  void platform.stop().finally(() => port.postMessage({ type: 'stopped' } satisfies WorkerThreadMessage));
});
port.postMessage({ type: 'ready' } satisfies WorkerThreadMessage);
