// Mounts every operation of openapi.yaml on an Express router: auth, limits, validation, authorization,
// transaction, idempotency and audit happen here, once, so handlers only hold the service's rules.
import type { Request, Response, Router } from 'express';
import type { Knex } from 'knex';
import type { Authenticator, Principal } from '../auth.js';
import { writeAudit } from '../audit.js';
import { claim, remember, requestHash } from '../idempotency.js';
import { newRequestId } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { Problem, problems } from '../problems.js';
import type { RateLimiter } from '../ratelimit.js';
import type { Handlers, OpContext, OperationMeta, Result } from './context.js';
import { operations, type Spec } from './spec.js';
import { compileOperation, fieldErrors, type OperationValidators } from './validation.js';
import { sendProblem } from './errors.js';

export interface MountDeps {
  spec: Spec;
  handlers: Handlers;
  db: Knex;
  auth: Authenticator;
  limiter: RateLimiter;
  log: Logger;
  metrics: Metrics;
  validateResponses: boolean;
}

const ANONYMOUS: Principal = { userId: 'anonymous', isAdmin: false, tokenId: null };

export function mountOperations(router: Router, deps: MountDeps): void {
  for (const o of operations(deps.spec)) {
    const meta: OperationMeta = {
      operationId: o.op.operationId, method: o.method.toUpperCase(), path: o.path,
      permission: o.op['x-permission'], adminOnly: o.op['x-admin-only'] === true, self: o.op['x-self'],
      mutating: o.method !== 'get', anonymous: Array.isArray(o.op.security) && o.op.security.length === 0,
    };
    if (!meta.permission) throw new Error(`${meta.operationId} has no x-permission`);
    const handler = deps.handlers[meta.operationId];
    if (!handler) throw new Error(`no handler for operation ${meta.operationId}`);
    const v = compileOperation(deps.spec, o);
    const expressPath = o.path.replace(/\{(\w+)\}/g, ':$1');
    router[o.method](expressPath, (req, res) => {
      void run(req, res, meta, v, handler, deps);
    });
  }
}

async function run(req: Request, res: Response, meta: OperationMeta, v: OperationValidators, handler: Handlers[string], deps: MountDeps) {
  const started = process.hrtime.bigint();
  const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || newRequestId();
  res.setHeader('X-Request-Id', requestId);
  let principal: Principal | undefined;
  let status = 500;
  try {
    principal = meta.anonymous ? ANONYMOUS : await deps.auth.authenticate(req.headers.authorization);
    if (principal.tokenId) deps.limiter.take(principal.tokenId);
    const { params, query, body } = validate(req, v);
    authorize(meta, principal, params);
    const ifMatch = typeof req.headers['if-match'] === 'string' ? req.headers['if-match'] : undefined;
    const idemKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    const base = { op: meta, params, query, body, ifMatch, principal, requestId, sourceIp: req.ip ?? '', audit: {} };
    const result = meta.mutating
      ? await inTransaction(deps, base, handler, meta.method === 'POST' ? idemKey : undefined, req.path)
      : await handler({ ...base, db: deps.db, afterCommit: (fn) => fn() });
    status = result.status;
    if (deps.validateResponses) checkResponse(v, result, meta);
    send(res, result);
  } catch (err) {
    const p = err instanceof Problem ? err : internal(err, deps.log, requestId, meta);
    status = p.status;
    if (principal && principal !== ANONYMOUS && meta.mutating && p.status !== 429 && p.status < 500) {
      await writeAudit(deps.db, {
        user_id: principal.userId, action: meta.permission, resource_type: kindOf(meta.permission), resource_id: (req.params.id as string) ?? null,
        status: 'failure', details: { code: p.code, status: p.status }, source_ip: req.ip, request_id: requestId,
      }).catch((e) => deps.log.error({ err: e, request_id: requestId }, 'audit write failed'));
    }
    sendProblem(res, p, requestId, req.originalUrl);
  } finally {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    deps.metrics.requests.inc({ operation: meta.operationId, method: meta.method, status: String(status) });
    deps.metrics.latency.observe({ operation: meta.operationId }, seconds);
    deps.log.info({ request_id: requestId, op: meta.operationId, method: meta.method, url: req.originalUrl, status, ms: Math.round(seconds * 1e4) / 10, user: principal?.userId }, 'request');
  }
}

