// One pipeline for every operation, whoever calls it (HTTP, or the stack engine acting as a user):
// validate -> authorize -> transaction{ idempotency, handler, audit } -> (tests) response check.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { ANONYMOUS, type Principal } from './principals.js';
import { writeAudit, type AuditRecord } from './audit-trail.js';
import { operationKinds, registry, type OperationId } from '../../generated/registry.js';
import type { EventBus, Watch } from '../events/bus.js';
import type { GroupCommit } from '../resources/group-commit.js';
import { claim, remember, requestHash, type IdempotencyClaim } from './idempotency.js';
import { newRequestId } from '../resources/ids.js';
import { inTransaction } from '../resources/row-cache.js';
import type { Logger } from '../logger.js';
import { Problem, problems } from '../problems.js';
import {
  isCreateHandler,
  type AuditNote,
  type CreateHandler,
  type Handler,
  type Handlers,
  type OpContext,
  type OperationMeta,
  type Result,
} from './context.js';
import { targetOf, type Authorizer, type Target } from './authorization.js';
import type { IdResolver } from '../manifest.js';
import { badString, checkIdempotencyKey, checkParameters } from './input-rules.js';
import { problemFromDatabase } from './database-problems.js';
import { settle } from './settle.js';
import { deref, operations, type Spec } from './spec.js';
import { compileOperation, fieldErrors, type OperationValidators } from './validation.js';

export interface CompiledOperation {
  meta: OperationMeta;
  v: OperationValidators;
  handler: Handler | CreateHandler;
  path: string;
  method: string;
  /** the path and query parameters the operation declares: no other is accepted */
  parameterNames: ReadonlySet<string>;
  /** the path parameter that names the resource a failed write aimed at, if one does */
  auditIdParam?: string;
  /** the operation's response fields that are secrets (x-secret) */
  secrets: readonly string[];
  /** what the operation acts on, as IAM names it */
  target: Target;
  /** `x-body-mode: raw`: the body streams to the handler, which commits through ctx.transaction */
  raw: boolean;
  /** the request body may be a form (application/x-www-form-urlencoded) whose fields are parameters */
  form: boolean;
  /** parameters that may be given more than once (schema type array), handed on as arrays */
  repeatable: ReadonlySet<string>;
  /**
   * x-subresource: with this query parameter given, the call acts on a part of the resource (an object of a
   * bucket): another action, on `<the resource's name>/<the parameter's value>`.
   */
  subresource?: { param: string; meta: OperationMeta; target: Target };
}

export interface CallInput {
  principal: Principal;
  /** path and query parameters, as strings (they are coerced like a URL's) */
  params: Record<string, unknown>;
  body?: unknown;
  /** true when the caller sent a body (HTTP: a Content-Length or chunked body) */
  hasBody?: boolean;
  ifMatch?: string;
  idempotencyKey?: string;
  /** in-process callers only: how long the key replays, instead of the configured TTL (null: as long as the data lasts) */
  idempotencyTtlSeconds?: number | null;
  requestId?: string;
  sourceIp?: string;
  /** the request path, for the idempotency fingerprint */
  path: string;
  /** `Prefer: wait=N` on a create: answer once the resource settles, or after this many seconds */
  waitSeconds?: number;
  /** the request's headers, for operations that read more than the usual ones (a download's Range) */
  headers?: IncomingHttpHeaders;
  /** the unread body of an `x-body-mode: raw` operation */
  stream?: Readable;
}

export class Pipeline {
  readonly byId = new Map<string, CompiledOperation>();

