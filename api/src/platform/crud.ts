// The handlers that are the same for every kind (list, get, patch) and the in-use check behind 409s.
import type { Knex } from 'knex';
import type { Creation, Handler, OpContext } from './http/context.js';
import type { JobSpec } from './jobs.js';
import { problems } from './problems.js';
import { ResourceRepo, checkIfMatch, mergePatch, withDefaults, type Row } from './resources.js';

/** Lists with `limit`/`cursor` and equality filters on the named query parameters. */
export function listHandler(repo: ResourceRepo, filters: string[], fixed?: (ctx: OpContext) => Record<string, unknown>): Handler {
  return async (ctx) => {
    const where: Record<string, unknown> = fixed?.(ctx) ?? {};
    for (const f of filters) if (ctx.query[f] !== undefined) where[f] = ctx.query[f];
    return { status: 200, body: await repo.list(ctx.db, ctx.principal, where, ctx.query.limit, ctx.query.cursor) };
  };
}

export function getHandler(repo: ResourceRepo): Handler {
  return async (ctx) => ({ status: 200, body: repo.present(await repo.get(ctx.db, ctx.principal, ctx.params.id)) });
}

/**
 * PATCH as a JSON merge patch under a row lock and If-Match. `apply` lets a service act on the changes
 * (for example a power-state change) before they are written.
 */
export function patchHandler(repo: ResourceRepo, apply?: (ctx: OpContext, row: Row, changes: Row) => Promise<Row | void>): Handler {
  return async (ctx) => {
    const row = await repo.get(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    let changes = mergePatch(repo.meta, ctx.body, repo.present(row));
    if (apply) changes = (await apply(ctx, row, changes)) ?? changes;
    const updated = await repo.update(ctx.db, row, changes);
    ctx.audit = { resource_type: repo.meta.kind, resource_id: row.id, details: { changed: Object.keys(changes) } };
    return { status: 200, body: repo.present(updated) };
  };
}

/** Up to ten rows of `table` matching `where`, as `{kind, id}` for a 409 that names what blocks a delete. */
export async function blockers(db: Knex | Knex.Transaction, table: string, where: Record<string, unknown>, kind: string) {
  const rows = await db(table).where(where).orderBy('seq').limit(10).select('id');
  return rows.map((r: Row) => ({ kind, id: r.id as string }));
}

/** Create for kinds without side effects: defaults filled, an optional unique name, 201 with Location. */
export function createHandler(repo: ResourceRepo, basePath: string, opts: { uniqueName?: boolean; owned?: boolean } = {}): Handler {
  return async (ctx) => {
    if (opts.uniqueName && (await ctx.db(repo.table).where({ name: ctx.body.name }).first('id'))) {
      throw problems.alreadyExists(repo.meta.kind, 'name', ctx.body.name);
    }
    const values = withDefaults(repo.meta, ctx.body);
    if (opts.owned) values.owner = ctx.principal.userId;
    const row = await repo.insert(ctx.db, values);
    ctx.audit = { resource_type: repo.meta.kind, resource_id: row.id };
    return { status: 201, body: repo.present(row), headers: { Location: `${basePath}/${row.id}` } };
  };
}

export type InUseCheck = { table: string; column: string; kind: string };

/** Delete under a row lock and If-Match, refused with 409 while any `inUse` check finds rows pointing here. */
export function deleteHandler(repo: ResourceRepo, inUse: InUseCheck[] = [], before?: (ctx: OpContext, row: Row) => Promise<void>): Handler {
  return async (ctx) => {
    const row = await repo.get(ctx.db, ctx.principal, ctx.params.id, true);
    checkIfMatch(ctx.ifMatch, row);
    for (const c of inUse) {
      const using = await blockers(ctx.db, c.table, { [c.column]: row.id }, c.kind);
      if (using.length) throw problems.inUse(repo.meta.kind, row.id, using);
    }
    await before?.(ctx, row);
    await repo.remove(ctx.db, row);
    ctx.audit = { resource_type: repo.meta.kind, resource_id: row.id };
    return { status: 204 };
  };
}

/** The Creation of a drafted row: audited as this kind, answered with `status`, the stored row and its Location. */
export function creationOf(repo: ResourceRepo, row: Row & { id: string }, opts: { status: 201 | 202; basePath: string; jobs?: JobSpec[] }): Creation {
  return {
    table: repo.table, row, jobs: opts.jobs,
    audit: { resource_type: repo.meta.kind, resource_id: row.id },
    respond: (stored) => ({ status: opts.status, body: repo.present(stored), headers: { Location: `${opts.basePath}/${row.id}` } }),
  };
}
