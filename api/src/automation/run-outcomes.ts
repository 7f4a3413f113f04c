// How a scheduled run's attempt ended, and the writer that records outcomes: what a call answered becomes the run's
// status (retrying while retries allow), and outcomes that come in while one write is in flight go together in the
// next statement, so a sweep of many runs records them in a few statements instead of one each.
import type { Knex } from 'knex';
import type { Result } from '../platform/operations/context.js';
import { problemOf } from './acting-as.js';

const RUNS = 'scheduled_task_runs';
/** Outcomes per statement at most (8 parameters each, well under PostgreSQL's 65,535). */
const MAX_BATCH = 500;

export type CallOutcome = 'timeout' | { ok: true; r: Result } | { ok: false; e: unknown };

export interface RunOutcome {
  id: string;
  attempt: number;
  status: string;
  ended_at: Date;
  retry_at: Date | null;
  response_status: number | null;
  /** JSON text, or null */
  response_body: string | null;
  /** JSON text, or null */
  problem: string | null;
}

/**
 * The run's record of one attempt. Every field is set: a retry that succeeds must not keep the problem of the attempt
 * before. Retried: a timeout, a 5xx, 409 (a conflict that may pass, a key in flight) and 429, while retries allow.
 */
export function outcomeOf(
  run: { id: string; attempt: number },
  task: { retries: number; retry_backoff_seconds: number; timeout_seconds: number },
  outcome: CallOutcome,
  ended: number,
): RunOutcome {
  let status: string;
  let retryable: boolean;
  let record: Pick<RunOutcome, 'response_status' | 'response_body' | 'problem'>;
  if (outcome === 'timeout') {
    status = 'timed_out';
    retryable = true;
    const p = { title: 'Timed out', detail: `the call did not answer within ${task.timeout_seconds} seconds` };
    record = { response_status: null, response_body: null, problem: JSON.stringify(p) };
  } else if (outcome.ok) {
    status = outcome.r.status < 400 ? 'succeeded' : 'failed';
    retryable = outcome.r.status >= 500;
    const body = outcome.r.stream ? null : (outcome.r.body ?? null);
    record = {
      response_status: outcome.r.status,
      response_body: body === null ? null : JSON.stringify(body),
      problem: null,
    };
  } else {
    const p = problemOf(outcome.e);
    const code = p.status as number;
    status = 'failed';
    retryable = code >= 500 || code === 409 || code === 429;
    record = { response_status: code, response_body: null, problem: JSON.stringify(p) };
  }
  const retry = status !== 'succeeded' && retryable && run.attempt <= task.retries;
  return {
    id: run.id,
    attempt: run.attempt,
    ...record,
    status: retry ? 'retrying' : status,
    ended_at: new Date(ended),
    retry_at: retry ? new Date(ended + task.retry_backoff_seconds * 1000 * 2 ** (run.attempt - 1)) : null,
  };
}

/** Writes outcomes; resolves once the outcome given is stored. */
export function outcomeWriter(db: Knex): (o: RunOutcome) => Promise<void> {
  const queue: { o: RunOutcome; done(): void; fail(e: unknown): void }[] = [];
  let writing = false;
  async function flush() {
    writing = true;
    while (queue.length) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        await write(
          db,
          batch.map((b) => b.o),
        );
        for (const b of batch) b.done();
      } catch (e) {
        for (const b of batch) b.fail(e);
      }
    }
    writing = false;
  }
  return (o) =>
    new Promise<void>((done, fail) => {
      queue.push({ o, done, fail });
      if (!writing) void flush();
    });
}

/** One statement for all; a run given up as abandoned meanwhile (a clock moved far past it) keeps that outcome. */
async function write(db: Knex, outcomes: RunOutcome[]): Promise<void> {
  const row = '(?::text, ?::int, ?::text, ?::timestamptz, ?::timestamptz, ?::int, ?::jsonb, ?::jsonb)';
  await db.raw(
    `update ${RUNS} r set status = v.status, ended_at = v.ended_at, retry_at = v.retry_at,
            response_status = v.response_status, response_body = v.response_body, problem = v.problem
       from (values ${outcomes.map(() => row).join(', ')})
            as v(id, attempt, status, ended_at, retry_at, response_status, response_body, problem)
      where r.id = v.id and r.status = 'running' and r.attempt = v.attempt`,
    outcomes.flatMap((o) => [
      o.id,
      o.attempt,
      o.status,
      o.ended_at,
      o.retry_at,
      o.response_status,
      o.response_body,
      o.problem,
    ]),
  );
}
