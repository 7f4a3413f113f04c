// The stack engine: converges a stack's resources on its template (create, update, replace, delete), in
// dependency order with bounded parallelism, rolls back a failed create, and resumes after a crash.
import { withConnection } from '../../platform/db/connection.js';
import { users } from '../../security/users.js';
import type { Deps } from '../../platform/deps.js';
import type { Principal } from '../../platform/operations/principals.js';
import { ResourceCalls, StepError, reasonOf } from './api-calls.js';
import { diffProperties, readDocuments } from './diff.js';
import { evaluate, type EvalContext } from './expressions.js';
import { dependencies, reversed, runGraph, type Graph } from './graph.js';
import type { Json, Model } from './template-model.js';
import { buildModel, parameterValues } from './parse-template.js';
import { StackStore, stacks, type ResourceRow, type StackRow, type StackStatus } from './store.js';

// Resources in flight at once. Each is a create that waits for its resource; many at once share group commits and
// provisioning batches, and still leave the API's connection pool (the waits hold no connection) to other callers.
const PARALLEL = 32;
export const STACK_QUEUE = 'stack-run';
export const IN_PROGRESS = [
  'create_pending',
  'create_in_progress',
  'update_in_progress',
  'rollback_in_progress',
  'delete_in_progress',
];

export class StackEngine {
  private store: StackStore;
  constructor(private deps: Deps) {
    this.store = new StackStore(deps.db);
  }

