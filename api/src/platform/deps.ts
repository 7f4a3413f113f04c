// What services are built from; createApp wires one of these per process.
import type { Knex } from 'knex';
import type { Authenticator } from './operations/authentication.js';
import type { Authorizer } from './operations/authorization.js';
import type { PolicyStore } from './operations/policy-store.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { EventBus } from './events/bus.js';
import type { Jobs } from './jobs/queue.js';
import type { Logger } from './logger.js';
import type { Metrics } from './process-metrics.js';
import type { Pipeline } from './operations/pipeline.js';
import type { RateLimiter } from './http/rate-limit.js';

export interface Deps {
  db: Knex;
  config: Config;
  /** platform time: read "now" here, never from Date */
  clock: Clock;
  jobs: Jobs;
  auth: Authenticator;
  /** IAM: the decisions, and the cache of each user's policies (invalidate it after an IAM change commits) */
  authorizer: Authorizer;
  policyStore: PolicyStore;
  events: EventBus;
  log: Logger;
  metrics: Metrics;
  /** the buckets of source addresses that send bad tokens, shared by the API and the event stream */
  addressLimiter: RateLimiter;
  /** every operation, callable in-process as a given user (set once the handlers exist) */
  pipeline: Pipeline;
}

export type JobHandlerFn = (data: any) => Promise<void>;
/** Long jobs (a stack run) want their own worker loops instead of sharing a batch with others. */
export interface WorkerSpec {
  handler: JobHandlerFn;
  loops: number;
}
/** Many jobs of a queue handled together, in one transaction (each must stay idempotent). */
export interface BatchWorkerSpec {
  batch: (items: any[]) => Promise<void>;
}
/** A service's background work: queue name -> handler. */
export type Workers = Record<string, JobHandlerFn | WorkerSpec | BatchWorkerSpec>;
