// The stack endpoints: thin handlers over the template reader, the preview and the engine's job.
import type { Knex } from 'knex';
import { getHandler, listHandler } from '../../platform/resources/crud.js';
import type { Deps, Workers } from '../../platform/deps.js';
import type { OpContext } from '../../platform/operations/context.js';
import { defineKind, type KindHandlers, type Unfinished } from '../../platform/manifest.js';
import { problems } from '../../platform/problems.js';
import { checkIfMatch, type Row } from '../../platform/resources/repo.js';
import { templateVersion } from '../templates.js';
import { ResourceCalls } from './api-calls.js';
import { IN_PROGRESS, STACK_QUEUE, StackEngine } from './engine.js';
import { preview } from './preview.js';
import { stable } from './diff.js';
import { StackStore, eventPage, stacks } from './store.js';
import { buildModel, readTemplate } from './parse-template.js';

/** The template a request names (inline object or text, or a stored template), validated with its parameters. */
async function resolveTemplate(ctx: OpContext, body: Row, params: Record<string, string>) {
  const src = body.template_id
    ? {
        ...(await templateVersion(ctx.db, ctx.principal, body.template_id, body.template_version)),
        base: '/template_id',
      }
    : readTemplate(body);
  const model = buildModel(src.doc, src.base, params);
  return {
    doc: src.doc,
    body: src.body,
    model,
    templateId: body.template_id ?? null,
    templateVersion: (src as { version?: number }).version ?? null,
  };
}

function notInProgress(row: Row, action: string) {
  if (IN_PROGRESS.includes(row.status)) {
    throw problems.invalidTransition('stack', row.id, action, row.status, [
      'create_complete',
      'update_complete',
      'rollback_complete',
      'failed',
    ]);
  }
}