  constructor(
    spec: Spec,
    handlers: Handlers,
    private db: Knex,
    private commits: GroupCommit,
    private events: EventBus,
    private log: Logger,
    private validateResponses: boolean,
    private idempotencyTtlSeconds: number,
    private authorizer: Authorizer,
    /** kinds whose paths may name a resource otherwise than by id (manifest resolveId) */
    private resolvers: Partial<Record<string, IdResolver>> = {},
  ) {
    for (const o of operations(spec)) {
      const meta: OperationMeta = {
        operationId: o.op.operationId,
        kind: operationKinds[o.op.operationId as OperationId] ?? null,
        method: o.method.toUpperCase(),
        path: o.path,
        permission: o.op['x-permission'],
        adminOnly: o.op['x-admin-only'] === true,
        self: o.op['x-self'],
        // x-safe: a POST that only reads (a query sent as a form): no transaction, no audit of its success.
        mutating: o.method !== 'get' && o.op['x-safe'] !== true,
        anonymous: Array.isArray(o.op.security) && o.op.security.length === 0,
      };
      if (!meta.permission) throw new Error(`${meta.operationId} has no x-permission`);
      const handler = handlers[meta.operationId as OperationId];
      if (!handler) throw new Error(`no handler for operation ${meta.operationId}`);
      const parameterNames = new Set<string>(o.parameters.filter((p) => p.in !== 'header').map((p) => p.name));
      const kindMeta = meta.kind ? registry[meta.kind] : undefined;
      const sub = o.op['x-subresource'] as { param: string; permission: string } | undefined;
      const subMeta = sub && { ...meta, permission: sub.permission };
      const secrets = [
        ...new Set([
          ...(kindMeta ? Object.keys(kindMeta.properties).filter((p) => kindMeta.properties[p]!.secret) : []),
          ...responseSecrets(spec, o.op),
        ]),
      ];
      this.byId.set(meta.operationId, {
        meta,
        v: compileOperation(spec, o),
        handler,
        path: o.path,
        method: o.method,
        parameterNames,
        auditIdParam: auditIdParam(o.path, kindMeta?.paths.item),
        secrets,
        target: targetOf(meta, o.op['x-condition-keys']),
        raw: o.op['x-body-mode'] === 'raw',
        form: o.op.requestBody?.content?.['application/x-www-form-urlencoded'] !== undefined,
        repeatable: new Set(o.parameters.filter((p) => p.schema?.type === 'array').map((p) => p.name)),
        subresource: sub && {
          param: sub.param,
          meta: subMeta!,
          target: { ...targetOf(subMeta!, o.op['x-condition-keys']), subresource: sub.param },
        },
      });
    }
  }

