// The execution operations of a workflow: start (with an input, at a version), list, get, cancel, redrive, history.
// Each writes its row and its history event in the request's transaction; the runner is kicked once it commits.
import type { Deps } from '../../platform/deps.js';
import type { OpContext, Result } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { newId } from '../../platform/resources/ids.js';
import { page } from '../../platform/resources/pagination.js';
import { runnerOf } from './runner.js';
import {
  EXECUTIONS,
  appendEvent,
  forgetFailedSteps,
  historyPage,
  presentExecution,
  versions,
  type ExecutionRow,
} from './store.js';
import { workflows } from './workflow-repo.js';

const REDRIVABLE = ['failed', 'timed_out', 'aborted'];

async function executionOf(ctx: OpContext, lock = false): Promise<ExecutionRow> {
  const wf = await workflows.get(ctx.db, ctx.principal, ctx.params.id);
  const q = ctx.db(EXECUTIONS).where({ id: ctx.params.execution_id, workflow_id: wf.id });
  const row: ExecutionRow | undefined = await (lock ? q.forUpdate() : q).first();
  if (!row) throw problems.notFound('workflow execution', ctx.params.execution_id);
  return row;
}

const answer = (row: ExecutionRow, status = 200): Result => ({ status, body: presentExecution(row) });

export function executionHandlers(deps: Deps) {
  const { clock } = deps;
  const kick = (ctx: OpContext, id: string) => ctx.afterCommit(() => void runnerOf(deps)?.kick(id));

  return {
    async startWorkflowExecution(ctx: OpContext): Promise<Result> {
      const wf = await workflows.get(ctx.db, ctx.principal, ctx.params.id);
      const body = ctx.body ?? {};
      const version = body.version ?? wf.latest_version;
      if (!(await versions.get(ctx.db, wf.id, version))) throw problems.referenceNotFound('version', version);
      const now = clock.now();
      const input = body.input === undefined ? {} : body.input;
      const [row] = await ctx
        .db(EXECUTIONS)
        .insert({
          id: newId('exe'),
          workflow_id: wf.id,
          version,
          owner: wf.owner,
          status: 'running',
          input: JSON.stringify(input),
          started_at: new Date(now),
          wake_at: new Date(now),
        })
        .returning('*');
      await appendEvent(ctx.db, row.id, { type: 'ExecutionStarted', details: { input, version } }, now);
      ctx.audit = { resource_type: 'workflow', resource_id: wf.id, details: { action: 'start', execution: row.id } };
      kick(ctx, row.id);
      const r = answer(row, 201);
      return { ...r, headers: { Location: `${workflows.location(wf.id)}/executions/${row.id}` } };
    },

    async listWorkflowExecutions(ctx: OpContext): Promise<Result> {
      const wf = await workflows.get(ctx.db, ctx.principal, ctx.params.id);
      const q = ctx.db(EXECUTIONS).where({ workflow_id: wf.id }).select('*');
      if (ctx.query.status) q.where('status', ctx.query.status);
      const { rows, next_cursor } = await page<ExecutionRow>(q, ctx.query.limit, ctx.query.cursor);
      return { status: 200, body: { items: rows.map(presentExecution), next_cursor } };
    },

    async getWorkflowExecution(ctx: OpContext): Promise<Result> {
      return answer(await executionOf(ctx));
    },

    async getWorkflowExecutionHistory(ctx: OpContext): Promise<Result> {
      const row = await executionOf(ctx);
      return { status: 200, body: await historyPage(ctx.db, row.id, ctx.query.limit, ctx.query.cursor) };
    },

    // No step starts after this commits: the runner checks before each task call and ends no aborted execution.
    async cancelWorkflowExecution(ctx: OpContext): Promise<Result> {
      const row = await executionOf(ctx, true);
      if (row.status !== 'running')
        throw problems.invalidTransition('workflow execution', row.id, 'cancel', row.status, ['running']);
      const now = clock.now();
      const cause = `cancelled by ${ctx.principal.name ?? ctx.principal.userId}`;
      const [updated] = await ctx
        .db(EXECUTIONS)
        .where({ id: row.id })
        .update({ status: 'aborted', error: 'States.Aborted', cause, ended_at: new Date(now), wake_at: null })
        .returning('*');
      await appendEvent(ctx.db, row.id, { type: 'ExecutionAborted', details: { cause } }, now);
      ctx.audit = {
        resource_type: 'workflow',
        resource_id: row.workflow_id,
        details: { action: 'cancel', execution: row.id },
      };
      return answer(updated);
    },

    // The states that failed run again (their Retry counts from zero); what succeeded is replayed, not repeated.
    async redriveWorkflowExecution(ctx: OpContext): Promise<Result> {
      const row = await executionOf(ctx, true);
      if (!REDRIVABLE.includes(row.status))
        throw problems.invalidTransition('workflow execution', row.id, 'redrive', row.status, REDRIVABLE);
      const now = clock.now();
      await forgetFailedSteps(ctx.db, row.id);
      const [updated] = await ctx
        .db(EXECUTIONS)
        .where({ id: row.id })
        .update({
          status: 'running',
          error: null,
          cause: null,
          output: null,
          ended_at: null,
          redriven_at: new Date(now),
          redrive_count: row.redrive_count + 1,
          wake_at: new Date(now),
        })
        .returning('*');
      await appendEvent(
        ctx.db,
        row.id,
        { type: 'ExecutionRedriven', details: { redrive_count: updated.redrive_count } },
        now,
      );
      ctx.audit = {
        resource_type: 'workflow',
        resource_id: row.workflow_id,
        details: { action: 'redrive', execution: row.id },
      };
      kick(ctx, row.id);
      return answer(updated);
    },
  };
}
