// What a handler receives and returns, typed by operation id from the generated contract types; handlers stay
// thin and never touch Express.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { operations } from '../../generated/openapi.js';
import type { Kind, MergePatchOperationId, OperationId } from '../../generated/registry.js';
import type { Principal } from './principals.js';
import type { JobSpec } from '../jobs/queue.js';

export interface OperationMeta {
  operationId: string;
  /** the resource kind the operation reads or changes (the generated registry's operationKinds), if any */
  kind: Kind | null;
  method: string;
  path: string;
  permission: string;
  adminOnly: boolean;
  /** path parameter that must equal the caller's user id unless the caller is an admin */
  self?: string;
  mutating: boolean;
  anonymous: boolean;
}

export interface AuditNote {
  resource_type?: string;
  resource_id?: string;
  details?: Record<string, unknown>;
}

type Parameters<O extends OperationId> = operations[O]['parameters'];
/** The path parameters of operation `O`, as validated (never, when it has none). */
export type PathParams<O extends OperationId> = NonNullable<Parameters<O>['path']>;
/** The query parameters of operation `O`, as validated and coerced, defaults filled. */
export type QueryParams<O extends OperationId> = NonNullable<Parameters<O>['query']>;
type Json<C> = C extends { 'application/json': infer B }
  ? B
  : C extends { 'application/merge-patch+json': infer B }
    ? B
    : never;
/** A JSON merge patch (RFC 7386) of `T`: any member may be left out, and null removes it. */
export type MergePatch<T> = { [K in keyof T]?: T[K] | null };
/** The request body of operation `O` as validated: its schema, or a merge patch of it. */
export type RequestBody<O extends OperationId> = operations[O] extends { requestBody: { content: infer C } }
  ? O extends MergePatchOperationId
    ? MergePatch<Json<C>>
    : Json<C>
  : never;

/** What an operation was called with: typed from the contract for operation `O`, untyped without one. */
export type Inputs<O extends OperationId | undefined> = O extends OperationId
  ? { params: PathParams<O>; query: QueryParams<O>; body: RequestBody<O> }
  : { params: Record<string, any>; query: Record<string, any>; body: any };

/**
 * The context of one call. `OpContext<'createVpc'>` types `params`, `query` and `body` from the contract; the
 * plain `OpContext` is what the generic handlers (crud.ts), which serve many operations, see.
 */
export type OpContext<O extends OperationId | undefined = undefined> = ContextBase & Inputs<O>;

interface ContextBase {
  op: OperationMeta;
  ifMatch?: string;
  principal: Principal;
  /** a transaction for mutating operations (shared with the audit record and the idempotency record) */
  db: Knex | Knex.Transaction;
  requestId: string;
  sourceIp: string;
  /** what the audit record says about the resource; set by the handler */
  audit: AuditNote;
  /** run after the transaction commits (cache invalidation and the like) */
  afterCommit(fn: () => void): void;
  /** the request's headers (HTTP callers; empty in-process): conditionals, ranges, object metadata */
  headers: IncomingHttpHeaders;
  /** `x-body-mode: raw` operations: the request body, unread (an upload streams to its file) */
  stream?: Readable;
  /**
   * `x-body-mode: raw` operations run outside a transaction (an upload may take minutes); this runs `fn` in one,
   * with the call's audit record, once the bytes are in place.
   */
  transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T>;
}

export interface Result {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** bytes to stream as the body, in the content type `headers` give (a download) */
  stream?: Readable;
}
export type Handler<O extends OperationId | undefined = undefined> = (ctx: OpContext<O>) => Promise<Result>;

/** A create that is one inserted row (plus its jobs): the pipeline writes it, grouped with concurrent creates. */
export interface Creation {
  table: string;
  /** the row to insert, id included (ResourceRepo.draft) */
  row: Record<string, unknown> & { id: string };
  /** durable jobs sent in the same transaction */
  jobs?: JobSpec[];
  /** rows of other tables that come into being with it (a VPC's default security group), inserted after it */
  also?: { table: string; rows: (Record<string, unknown> & { id: string })[] }[];
  audit: AuditNote;
  /** the response, from the row as stored */
  respond(stored: Record<string, any>): Result;
}

/**
 * `create` may only read through ctx.db, unless `needsTransaction` says this request must write first (an IP
 * taken from a subnet, say): it then runs alone in a transaction, and ctx.db is that transaction.
 */
export interface CreateHandler<O extends OperationId | undefined = undefined> {
  create(ctx: OpContext<O>): Promise<Creation>;
  needsTransaction?(ctx: OpContext<O>): boolean;
}

/** A handler that serves any operation (the generic ones in crud.ts): `any` lets it stand for each `Handler<O>`. */
export type GenericHandler = Handler<any>;
/** What handles operation `O`: a function, or for a create that is one row, a CreateHandler. */
export type HandlerOf<O extends OperationId> = Handler<O> | CreateHandler<O>;
/** A handler for each of the operations `Ops`, no more and no less (a missing or misspelt one fails tsc). */
export type HandlersOf<Ops extends OperationId> = { [O in Ops]: HandlerOf<O> };
/** Every operation's handler, as the pipeline holds them (untyped: it serves them all). */
export type Handlers = Record<OperationId, Handler | CreateHandler>;

export const isCreateHandler = (h: Handler | CreateHandler): h is CreateHandler => typeof h === 'object';