function stackHandlers(deps: Deps): KindHandlers<'stack'> {
  const { jobs } = deps;
  const store = new StackStore(deps.db);
  const start = async (ctx: OpContext, row: Row) => {
    await jobs.send(ctx.db, STACK_QUEUE, { id: row.id });
    ctx.afterCommit(() => jobs.nudge(STACK_QUEUE));
  };
  /** A run that begins with the stack's own event (its first status), in the request's transaction. */
  const startWithEvent = async (ctx: OpContext, row: Row, status: string) => {
    await new StackStore(ctx.db as Knex).event(row.id, {
      logical_id: row.name,
      type: 'Atonix::Automation::Stack',
      physical_id: row.id,
      status,
    });
    await start(ctx, row);
  };

  return {
    listStacks: listHandler(stacks, ['status', 'name']),
    getStack: getHandler(stacks),

    async createStack(ctx) {
      const params = ctx.body.parameters ?? {};
      const t = await resolveTemplate(ctx, ctx.body, params);
      const row = await stacks.insert(ctx.db, {
        name: ctx.body.name,
        owner: ctx.principal.userId,
        template: t.doc,
        template_body: t.body,
        template_id: t.templateId,
        template_version: t.templateVersion,
        parameters: params,
        on_failure: ctx.body.on_failure ?? 'rollback',
        status: 'create_pending',
        operation: 'create',
        run: 1,
        outputs: {},
      });
      await startWithEvent(ctx, row, 'create_pending');
      ctx.audit = { resource_type: 'stack', resource_id: row.id };
      return { status: 202, body: stacks.present(row), headers: { Location: stacks.location(row.id) } };
    },

    async updateStack(ctx) {
      const row = await stacks.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      ctx.audit = { resource_type: 'stack', resource_id: row.id };
      const b = ctx.body;
      const changes: Row = {};
      if (b.name !== undefined && b.name !== row.name) changes.name = b.name;
      if (b.on_failure !== undefined && b.on_failure !== null) changes.on_failure = b.on_failure;
      const newTemplate = b.template !== undefined || b.template_body !== undefined || b.template_id !== undefined;
      const params = b.parameters === undefined ? row.parameters : (b.parameters ?? {});
      if (newTemplate || b.parameters !== undefined) {
        notInProgress(row, 'update');
        const t = newTemplate
          ? await resolveTemplate(ctx, b, params)
          : {
              doc: row.template,
              body: row.template_body,
              model: buildModel(row.template, '/template', params),
              templateId: row.template_id,
              templateVersion: row.template_version,
            };
        const same = stable(t.doc) === stable(row.template) && stable(params) === stable(row.parameters);
        if (!same || row.status === 'failed' || row.status === 'rollback_complete') {
          Object.assign(changes, {
            template: t.doc,
            template_body: t.body,
            template_id: t.templateId,
            template_version: t.templateVersion,
            parameters: params,
            status: 'update_in_progress',
            status_reason: null,
            operation: 'update',
            run: row.run + 1,
          });
        }
      }
      const updated = await stacks.update(ctx.db, row, changes);
      if (changes.status) {
        await startWithEvent(ctx, updated, 'update_in_progress');
        return { status: 202, body: stacks.present(updated) };
      }
      return { status: 200, body: stacks.present(updated) };
    },

    async deleteStack(ctx) {
      const row = await stacks.get(ctx.db, ctx.principal, ctx.params.id, true);
      checkIfMatch(ctx.ifMatch, row);
      if (row.status !== 'delete_in_progress') notInProgress(row, 'delete');
      const updated = await stacks.update(ctx.db, row, {
        status: 'delete_in_progress',
        status_reason: null,
        operation: 'delete',
        run: row.run + 1,
      });
      await start(ctx, updated);
      ctx.audit = { resource_type: 'stack', resource_id: row.id };
      return { status: 202, body: stacks.present(updated) };
    },

    async retryStack(ctx) {
      const row = await stacks.get(ctx.db, ctx.principal, ctx.params.id, true);
      if (!['failed', 'rollback_complete'].includes(row.status)) {
        throw problems.invalidTransition('stack', row.id, 'retry', row.status, ['failed', 'rollback_complete']);
      }
      const status =
        row.operation === 'delete'
          ? 'delete_in_progress'
          : row.operation === 'create'
            ? 'create_in_progress'
            : 'update_in_progress';
      const updated = await stacks.update(ctx.db, row, { status, status_reason: null, run: row.run + 1 });
      await start(ctx, updated);
      ctx.audit = { resource_type: 'stack', resource_id: row.id };
      return { status: 202, body: stacks.present(updated) };
    },

    async previewNewStack(ctx) {
      const t = await resolveTemplate(ctx, ctx.body, ctx.body.parameters ?? {});
      return {
        status: 200,
        body: {
          changes: await preview(
            t.model,
            ctx.body.parameters ?? {},
            new Map(),
            new ResourceCalls(deps.pipeline, ctx.principal, deps.events),
          ),
        },
      };
    },

    async previewStackUpdate(ctx) {
      const row = await stacks.get(ctx.db, ctx.principal, ctx.params.id);
      const b = ctx.body;
      const params = b.parameters ?? row.parameters;
      const newTemplate = b.template !== undefined || b.template_body !== undefined || b.template_id !== undefined;
      const model = newTemplate
        ? (await resolveTemplate(ctx, b, params)).model
        : buildModel(row.template, '/template', params);
      return {
        status: 200,
        body: {
          changes: await preview(
            model,
            params,
            await store.resources(row.id),
            new ResourceCalls(deps.pipeline, ctx.principal, deps.events),
          ),
        },
      };
    },

    async listStackEvents(ctx) {
      await stacks.get(ctx.db, ctx.principal, ctx.params.id);
      const { rows, next_cursor } = await eventPage(ctx.db, ctx.params.id, ctx.query.limit, ctx.query.cursor);
      return {
        status: 200,
        body: {
          items: rows.map(({ seq: _s, timestamp, ...e }: Row) => ({ ...e, timestamp: timestamp.toISOString() })),
          next_cursor,
        },
      };
    },

    async listStackResources(ctx) {
      await stacks.get(ctx.db, ctx.principal, ctx.params.id);
      const rows = [...(await store.resources(ctx.params.id)).values()].sort((a, b) =>
        a.logical_id.localeCompare(b.logical_id),
      );
      return {
        status: 200,
        body: {
          items: rows.map((r) => ({
            logical_id: r.logical_id,
            type: r.type,
            kind: r.kind,
            physical_id: r.physical_id,
            status: r.status,
            reason: r.reason,
            updated_at: new Date((r as any).updated_at).toISOString(),
          })),
        },
      };
    },
  };
}

function stackWorkers(deps: Deps): Workers {
  const engine = new StackEngine(deps);
  // A run lasts as long as its slowest resource: each gets a loop of its own, four stacks at a time per process.
  return { [STACK_QUEUE]: { handler: ({ id }: { id: string }) => engine.run(id), loops: 4 } };
}

async function unfinishedStacks(db: Knex): Promise<Unfinished[]> {
  return (await db(stacks.table).whereIn('status', IN_PROGRESS).select('id')).map((r: { id: string }) => ({
    queue: STACK_QUEUE,
    id: r.id,
  }));
}

export const stackKind = defineKind('stack', {
  handlers: stackHandlers,
  workers: stackWorkers,
  recover: unfinishedStacks,
});