  /** Runs an operation for a principal; throws a Problem on failure (after auditing a failed mutation). */
  async execute(op: CompiledOperation, input: CallInput): Promise<Result> {
    const { v } = op;
    const sub = op.subresource && input.params[op.subresource.param] !== undefined ? op.subresource : undefined;
    const meta = sub?.meta ?? op.meta;
    const target = sub?.target ?? op.target;
    const requestId = input.requestId ?? newRequestId();
    const waiting: { watch?: Watch } = {}; // Prefer: wait: the new resource's events, from before its commit
    let named = input.params; // what a refusal's audit record names: the resolved id once it is known
    try {
      const params = { ...input.params };
      checkParameters(params, op.parameterNames, op.repeatable);
      checkIdempotencyKey(input.idempotencyKey);
      if (!v.params(params))
        throw problems.invalidParameter(
          fieldErrors(v.params.errors).map((e) => ({ ...e, pointer: e.pointer.replace(/^\//, '') })),
        );
      // ajv coerces `1e309` to Infinity and then lets it pass every numeric keyword: no parameter may be infinite.
      const infinite = Object.keys(params).filter((k) => typeof params[k] === 'number' && !Number.isFinite(params[k]));
      if (infinite.length)
        throw problems.invalidParameter(
          infinite.map((k) => ({ pointer: k, detail: 'must be a finite number', code: 'InvalidNumber' })),
        );
      let body = input.body;
      if (v.body) {
        if (body === undefined) {
          if (v.bodyRequired)
            throw problems.validation([{ pointer: '', detail: 'a JSON body is required', code: 'Required' }]);
          body = {};
        }
        const bad = badString(body);
        if (bad) throw problems.validation([bad]);
        if (!v.body(body)) throw problems.validation(fieldErrors(v.body.errors));
      }
      // Another name for the resource (a key's alias) becomes its id before anything decides on it.
      const resolve = meta.kind ? this.resolvers[meta.kind] : undefined;
      if (resolve && target.idParam === 'id' && typeof params.id === 'string')
        named = { ...input.params, id: (params.id = await resolve(this.db, input.principal, params.id)) };
      const readable = await this.authorizer.authorize(meta, target, {
        principal: input.principal,
        params,
        body,
        sourceIp: input.sourceIp ?? '',
      });
      const base = {
        op: meta,
        params,
        query: params,
        body,
        ifMatch: input.ifMatch,
        principal: input.principal,
        requestId,
        sourceIp: input.sourceIp ?? '',
        audit: {},
        headers: input.headers ?? {},
        stream: input.stream,
      };
      const idemKey = meta.method === 'POST' ? input.idempotencyKey : undefined;
      const idempotency = idemKey
        ? {
            owner: input.principal.userId,
            key: idemKey,
            hash: requestHash(meta.method, input.path, body),
            ttlSeconds:
              input.idempotencyTtlSeconds === undefined ? this.idempotencyTtlSeconds : input.idempotencyTtlSeconds,
            secrets: op.secrets,
          }
        : undefined;
      const { handler } = op;
      const result: Result = isCreateHandler(handler)
        ? await this.create(
            base,
            handler,
            idempotency,
            input.waitSeconds === undefined
              ? undefined
              : (id) => {
                  waiting.watch = this.events.watch(id);
                },
          )
        : op.raw
          ? await this.streamed(base, handler)
          : meta.mutating
            ? await this.inTransaction(base, handler, idempotency)
            : await handler({ ...base, db: this.db, afterCommit: (fn) => fn(), transaction: noTransaction });
      // A list holds only what the caller's policies let them read (a list is not a 403 because one item is denied).
      if (readable && result.status === 200 && Array.isArray((result.body as { items?: unknown })?.items)) {
        const body = result.body as { items: Record<string, unknown>[] };
        result.body = { ...body, items: readable(body.items) };
      }
      if (this.validateResponses) checkResponse(v, result, meta);
      // Prefer: wait on the create of an asynchronous kind. A group-committed create armed its watch before its
      // commit; one made by a plain handler (a stack's) is read again once the wait is subscribed.
      if (
        input.waitSeconds !== undefined &&
        meta.kind &&
        registry[meta.kind].operations.create === meta.operationId &&
        result.status === 202 &&
        !result.headers?.['Idempotent-Replayed']
      ) {
        return await this.settleCreated(meta, input, result, waiting.watch);
      }
      return result;
    } catch (err) {
      const p =
        err instanceof Problem ? err : (problemFromDatabase(err, input.body) ?? this.internal(err, requestId, meta));
      // Every write attempt leaves one record: a success is written with the change, a failure here; so does every
      // call IAM denied, read or write.
      if (meta.mutating || p.code === 'AccessDenied') {
        await this.auditRefusal(sub ? { ...op, meta } : op, {
          principal: input.principal,
          params: named,
          problem: p,
          requestId,
          sourceIp: input.sourceIp ?? '',
        });
      }
      throw p;
    } finally {
      waiting.watch?.close();
    }
  }

  /**
   * The audit record of a refused or failed write: with no user when the caller is unknown (a 401), and never
   * failing the answer (a record that cannot be written is logged).
   */
  async auditRefusal(
    op: CompiledOperation,
    r: {
      principal?: Principal;
      params: Record<string, unknown>;
      problem: Problem;
      requestId: string;
      sourceIp: string;
    },
  ): Promise<void> {
    const id = op.auditIdParam ? r.params[op.auditIdParam] : undefined;
    await writeAudit(this.db, {
      user_id: r.principal && r.principal !== ANONYMOUS ? r.principal.userId : null,
      action: op.meta.permission,
      resource_type: op.meta.kind,
      resource_id: typeof id === 'string' ? id : null,
      status: 'failure',
      details: { code: r.problem.code, status: r.problem.status },
      source_ip: r.sourceIp || null,
      request_id: r.requestId,
    }).catch((e) => this.log.error({ err: e, request_id: r.requestId }, 'audit write failed'));
  }

  /** In-process call of an operation by id, exactly as if `principal` had made it over HTTP. */
  invoke = (
    operationId: string,
    principal: Principal,
    input: Omit<CallInput, 'principal' | 'path'> = { params: {} },
  ): Promise<Result> => {
    const op = this.byId.get(operationId);
    if (!op) throw new Error(`unknown operation ${operationId}`);
    const path = op.path.replace(/\{(\w+)\}/g, (_, k) => encodeURIComponent(String(input.params[k] ?? '')));
    return this.execute(op, { ...input, principal, path });
  };

  /** A raw-body operation: the handler reads the stream outside any transaction and commits through ctx.transaction. */
  private async streamed(
    base: Omit<OpContext, 'db' | 'afterCommit' | 'transaction'>,
    handler: Handler,
  ): Promise<Result> {
    const after: (() => void)[] = [];
    const ctx: OpContext = {
      ...base,
      db: this.db,
      afterCommit: (fn) => after.push(fn),
      transaction: (fn) =>
        inTransaction(this.db, async (trx) => {
          const r = await fn(trx);
          if (base.op.mutating) await writeAudit(trx, successAudit(base, ctx.audit));
          return r;
        }),
    };
    const result = await handler(ctx);
    for (const fn of after) fn();
    return result;
  }

  private async inTransaction(
    base: Omit<OpContext, 'db' | 'afterCommit' | 'transaction'>,
    handler: Handler,
    idempotency: IdempotencyClaim | undefined,
  ): Promise<Result> {
    const after: (() => void)[] = [];
    // The row cache forgets what the transaction wrote as it commits: this process reads its own write at once,
    // other processes hear of it through NOTIFY.
    const result = await inTransaction(this.db, async (trx) => {
      if (idempotency) {
        const replay = await claim(trx, idempotency);
        if (replay) return replay;
      }
      const ctx: OpContext = { ...base, db: trx, afterCommit: (fn) => after.push(fn), transaction: (fn) => fn(trx) };
      const r = await handler(ctx);
      await writeAudit(trx, successAudit(base, ctx.audit));
      if (idempotency) await remember(trx, [{ claim: idempotency, result: r }]);
      return r;
    });
    for (const fn of after) fn();
    return result;
  }

  /** A create is prepared outside any transaction (reads only) and committed with the creates arriving beside it. */
  /** `drafted` hears the new resource's id before the create commits. */
  private async create(
    base: Omit<OpContext, 'db' | 'afterCommit' | 'transaction'>,
    h: CreateHandler,
    idempotency: IdempotencyClaim | undefined,
    drafted?: (id: string) => void,
  ): Promise<Result> {
    const after: (() => void)[] = [];
    const prepare = async (db: Knex | Knex.Transaction) => {
      const ctx: OpContext = { ...base, db, afterCommit: (fn) => after.push(fn), transaction: noTransaction };
      const creation = await h.create(ctx);
      drafted?.(creation.row.id);
      return { creation, audit: successAudit(base, creation.audit), after };
    };
    if (h.needsTransaction?.({ ...base, db: this.db, afterCommit: (fn) => after.push(fn), transaction: noTransaction }))
      return this.commits.alone(idempotency, prepare);
    return this.commits.submit({ ...(await prepare(this.db)), idempotency });
  }

  /** Prefer: wait — the created resource as it is once it leaves its transitional status (or when the wait ends). */
  private async settleCreated(meta: OperationMeta, input: CallInput, created: Result, watch?: Watch): Promise<Result> {
    const rmeta = meta.kind ? registry[meta.kind] : undefined;
    const get = rmeta?.operations.get ? this.byId.get(rmeta.operations.get) : undefined;
    const id = (created.body as { id?: string } | undefined)?.id;
    if (!rmeta?.async || !rmeta.statusField || !get || !id) return created;
    const read = () =>
      this.execute(get, {
        principal: input.principal,
        params: { id },
        path: get.path.replace('{id}', id),
        requestId: input.requestId,
      }).catch((): Result => ({ status: 404 }));
    // With a watch from before the commit, the create's own answer is the first read: the row as just committed.
    const known = watch && { answer: { status: 200, body: created.body }, watch };
    const now = await settle(this.events, rmeta, id, input.waitSeconds!, read, known);
    if (now.status !== 200) return created; // deleted meanwhile: the create's own answer stands
    return {
      status: 202,
      body: now.body,
      headers: { ...created.headers, 'Preference-Applied': `wait=${input.waitSeconds}` },
    };
  }

  private internal(err: unknown, requestId: string, meta: OperationMeta): Problem {
    this.log.error({ err, request_id: requestId, op: meta.operationId }, 'unhandled error');
    return problems.internal();
  }
}

/**
 * Which path parameter names the resource a write aims at: `id` on the kind's own item path and below it
 * (`/instances/{id}/start`), else a last `{param}` (`/users/{id}/tokens/{token_id}`); none for a create under a
 * parent (`/vpcs/{id}/subnets`: that id is the VPC's, not the subnet's).
 */
function auditIdParam(path: string, item: string | undefined): string | undefined {
  if (item && (path === item || path.startsWith(`${item}/`))) return 'id';
  return /\{(\w+)\}$/.exec(path)?.[1];
}

/**
 * The x-secret fields of an operation's success responses that are not its kind's (a decrypted plaintext, a data
 * key): like a kind's secrets, never stored for an idempotent replay and never cached.
 */
function responseSecrets(spec: Spec, op: any): string[] {
  const out: string[] = [];
  for (const [code, res] of Object.entries<any>(op.responses ?? {})) {
    if (!code.startsWith('2')) continue;
    const schema = deref(spec, deref(spec, res)?.content?.['application/json']?.schema);
    for (const [name, prop] of Object.entries<any>(schema?.properties ?? {}))
      if (deref(spec, prop)?.['x-secret'] === true) out.push(name);
  }
  return out;
}

/** Only raw-body operations commit through ctx.transaction; the others already run in one (or only read). */
const noTransaction = (): never => {
  throw new Error('ctx.transaction is for x-body-mode: raw operations');
};

function successAudit(base: Omit<OpContext, 'db' | 'afterCommit' | 'transaction'>, note: AuditNote): AuditRecord {
  return {
    user_id: base.principal.userId,
    action: base.op.permission,
    resource_type: note.resource_type ?? base.op.kind,
    resource_id: note.resource_id ?? (base.params.id as string | undefined) ?? null,
    status: 'success',
    details: note.details ?? {},
    source_ip: base.sourceIp,
    request_id: base.requestId,
  };
}

function checkResponse(v: OperationValidators, result: Result, meta: OperationMeta) {
  const check = v.responses.get(result.status);
  if (result.body === undefined) return;
  if (!check) throw new Error(`${meta.operationId} answered ${result.status}, which the spec does not declare`);
  if (!check(result.body))
    throw new Error(
      `${meta.operationId} response does not match the spec: ${JSON.stringify(fieldErrors(check.errors))}`,
    );
}
