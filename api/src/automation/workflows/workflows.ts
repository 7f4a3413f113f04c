// Workflows: definitions with immutable numbered versions (a new definition by PATCH or POST .../versions is a new
// version; executions keep the version they started with), executions, and the runner that advances them.
import { isDeepStrictEqual } from 'node:util';
import type { Deps } from '../../platform/deps.js';
import { defineKind, type KindHandlers } from '../../platform/manifest.js';
import type { OpContext } from '../../platform/operations/context.js';
import { problems } from '../../platform/problems.js';
import { deleteHandler, getHandler, listHandler } from '../../platform/resources/crud.js';
import { checkIfMatch, mergePatch } from '../../platform/resources/repo.js';
import { readDefinition } from './definitions.js';
import { executionHandlers } from './executions.js';
import { startRunner } from './runner.js';
import { EXECUTIONS, versions } from './store.js';
import { workflows, type WorkflowRow } from './workflow-repo.js';

const presentVersion = (v: { workflow_id: string; version: number; definition: unknown; created_at: Date }) => ({
  workflow_id: v.workflow_id,
  version: v.version,
  definition: v.definition,
  created_at: new Date(v.created_at).toISOString(),
});

function workflowHandlers(deps: Deps): KindHandlers<'workflow'> {
  /** Stores `definition` as the workflow's next version (unless it is the latest one already). */
  async function addVersion(ctx: OpContext, row: WorkflowRow, definition: Record<string, unknown>) {
    const updated = await workflows.update(ctx.db, row, {
      definition,
      latest_version: row.latest_version + 1,
    } as Partial<WorkflowRow>);
    const [v] = await versions.add(ctx.db, row.id, updated.latest_version, definition as never);
    return { updated, v };
  }

  return {
    listWorkflows: listHandler(workflows, ['name']),
    getWorkflow: getHandler(workflows),
    deleteWorkflow: deleteHandler(workflows, [], async (ctx, row) => {
      const running = await ctx.db(EXECUTIONS).where({ workflow_id: row.id, status: 'running' }).pluck('id');
      if (running.length)
        throw problems.inUse(
          'workflow',
          row.id,
          running.slice(0, 10).map((id: string) => ({ kind: 'workflow_execution', id })),
        );
    }),
    async createWorkflow(ctx) {
      const definition = readDefinition(deps, ctx.body.definition);
      const row = await workflows.insert(ctx.db, {
        name: ctx.body.name,
        description: ctx.body.description ?? '',
        definition,
        latest_version: 1,
        owner: ctx.principal.userId,
      } as Partial<WorkflowRow>);
      await versions.add(ctx.db, row.id, 1, definition);
      ctx.audit = { resource_type: 'workflow', resource_id: row.id };
      return {
        status: 201,
        body: workflows.present(row),
        headers: { Location: workflows.location(row.id), ETag: `"r${row.rev}"` },
      };
    },
    async updateWorkflow(ctx) {
      const row = await workflows.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      const changes = mergePatch(workflows.meta, ctx.body, workflows.present(row)) as Partial<WorkflowRow>;
      const { definition, ...rest } = changes;
      let updated = Object.keys(rest).length ? await workflows.update(ctx.db, row, rest) : row;
      if (definition !== undefined) {
        const doc = readDefinition(deps, definition);
        if (!isDeepStrictEqual(doc, row.definition)) updated = (await addVersion(ctx, updated, doc)).updated;
      }
      ctx.audit = { resource_type: 'workflow', resource_id: row.id, details: { changed: Object.keys(changes) } };
      return { status: 200, body: workflows.present(updated), headers: { ETag: `"r${updated.rev}"` } };
    },
    async createWorkflowVersion(ctx) {
      const row = await workflows.get(ctx.db, ctx.principal, ctx.params.id, true);
      const { v } = await addVersion(ctx, row, readDefinition(deps, ctx.body.definition));
      ctx.audit = { resource_type: 'workflow', resource_id: row.id, details: { version: v.version } };
      return { status: 201, body: presentVersion(v) };
    },
    async listWorkflowVersions(ctx) {
      const row = await workflows.get(ctx.db, ctx.principal, ctx.params.id);
      const { rows, next_cursor } = await versions.page(ctx.db, row.id, ctx.query.limit, ctx.query.cursor);
      return { status: 200, body: { items: rows.map(presentVersion), next_cursor } };
    },
    async getWorkflowVersion(ctx) {
      const row = await workflows.get(ctx.db, ctx.principal, ctx.params.id);
      const v = await versions.get(ctx.db, row.id, ctx.params.version);
      if (!v) throw problems.notFound('workflow version', `${row.id}@${ctx.params.version}`);
      return { status: 200, body: presentVersion(v) };
    },
    ...executionHandlers(deps),
  };
}

export const workflowKind = defineKind('workflow', {
  handlers: workflowHandlers,
  serve: startRunner,
});
