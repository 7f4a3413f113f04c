// The generic data access of a resource kind: tenancy scoping, keyset lists, ETags, merge patches and
// the row cache (change events come from the tables' triggers). A service adds its own rules around these; only this layer and the services' repos know tables.
import type { Knex } from 'knex';
import type { components } from '../../generated/openapi.js';
import type { Principal } from '../operations/principals.js';
import { sqlLiteral } from '../db/bulk.js';
import { newId } from './ids.js';
import { page, type Page } from './pagination.js';
import { problems } from '../problems.js';
import type { ResourceMeta } from './registry-types.js';
import { rowCache, touch } from './row-cache.js';

type Db = Knex | Knex.Transaction;
/** An untyped row or body, for code that serves every kind (the generic handlers, merge patches). */
export type Row = Record<string, any>;

/** Every schema of the contract, by name: `Schemas['Vpc']` types a VPC's repo. */
export type Schemas = components['schemas'];

/** The columns every resource table has besides its schema's fields. */
export interface Bookkeeping {
  id: string;
  seq: number;
  rev: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * A row of the kind whose schema is `S`, as its table holds it: every field of the schema present (null where
 * unset), the bookkeeping columns, and `Columns`: those the schema does not name (a token's hash) or names with
 * another type than the driver reads (a timestamp column is a Date).
 */
export type StoredRow<S, Columns = {}> = {
  -readonly [K in Exclude<keyof S, 'etag' | keyof Bookkeeping | keyof Columns>]-?: Exclude<S[K], undefined>;
} & Bookkeeping &
  Columns;

/** A repo of any kind, for the generic handlers (crud.ts) that serve every kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRepo = ResourceRepo<any, any>;

export const etagOf = (row: { rev: number }) => `"r${row.rev}"`;

/**
 * The data access of one kind. `S` is the kind's schema type from the generated contract
 * (`Schemas['Vpc']`), `Columns` its columns beyond the schema (see StoredRow); rows come back typed.
 */
export class ResourceRepo<S extends object = Row, Columns extends object = {}> {
  /** property columns (everything in the schema but the computed etag) */
  readonly columns: string[];
  /** the kind's table, from the registry */
  readonly table: string;
  /** every id of the kind starts so (`vpc-`) */
  private readonly idPrefix: string;

  constructor(
    readonly meta: ResourceMeta,
    private computed: Record<string, (row: StoredRow<S, Columns>) => unknown> = {},
    /** for a kind whose ids are not `<id_prefix>-<16 base-32>` (an access key's AKAX..., as AWS makes them): makes
     * one, which starts with the id prefix itself */
    private makeId?: () => string,
  ) {
    this.table = meta.table;
    this.idPrefix = makeId ? meta.idPrefix : `${meta.idPrefix}-`;
    this.columns = Object.keys(meta.properties).filter((p) => p !== 'etag' && !(p in computed));
  }

  /** The URL of one resource (a create's `Location`), from the kind's item path in the contract. */
  location(id: string): string {
    if (!this.meta.paths.item) throw new Error(`${this.meta.kind} has no item path`);
    return this.meta.paths.item.replace('{id}', encodeURIComponent(id));
  }

  /** The public representation of a row. */
  present(row: StoredRow<S, Columns>): S {
    const out: Row = {};
    for (const p of Object.keys(this.meta.properties)) {
      if (p === 'etag') {
        out.etag = etagOf(row);
        continue;
      }
      const v = p in this.computed ? this.computed[p]!(row) : (row as Row)[p];
      if (v === undefined) continue;
      out[p] = v instanceof Date ? v.toISOString() : v;
    }
    return out as S;
  }

  /** Restricts a query to what the principal may see: their own rows, or every row for admins and public kinds. */
  scoped(db: Db, principal: Principal, forWrite = false): Knex.QueryBuilder {
    const q = db(this.table);
    const publicRead = this.meta.publicRead && !forWrite;
    if (!principal.isAdmin && !publicRead && 'owner' in this.meta.properties)
      q.where(`${this.table}.owner`, principal.userId);
    return q;
  }

  /** One row the principal may see, or 404. `lock` takes a row lock for a read-modify-write. */
  async get(db: Db, principal: Principal, id: string, lock = false): Promise<StoredRow<S, Columns>> {
    if (lock) {
      const row = await this.scoped(db, principal, true).where(`${this.table}.id`, id).first().forUpdate();
      if (!row) throw problems.notFound(this.meta.kind, id);
      return row;
    }
    // The row cache is keyed by id alone, across kinds: an id without this kind's prefix is none of this kind's
    // (and must not be answered from another kind's cached row).
    if (!id.startsWith(this.idPrefix)) throw problems.notFound(this.meta.kind, id);
    // Plain reads go through the row cache; tenancy is checked on the cached row exactly as the query would.
    let row = rowCache.get(id);
    if (!row) {
      const ticket = rowCache.ticket();
      row = await db(this.table).where('id', id).first();
      if (row) rowCache.set(id, row, ticket);
    }
    if (!row || !this.visible(row, principal)) throw problems.notFound(this.meta.kind, id);
    return row as StoredRow<S, Columns>;
  }

  protected visible(row: Row, principal: Principal): boolean {
    return (
      principal.isAdmin || this.meta.publicRead || !('owner' in this.meta.properties) || row.owner === principal.userId
    );
  }

  async list(
    db: Db,
    principal: Principal,
    filters: Record<string, unknown>,
    limit: number | undefined,
    cursor?: string,
  ): Promise<Page<S>> {
    const q = this.scoped(db, principal).select(`${this.table}.*`);
    for (const [k, v] of Object.entries(filters)) if (v !== undefined) q.where(`${this.table}.${k}`, v);
    const { rows, next_cursor } = await page<StoredRow<S, Columns>>(q, limit, cursor, `${this.table}.seq`);
    return { items: rows.map((r) => this.present(r)), next_cursor };
  }

  /** A new row of this kind with its id, to insert (or hand to the group commit as a Creation). */
  draft(values: Partial<StoredRow<S, Columns>>): Partial<StoredRow<S, Columns>> & { id: string } {
    return { id: this.makeId?.() ?? newId(this.meta.idPrefix), ...values };
  }

  async insert(db: Db, values: Partial<StoredRow<S, Columns>>): Promise<StoredRow<S, Columns>> {
    const row: Row = this.draft(values);
    for (const [k, v] of Object.entries(row))
      if (v !== null && typeof v === 'object' && !(v instanceof Date)) row[k] = JSON.stringify(v);
    const [created] = await db(this.table).insert(row).returning('*');
    touch(db, created.id); // the table's trigger NOTIFYs the change (migration 003)
    return created;
  }

  /** Writes changes and bumps the revision (the ETag); the trigger reports `updated` or `status_changed`. */
  async update(
    db: Db,
    current: StoredRow<S, Columns>,
    changes: Partial<StoredRow<S, Columns>>,
  ): Promise<StoredRow<S, Columns>> {
    if (Object.keys(changes).length === 0) return current;
    const values: Row = { ...changes, rev: current.rev + 1, updated_at: db.fn.now() };
    for (const [k, v] of Object.entries(values))
      if (v !== null && typeof v === 'object' && !(v instanceof Date) && k !== 'updated_at')
        values[k] = JSON.stringify(v);
    const [row] = await db(this.table).where({ id: current.id }).update(values).returning('*');
    touch(db, row.id);
    return row;
  }

  /** Several rows' changes to the same columns in one statement (batched workers); bumps revisions, emits events. */
  /**
   * One statement that sets `types`' columns of many rows by id (bumping revisions), values inlined as literals, for
   * a message of statements sent whole. The caller invalidates the row cache once its transaction commits.
   */
  updateManyStatement(
    changes: (Partial<StoredRow<S, Columns>> & { id: string })[],
    types: Record<string, string>,
  ): string {
    const columns = Object.keys(types);
    const values = changes
      .map((c) => `(${[c.id, ...columns.map((k) => (c as Row)[k])].map(sqlLiteral).join(', ')})`)
      .join(', ');
    const set = columns.map((c) => `"${c}" = v."${c}"`).join(', ');
    // VALUES rows carry no column types; the caller names them (text, boolean, ...).
    const typed = columns.map((c) => `"${c}"::${types[c]}`);
    return `update "${this.table}" t set ${set}, rev = t.rev + 1, updated_at = now() from (select "id", ${typed.join(', ')} from (values ${values}) as x("id", ${columns.map((c) => `"${c}"`).join(', ')})) v where t.id = v.id`;
  }

  /**
   * Moves the rows among `ids` whose `field` is `from` to `to`, in one statement (its row locks and re-check make a
   * concurrent or replayed move a no-op); bumps revisions, emits events. Returns the ids that moved.
   */
  async moveStatus(db: Knex, ids: string[], field: string, from: string, to: string): Promise<string[]> {
    if (!ids.length) return [];
    const { rows } = await db.raw(
      `update "${this.table}" set "${field}" = ?, rev = rev + 1, updated_at = now() where id = any(?) and "${field}" = ? returning id`,
      [to, ids, from],
    );
    const moved = rows.map((r: { id: string }) => r.id);
    for (const id of moved) rowCache.invalidate(id); // committed already (one statement): this process reads the new row at once
    return moved;
  }

  async remove(db: Db, row: { id: string }): Promise<void> {
    await db(this.table).where({ id: row.id }).delete();
    touch(db, row.id);
  }
}

/** 412 unless the client's If-Match (when sent) names the current ETag. `*` matches any existing resource. */
export function checkIfMatch(ifMatch: string | undefined, row: { rev: number }) {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const current = etagOf(row);
  const wanted = ifMatch.split(',').map((s) => s.trim().replace(/^W\//, ''));
  if (!wanted.includes(current)) throw problems.preconditionFailed(ifMatch, current);
}

/**
 * Turns a JSON merge patch into column changes: immutable fields may be re-sent unchanged but not changed
 * (422 FieldImmutable), and null resets a field to its default.
 */
export function mergePatch(meta: ResourceMeta, patch: Row, present: Row): Row {
  const changes: Row = {};
  for (const [field, value] of Object.entries(patch)) {
    const prop = meta.properties[field]!;
    let next = value === null && prop.default !== undefined ? prop.default : value;
    // RFC 7386: an object merges into the current one key by key, and a null member removes that key. A document
    // (x-terraform: json: a policy, a task's target, a workflow's definition) is checked whole and replaced whole.
    if (prop.type === 'object' && !prop.json && isObject(value) && isObject(present[field]))
      next = applyMergePatch(present[field], value);
    if (JSON.stringify(next) === JSON.stringify(present[field] ?? null)) continue;
    if (prop.immutable) throw problems.fieldImmutable(field);
    changes[field] = next;
  }
  return changes;
}

const isObject = (v: unknown): v is Row => v !== null && typeof v === 'object' && !Array.isArray(v);

export function applyMergePatch(target: Row, patch: Row): Row {
  const out: Row = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isObject(v) && isObject(out[k]) ? applyMergePatch(out[k], v) : v;
  }
  return out;
}

/**
 * The merge patch that turns `before` into `after`: removed keys become null, at any depth (applyMergePatch merges
 * nested objects, so a key gone from one of them must be named too); arrays and scalars are sent whole.
 */
export function mergePatchBetween(before: Row, after: Row): Row {
  const patch: Row = {};
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  for (const [k, v] of Object.entries(after)) {
    if (JSON.stringify(before[k]) === JSON.stringify(v)) continue;
    patch[k] = isObject(before[k]) && isObject(v) ? mergePatchBetween(before[k], v) : v;
  }
  return patch;
}

/** Values for an insert: the request's writable fields with the schema's defaults filled in. */
export function withDefaults(meta: ResourceMeta, body: Row): Row {
  const out: Row = {};
  for (const [p, fallback] of writable(meta)) {
    if (body[p] !== undefined) out[p] = body[p];
    else if (fallback !== undefined)
      out[p] = fallback !== null && typeof fallback === 'object' ? structuredClone(fallback) : fallback;
  }
  return out;
}

/** A kind's writable properties with their defaults, listed once (a create reads them every time). */
const writableByMeta = new WeakMap<ResourceMeta, [string, unknown][]>();
function writable(meta: ResourceMeta): [string, unknown][] {
  let list = writableByMeta.get(meta);
  if (!list)
    writableByMeta.set(
      meta,
      (list = Object.entries(meta.properties)
        .filter(([, prop]) => !prop.readOnly)
        .map(([p, prop]) => [p, prop.default])),
    );
  return list;
}
