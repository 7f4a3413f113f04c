// What a handler receives and returns; handlers stay thin and never touch Express.
import type { Knex } from 'knex';
import type { Principal } from '../auth.js';
import type { JobSpec } from '../jobs.js';

export interface OperationMeta {
  operationId: string;
  method: string;
  path: string;
  permission: string;
  adminOnly: boolean;
  /** path parameter that must equal the caller's user id unless the caller is an admin */
  self?: string;
  mutating: boolean;
  anonymous: boolean;
}

export interface AuditNote { resource_type?: string; resource_id?: string; details?: Record<string, unknown> }

export interface OpContext {
  op: OperationMeta;
  params: Record<string, any>;
  query: Record<string, any>;
  body: any;
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
}

export interface Result { status: number; body?: unknown; headers?: Record<string, string> }
export type Handler = (ctx: OpContext) => Promise<Result>;

/** A create that is one inserted row (plus its jobs): the pipeline writes it, grouped with concurrent creates. */
export interface Creation {
  table: string;
  /** the row to insert, id included (ResourceRepo.draft) */
  row: Record<string, unknown> & { id: string };
  /** durable jobs sent in the same transaction */
  jobs?: JobSpec[];
  audit: AuditNote;
  /** the response, from the row as stored */
  respond(stored: Record<string, any>): Result;
}

/**
 * `create` may only read through ctx.db, unless `needsTransaction` says this request must write first (an IP
 * taken from a subnet, say): it then runs alone in a transaction, and ctx.db is that transaction.
 */
export interface CreateHandler {
  create(ctx: OpContext): Promise<Creation>;
  needsTransaction?(ctx: OpContext): boolean;
}

export type Handlers = Record<string, Handler | CreateHandler>;

export const isCreateHandler = (h: Handler | CreateHandler): h is CreateHandler => typeof h === 'object';
