// Data access of workflow versions, executions, their steps and their history (only this file names those tables).
import type { Knex } from 'knex';
import { inTransaction } from '../../platform/resources/row-cache.js';
import { decodeCursor, encodeCursor, page } from '../../platform/resources/pagination.js';
import type { HistoryEvent, Journal, Step } from './journal.js';
import type { Json } from './paths.js';

type Db = Knex | Knex.Transaction;
const VERSIONS = 'workflow_versions';
export const EXECUTIONS = 'workflow_executions';
const STEPS = 'workflow_steps';
const EVENTS = 'workflow_events';

export interface ExecutionRow {
  seq: number;
  id: string;
  workflow_id: string;
  version: number;
  owner: string;
  status: 'running' | 'succeeded' | 'failed' | 'timed_out' | 'aborted';
  input: Json;
  output: Json;
  error: string | null;
  cause: string | null;
  redrive_count: number;
  started_at: Date;
  redriven_at: Date | null;
  ended_at: Date | null;
  wake_at: Date | null;
}

const json = (v: Json | undefined) => (v === undefined ? null : JSON.stringify(v));
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export const presentExecution = (r: ExecutionRow) => ({
  id: r.id,
  workflow_id: r.workflow_id,
  version: r.version,
  status: r.status,
  input: r.input,
  ...(r.status === 'succeeded' ? { output: r.output } : {}),
  error: r.error,
  cause: r.cause,
  redrive_count: r.redrive_count,
  started_at: iso(r.started_at)!,
  ended_at: iso(r.ended_at),
  owner: r.owner,
});

export const versions = {
  get: (db: Db, workflowId: string, version: number) =>
    db(VERSIONS).where({ workflow_id: workflowId, version }).first() as Promise<
      { workflow_id: string; version: number; definition: Json; created_at: Date; seq: number } | undefined
    >,
  add: (db: Db, workflowId: string, version: number, definition: Json) =>
    db(VERSIONS)
      .insert({ workflow_id: workflowId, version, definition: json(definition) })
      .returning('*'),
  page: (db: Db, workflowId: string, limit?: number, cursor?: string) =>
    page<any>(db(VERSIONS).where({ workflow_id: workflowId }).select('*'), limit, cursor),
};

/** One history event, at platform time `at`. */
export const appendEvent = (db: Db, executionId: string, ev: HistoryEvent, at: number) =>
  db(EVENTS).insert({
    execution_id: executionId,
    type: ev.type,
    state: ev.state ?? null,
    path: ev.path ?? null,
    details: JSON.stringify(ev.details ?? {}),
    at: new Date(at),
  });

/** The history oldest first; `id` is the event's position in it (from 1). */
export async function historyPage(db: Db, executionId: string, limit = 50, cursor?: string) {
  const after = decodeCursor(cursor) ?? 0;
  const rows = await db
    .from(
      db(EVENTS)
        .where({ execution_id: executionId })
        .select('*', db.raw('row_number() over (order by seq) as n'))
        .as('h'),
    )
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit + 1);
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return {
    items: rows.map((r: any) => ({
      id: Number(r.n),
      type: r.type,
      state: r.state,
      path: r.path,
      details: r.details,
      timestamp: new Date(r.at).toISOString(),
    })),
    next_cursor: more ? encodeCursor(Number(rows[rows.length - 1].seq)) : null,
  };
}

/** The journal of one execution: its steps loaded once per pass, each write going to the database with its event. */
export async function loadJournal(db: Knex, executionId: string, now: () => number): Promise<Journal> {
  const rows = await db(STEPS).where({ execution_id: executionId });
  const steps = new Map<string, Step>(
    rows.map((r: any) => [
      r.key,
      {
        key: r.key,
        status: r.status,
        output: r.output,
        error: r.error,
        cause: r.cause,
        wakeAt: r.wake_at ? new Date(r.wake_at).getTime() : null,
      },
    ]),
  );
  return {
    get: (key) => steps.get(key),
    async put(step, event) {
      const row = {
        execution_id: executionId,
        key: step.key,
        status: step.status,
        output: json(step.output),
        error: step.error ?? null,
        cause: step.cause ?? null,
        wake_at: step.wakeAt != null ? new Date(step.wakeAt) : null,
      };
      await inTransaction(db, async (trx) => {
        await trx(STEPS).insert(row).onConflict(['execution_id', 'key']).merge();
        if (event) await appendEvent(trx, executionId, event, now());
      });
      steps.set(step.key, step);
    },
  };
}

/**
 * A redrive's fresh start: the steps that failed (and the retry waits after them) are forgotten, so those states run
 * again with their Retry counts from zero; what succeeded stays done and is not repeated.
 */
export const forgetFailedSteps = (db: Db, executionId: string) =>
  db(STEPS)
    .where({ execution_id: executionId })
    .where((q) => q.where('status', 'failed').orWhere('key', 'like', '%/retry'))
    .delete();