  /** The job: one run at a time per stack (a session lock), whatever pg-boss or a restart replays. */
  async run(stackId: string): Promise<void> {
    await withConnection(this.deps.db, async (conn) => {
      const { rows } = await conn.query('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [
        `stack:${stackId}`,
      ]);
      if (!rows[0].ok) return;
      try {
        await this.step(stackId);
      } finally {
        await conn.query('select pg_advisory_unlock(hashtextextended($1, 0))', [`stack:${stackId}`]);
      }
    });
  }

  private async step(stackId: string) {
    const stack = await this.deps.db(stacks.table).where({ id: stackId }).first();
    if (!stack || !IN_PROGRESS.includes(stack.status)) return;
    const user = await this.deps.db(users.table).where({ id: stack.owner }).first('is_admin', 'name');
    const principal: Principal = {
      userId: stack.owner,
      isAdmin: Boolean(user?.is_admin),
      tokenId: null,
      name: user?.name,
    };
    const calls = new ResourceCalls(this.deps.pipeline, principal, this.deps.events);
    if (stack.status === 'delete_in_progress') return this.destroy(stack, calls);
    if (stack.status === 'rollback_in_progress') return this.rollback(stack, calls, stack.status_reason);
    if (stack.status === 'create_pending') await this.setStatus(stack, 'create_in_progress');
    try {
      const model = buildModel(stack.template, '/template', stack.parameters);
      const outputs = await this.converge(stack, model, calls);
      await this.setStatus(stack, stack.operation === 'create' ? 'create_complete' : 'update_complete', null, {
        outputs,
      });
    } catch (e) {
      const reason = reasonOf(e);
      if (stack.operation === 'create' && stack.on_failure === 'rollback') {
        await this.setStatus(stack, 'rollback_in_progress', reason);
        return this.rollback(stack, calls, reason);
      }
      await this.setStatus(stack, 'failed', reason);
    }
  }

  /** Brings every resource to what the template says, then deletes what it no longer has. Returns the outputs. */
  private async converge(stack: StackRow, model: Model, calls: ResourceCalls): Promise<Record<string, string>> {
    const params = parameterValues(model, stack.parameters);
    const rows = await this.store.resources(stack.id);
    const attrs = new Map<string, Record<string, Json>>();
    const conditions = new Map<string, boolean>();
    const ctx: EvalContext = {
      param: (n) => params[n] ?? null,
      declared: (n) => n in model.resources,
      resource: (n) => (n in model.resources ? (attrs.get(n) ?? undefined) : undefined),
      condition: (n) => {
        if (!conditions.has(n)) conditions.set(n, evaluate(model.conditions[n] ?? false, ctx) === true);
        return conditions.get(n)!;
      },
    };
    const graph = dependencies(model);
    const active = (id: string) => !model.resources[id]!.condition || ctx.condition(model.resources[id]!.condition!);

    await runGraph(graph, PARALLEL, async (id) => {
      const spec = model.resources[id]!;
      if (!active(id)) return;
      const evaluated = evaluate(spec.properties, ctx) as Record<string, Json>;
      const props = spec.lookup ? evaluated : readDocuments(spec.kind!, evaluated);
      if (spec.lookup) {
        attrs.set(id, await calls.lookup(spec.kind!, props));
        return;
      }
      const base = {
        stack_id: stack.id,
        logical_id: id,
        type: spec.type,
        kind: spec.kind!,
        depends_on: [...graph.get(id)!],
      };
      let row = rows.get(id);
      try {
        if (row?.physical_id) {
          const live = await calls.get(row.kind, row.physical_id);
          if (!live)
            row = undefined; // deleted behind the stack's back: make it again
          else if (row.status === 'create_in_progress') {
            // A crash interrupted the wait: finish it, then compare as usual.
            attrs.set(id, await this.finishCreate(stack, calls, base, row.physical_id, live, row.properties ?? props));
            row = { ...row, status: 'create_complete', properties: row.properties ?? props };
          } else attrs.set(id, live);
        }
        const failed = row?.status === 'create_failed';
        const change = diffProperties(spec.kind!, row?.physical_id ? row.properties : null, props);
        if (!row?.physical_id || failed || change.action === 'replace' || row.kind !== spec.kind) {
          if (row?.physical_id) await this.store.save({ ...base, retired: [...row.retired, row.physical_id] });
          // The key names what is being replaced, so a replacement never replays the create it replaces.
          const key = `stack:${stack.id}:${stack.run}:${id}:${row?.physical_id ?? 'new'}`;
          const why = failed
            ? 'replacing the failed resource'
            : change.action === 'replace'
              ? `replacing: ${change.replaceFields.join(', ')} changed`
              : null;
          await this.store.event(stack.id, {
            logical_id: id,
            type: spec.type,
            status: 'create_in_progress',
            reason: why,
          });
          const created = await calls.create(spec.kind!, props, key);
          await this.store.save({
            ...base,
            physical_id: String(created.id),
            status: 'create_in_progress',
            properties: props,
            attributes: created,
          });
          attrs.set(id, await this.finishCreate(stack, calls, base, String(created.id), created, props));
        } else if (change.action === 'update') {
          await this.store.event(stack.id, {
            logical_id: id,
            type: spec.type,
            physical_id: row.physical_id,
            status: 'update_in_progress',
            reason: `changed: ${change.changed.join(', ')}`,
          });
          const updated = await calls.waitReady(
            spec.kind!,
            await calls.update(spec.kind!, row.physical_id, change.patch),
          );
          await this.store.save(
            { ...base, status: 'update_complete', reason: null, properties: props, attributes: updated },
            { logical_id: id, type: spec.type, physical_id: row.physical_id, status: 'update_complete' },
          );
          attrs.set(id, updated);
        }
      } catch (e) {
        const reason = reasonOf(e);
        const status = row?.physical_id ? 'update_failed' : 'create_failed';
        await this.store.save(
          { ...base, status, reason },
          { logical_id: id, type: spec.type, physical_id: row?.physical_id ?? null, status, reason },
        );
        throw new StepError(`${id}: ${reason}`);
      }
    });

    // Resources the template dropped (or a condition now excludes), then those replaced: newest dependents first.
    const current = await this.store.resources(stack.id);
    const gone = [...current.values()].filter((r) => !(r.logical_id in model.resources) || !active(r.logical_id));
    await this.deleteRows(stack, calls, gone);
    // Replaced resources go after everything new is in place, dependents' old copies first.
    const g: Graph = new Map(
      [...current.values()].map((r) => [r.logical_id, new Set(r.depends_on.filter((d) => current.has(d)))]),
    );
    await runGraph(reversed(g), PARALLEL, async (id) => {
      const r = current.get(id)!;
      if (!r.retired.length) return;
      for (const old of r.retired) await calls.remove(r.kind, old);
      await this.store.save({ stack_id: stack.id, logical_id: id, retired: [] });
    });
    const outputs: Record<string, string> = {};
    for (const [name, o] of Object.entries(model.outputs)) {
      if (o.condition && !ctx.condition(o.condition)) continue;
      const v = evaluate(o.value, ctx);
      outputs[name] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return outputs;
  }

  private async finishCreate(
    stack: StackRow,
    calls: ResourceCalls,
    base: Omit<ResourceRow, 'physical_id' | 'status' | 'reason' | 'properties' | 'attributes' | 'retired'>,
    id: string,
    first: Record<string, Json>,
    props: Record<string, Json>,
  ) {
    const ready = await calls.waitReady(base.kind, first);
    await this.store.save(
      { ...base, physical_id: id, status: 'create_complete', reason: null, properties: props, attributes: ready },
      { logical_id: base.logical_id, type: base.type, physical_id: id, status: 'create_complete' },
    );
    return ready;
  }

  /** Deletes rows' resources so that nothing is deleted before what depends on it. */
  private async deleteRows(stack: StackRow, calls: ResourceCalls, rows: ResourceRow[]) {
    const byId = new Map(rows.map((r) => [r.logical_id, r]));
    const g: Graph = new Map(rows.map((r) => [r.logical_id, new Set(r.depends_on.filter((d) => byId.has(d)))]));
    await runGraph(reversed(g), PARALLEL, async (id) => {
      const r = byId.get(id)!;
      if (r.physical_id) {
        await this.store.event(stack.id, {
          logical_id: id,
          type: r.type,
          physical_id: r.physical_id,
          status: 'delete_in_progress',
        });
        try {
          await calls.remove(r.kind, r.physical_id);
          for (const old of r.retired) await calls.remove(r.kind, old);
        } catch (e) {
          await this.store.event(stack.id, {
            logical_id: id,
            type: r.type,
            physical_id: r.physical_id,
            status: 'delete_failed',
            reason: reasonOf(e),
          });
          throw new StepError(`${id}: ${reasonOf(e)}`);
        }
      }
      await this.store.drop(
        stack.id,
        id,
        r.physical_id
          ? { logical_id: id, type: r.type, physical_id: r.physical_id, status: 'delete_complete' }
          : undefined,
      );
    });
  }

  private async rollback(stack: StackRow, calls: ResourceCalls, reason: string) {
    try {
      await this.deleteRows(stack, calls, [...(await this.store.resources(stack.id)).values()]);
      await this.setStatus(stack, 'rollback_complete', reason);
    } catch (e) {
      await this.setStatus(stack, 'failed', `rollback failed: ${reasonOf(e)} (after: ${reason})`);
    }
  }

  private async destroy(stack: StackRow, calls: ResourceCalls) {
    try {
      await this.deleteRows(stack, calls, [...(await this.store.resources(stack.id)).values()]);
    } catch (e) {
      await this.setStatus(stack, 'failed', `delete failed: ${reasonOf(e)}`);
      return;
    }
    await this.deps.db.transaction(async (trx) => {
      await stacks.remove(trx, stack);
    });
  }

  private async setStatus(
    stack: StackRow,
    status: StackStatus,
    reason?: string | null,
    extra: Record<string, unknown> = {},
  ) {
    const current = await this.deps.db(stacks.table).where({ id: stack.id }).first();
    const next = await stacks.update(this.deps.db, current, {
      status,
      ...(reason !== undefined ? { status_reason: reason } : {}),
      ...extra,
    });
    Object.assign(stack, next);
    await this.store.event(stack.id, {
      logical_id: stack.name,
      type: 'Atonix::Automation::Stack',
      physical_id: stack.id,
      status,
      reason: reason ?? null,
    });
  }
}
