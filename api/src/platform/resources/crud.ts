// The handlers that are the same for every kind (list, get, patch) and the in-use check behind 409s.
import type { Knex } from 'knex';
import { registry, type Kind } from '../../generated/registry.js';
import type { Creation, GenericHandler, OpContext } from '../operations/context.js';
import type { JobSpec } from '../jobs/queue.js';
import { problems } from '../problems.js';
import {
  ResourceRepo,
  checkIfMatch,
  type AnyRepo,
  mergePatch,
  withDefaults,
  type Row,
  type StoredRow,
} from './repo.js';

/** Lists with `limit`/`cursor` and equality filters on the named query parameters. */
export function listHandler(
  repo: AnyRepo,
  filters: string[],
  fixed?: (ctx: OpContext) => Record<string, unknown>,
): GenericHandler {
  return async (ctx: OpContext) => {
    const where: Record<string, unknown> = fixed?.(ctx) ?? {};
    for (const f of filters) if (ctx.query[f] !== undefined) where[f] = ctx.query[f];
    return { status: 200, body: await repo.list(ctx.db, ctx.principal, where, ctx.query.limit, ctx.query.cursor) };
  };
}

export function getHandler(repo: AnyRepo): GenericHandler {
  return async (ctx: OpContext) => ({
    status: 200,
    body: repo.present(await repo.get(ctx.db, ctx.principal, ctx.params.id)),
  });
}

/**
 * PATCH as a JSON merge patch under a row lock and If-Match. `apply` lets a service act on the changes
 * (for example a power-state change) before they are written.
 */
export function patchHandler(
  repo: AnyRepo,
  apply?: (ctx: OpContext, row: Row, changes: Row) => Promise<Row | void>,
): GenericHandler {
  return async (ctx: OpContext) => {
    const row = await repo.get(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    let changes = mergePatch(repo.meta, ctx.body, repo.present(row));
    if (apply) changes = (await apply(ctx, row, changes)) ?? changes;
    const updated = await repo.update(ctx.db, row, changes);
    ctx.audit = { resource_type: repo.meta.kind, resource_id: row.id, details: { changed: Object.keys(changes) } };
    return { status: 200, body: repo.present(updated) };
  };
}

/** Up to ten resources of `kind` matching `where`, as `{kind, id}` for a 409 that names what blocks a delete. */
export async function blockers(db: Knex | Knex.Transaction, kind: Kind, where: Record<string, unknown>) {
  const rows = await db(registry[kind].table).where(where).orderBy('seq').limit(10).select('id');
  return rows.map((r: Row) => ({ kind, id: r.id as string }));
}

/** Create for kinds without side effects: defaults filled, an optional unique name, 201 with Location. */
export function createHandler(repo: AnyRepo, opts: { uniqueName?: boolean; owned?: boolean } = {}): GenericHandler {
  return async (ctx: OpContext) => {
    if (opts.uniqueName && (await ctx.db(repo.table).where({ name: ctx.body.name }).first('id'))) {
      throw problems.alreadyExists(repo.meta.kind, 'name', ctx.body.name);
    }
    const values = withDefaults(repo.meta, ctx.body);
    if (opts.owned) values.owner = ctx.principal.userId;
    const row = await repo.insert(ctx.db, values);
    ctx.audit = { resource_type: repo.meta.kind, resource_id: row.id };
    return { status: 201, body: repo.present(row), headers: { Location: repo.location(row.id) } };
  };
}

/** Resources of `kind` whose `column` holds the id of the one being deleted. */
export type InUseCheck = { kind: Kind; column: string };

/** Delete under a row lock and If-Match, refused with 409 while any `inUse` check finds rows pointing here. */
export function deleteHandler(
  repo: AnyRepo,
  inUse: InUseCheck[] = [],
  before?: (ctx: OpContext, row: Row) => Promise<void>,
): GenericHandler {
  return async (ctx: OpContext) => {
    const row = await repo.get(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    for (const c of inUse) {
      const using = await blockers(ctx.db, c.kind, { [c.column]: row.id });
      if (using.length) throw problems.inUse(repo.meta.kind, row.id, using);
    }
    await before?.(ctx, row);
    await repo.remove(ctx.db, row);
    ctx.audit = { resource_type: repo.meta.kind, resource_id: row.id };
    return { status: 204 };
  };
}

/** The Creation of a drafted row: audited as this kind, answered with `status`, the stored row and its Location. */
export function creationOf<S extends object, H extends object>(
  repo: ResourceRepo<S, H>,
  row: Partial<StoredRow<S, H>> & { id: string },
  opts: { status: 201 | 202; jobs?: JobSpec[] },
): Creation {
  return {
    table: repo.table,
    row,
    jobs: opts.jobs,
    audit: { resource_type: repo.meta.kind, resource_id: row.id },
    respond: (stored) => ({
      status: opts.status,
      body: repo.present(stored as StoredRow<S, H>),
      headers: { Location: repo.location(row.id) },
    }),
  };
}