/** `compute:CreateInstance` -> `instance`, `networking:ListVpcs` -> `vpc`: the kind a denied or failed call aimed at. */
const kindOf = (permission: string) =>
  permission.split(':')[1]!.replace(/^[A-Z][a-z]+/, '').replace(/s$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() || null;

function validate(req: Request, v: OperationValidators) {
  const params: Record<string, any> = { ...(req.query as Record<string, unknown>), ...req.params };
  if (!v.params(params)) throw problems.invalidParameter(fieldErrors(v.params.errors).map((e) => ({ ...e, pointer: e.pointer.replace(/^\//, '') })));
  let body = req.body;
  if (v.body) {
    const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0' || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(['application/json', 'application/merge-patch+json', 'application/*+json'])) throw problems.unsupportedMediaType(req.headers['content-type'] ?? '');
    if (body === undefined) {
      if (v.bodyRequired) throw problems.validation([{ pointer: '', detail: 'a JSON body is required', code: 'Required' }]);
      body = {};
    }
    if (!v.body(body)) throw problems.validation(fieldErrors(v.body.errors));
  }
  return { params, query: params, body };
}

function authorize(meta: OperationMeta, principal: Principal, params: Record<string, any>) {
  if (principal.isAdmin || meta.anonymous) return;
  if (meta.adminOnly) throw problems.forbidden(meta.permission);
  // x-self: a user may act on their own user record; another user's is a 404 (tenancy never confirms existence).
  if (meta.self && params[meta.self] !== principal.userId) throw problems.notFound('user', String(params[meta.self]));
}

async function inTransaction(deps: MountDeps, base: Omit<OpContext, 'db' | 'afterCommit'>, handler: Handlers[string], idemKey: string | undefined, path: string): Promise<Result> {
  const after: (() => void)[] = [];
  const result = await deps.db.transaction(async (trx) => {
    const hash = idemKey ? requestHash(base.op.method, path, base.body) : '';
    if (idemKey) {
      const replay = await claim(trx, base.principal.userId, idemKey, hash);
      if (replay) return replay;
    }
    const ctx: OpContext = { ...base, db: trx, afterCommit: (fn) => after.push(fn) };
    const r = await handler(ctx);
    await writeAudit(trx, {
      user_id: base.principal.userId, action: base.op.permission, resource_type: ctx.audit.resource_type ?? null,
      resource_id: ctx.audit.resource_id ?? (base.params.id as string | undefined) ?? null, status: 'success',
      details: ctx.audit.details ?? {}, source_ip: base.sourceIp, request_id: base.requestId,
    });
    if (idemKey) await remember(trx, base.principal.userId, idemKey, hash, r);
    return r;
  });
  for (const fn of after) fn();
  return result;
}

function checkResponse(v: OperationValidators, result: Result, meta: OperationMeta) {
  const check = v.responses.get(result.status);
  if (result.body === undefined) return;
  if (!check) throw new Error(`${meta.operationId} answered ${result.status}, which the spec does not declare`);
  if (!check(result.body)) throw new Error(`${meta.operationId} response does not match the spec: ${JSON.stringify(fieldErrors(check.errors))}`);
}

function send(res: Response, r: Result) {
  res.status(r.status);
  if (r.headers) for (const [k, val] of Object.entries(r.headers)) res.setHeader(k, val);
  const etag = (r.body as any)?.etag;
  if (typeof etag === 'string' && !res.hasHeader('ETag')) res.setHeader('ETag', etag);
  if (r.body === undefined) { res.end(); return; }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(r.body));
}

function internal(err: unknown, log: Logger, requestId: string, meta: OperationMeta): Problem {
  const e = err as any;
  // A JSON body express could not parse is the client's fault.
  if (e?.type === 'entity.parse.failed') return problems.malformedBody(e.message);
  if (e?.type === 'entity.too.large') return new Problem(413, 'PayloadTooLarge', 'The request body is too large', e.message);
  log.error({ err, request_id: requestId, op: meta.operationId }, 'unhandled error');
  return problems.internal();
}
