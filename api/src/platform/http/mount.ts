// Mounts every operation of the pipeline on an Express router: HTTP concerns only (auth header, rate limit,
// content type, request id, metrics, the access log); the rules live in pipeline.ts.
import { pipeline } from 'node:stream/promises';
import type { Request, Response, Router } from 'express';
import type { Authenticator } from '../operations/authentication.js';
import type { Principal } from '../operations/principals.js';
import { newRequestId } from '../resources/ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../process-metrics.js';
import { Problem, problems } from '../problems.js';
import { rateLimitHeaders, type LimitState, type RateLimiter } from './rate-limit.js';
import type { Result } from '../operations/context.js';
import { readFormBody, readJsonBody } from './body.js';
import { sendProblem } from './problem-response.js';
import type { CompiledOperation, Pipeline } from '../operations/pipeline.js';
import { ANONYMOUS } from '../operations/principals.js';
import { preferredWait } from './prefer.js';
import { parseQuery } from './query.js';
import { RouteTable, type RouteMatch } from './route-table.js';
import { AddressLimited, authenticateFrom } from './address-guard.js';

export interface MountDeps {
  pipeline: Pipeline;
  auth: Authenticator;
  limiter: RateLimiter;
  /** the buckets of source addresses that send bad tokens */
  addressLimiter: RateLimiter;
  log: Logger;
  metrics: Metrics;
}

/** application/json, application/merge-patch+json and any other application/*+json, parameters aside. */
const isJson = (type: string | undefined) => /^application\/(?:json|[^;\s]*\+json)\s*(?:;|$)/i.test(type ?? '');
const isForm = (type: string | undefined) => /^application\/x-www-form-urlencoded\s*(?:;|$)/i.test(type ?? '');

/** The minute each flooding address was last audited in: one record a minute stands for all its refusals. */
const floodAudited = new Map<string, number>();
function firstThisMinute(address: string): boolean {
  const minute = Math.floor(Date.now() / 60_000);
  if (floodAudited.get(address) === minute) return false;
  if (floodAudited.size > 10_000) floodAudited.clear();
  floodAudited.set(address, minute);
  return true;
}

/** The IETF RateLimit-Policy and RateLimit headers of the caller's bucket (draft-ietf-httpapi-ratelimit-headers). */
function limit(res: Response, state: LimitState | undefined) {
  if (!state) return;
  for (const [k, v] of Object.entries(rateLimitHeaders(state))) res.setHeader(k, v);
}

/** One middleware for every operation: a route table lookup, then the operation; anything else falls through (404/405). */
export function mountOperations(router: Pick<Router, 'use'>, deps: MountDeps): void {
  const table = new RouteTable<CompiledOperation>();
  for (const op of deps.pipeline.byId.values()) table.add(op.method, op.path, op);
  router.use((req, res, next) => {
    // Every answer, an operation's or not: never sniffed into another content type than it says.
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const hit = table.match(req.method, req.path);
    if (!hit) {
      next();
      return;
    }
    void run(req, res, hit, deps);
  });
}

async function run(req: Request, res: Response, hit: RouteMatch<CompiledOperation>, deps: MountDeps) {
  const op = hit.value;
  const started = process.hrtime.bigint();
  const { meta } = op;
  const requestId =
    (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || newRequestId();
  res.setHeader('X-Request-Id', requestId);
  let principal: Principal | undefined;
  let status = 500;
  /** true once the pipeline has the call: from then on it audits the outcome itself */
  let inPipeline = false;
  try {
    principal = meta.anonymous
      ? ANONYMOUS
      : await authenticateFrom(deps.auth, deps.addressLimiter, req.headers.authorization, req.ip ?? '');
    if (principal.tokenId) limit(res, deps.limiter.take(principal.tokenId));
    if (hit.malformed)
      throw problems.invalidParameter([{ pointer: hit.malformed, detail: 'is not valid percent-encoding' }]);
    const query = parseQuery(req.url);
    if (query.malformed !== undefined)
      throw problems.invalidParameter([{ pointer: query.malformed, detail: 'is not valid percent-encoded UTF-8' }]);
    for (const name of Object.keys(hit.params))
      if (name in query.params)
        throw problems.invalidParameter([
          { pointer: name, detail: 'is given more than once (in the path and the query)', code: 'RepeatedParameter' },
        ]);
    const params: Record<string, string | string[]> = { ...query.params, ...hit.params };
    const hasBody =
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
      req.headers['transfer-encoding'] !== undefined;
    // An operation that takes a form (the Prometheus query API, as Grafana POSTs it) reads its fields as parameters,
    // after those of the query string, as Go's Request.Form merges them.
    if (op.form && hasBody && isForm(req.headers['content-type'])) {
      const form = await readFormBody(req);
      if (form.malformed !== undefined)
        throw problems.invalidParameter([{ pointer: form.malformed, detail: 'is not valid percent-encoded UTF-8' }]);
      for (const [name, value] of Object.entries(form.params)) {
        const prior = params[name];
        params[name] = prior === undefined ? value : [prior, value].flat();
      }
    }
    let body: unknown;
    if (op.v.body && hasBody && !op.raw) {
      if (!isJson(req.headers['content-type'])) throw problems.unsupportedMediaType(req.headers['content-type'] ?? '');
      body = await readJsonBody(req);
    }
    const header = (name: string) =>
      typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined;
    inPipeline = true;
    const result = await deps.pipeline.execute(op, {
      principal,
      params,
      body,
      hasBody,
      ifMatch: header('if-match'),
      idempotencyKey: header('idempotency-key'),
      requestId,
      sourceIp: req.ip ?? '',
      path: req.path,
      waitSeconds: preferredWait(header('prefer')),
      headers: req.headers,
      stream: op.raw ? req : undefined,
    });
    status = result.status;
    send(res, result, op.secrets);
  } catch (caught) {
    const flood = caught instanceof AddressLimited;
    const err = flood ? caught.problem : caught;
    const p = err instanceof Problem ? err : problems.internal();
    if (!(err instanceof Problem))
      deps.log.error({ err, request_id: requestId, op: meta.operationId }, 'unhandled error');
    status = p.status;
    // A write refused before the pipeline saw it (no token, a rate limit, an unreadable body) is audited here;
    // a flooding address's refusals, once a minute.
    if (!inPipeline && meta.mutating && (!flood || firstThisMinute(req.ip ?? '')))
      await deps.pipeline.auditRefusal(op, {
        principal,
        params: hit.params,
        problem: p,
        requestId,
        sourceIp: req.ip ?? '',
      });
    // An upload refused before its body was read: the rest is not worth receiving (nor keeping the connection for).
    if (op.raw && !req.readableEnded) res.setHeader('Connection', 'close');
    sendProblem(res, p, requestId, req.originalUrl);
  } finally {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    meters(deps.metrics, op, status).done(seconds);
    deps.metrics.usage.record(meta.operationId, principal?.userId, status, seconds);
    // A bucket's own request count (REST names it by id; the S3 door records its requests by name).
    const bucketId = op.target.kind?.kind === 'bucket' && op.target.idParam && hit.params[op.target.idParam];
    if (bucketId) deps.metrics.usage.recordBucket({ id: bucketId }, meta.method.toUpperCase());
    if (deps.log.isLevelEnabled('info')) {
      deps.log.info(
        {
          request_id: requestId,
          op: meta.operationId,
          method: meta.method,
          url: req.originalUrl,
          status,
          ms: Math.round(seconds * 1e4) / 10,
          user: principal?.userId,
        },
        'request',
      );
    }
  }
}

// prom-client hashes a label set on every call; the children for an operation and status are looked up once.
const meterCache = new WeakMap<CompiledOperation, Map<number, { done(seconds: number): void }>>();
function meters(metrics: Metrics, op: CompiledOperation, status: number) {
  let byStatus = meterCache.get(op);
  if (!byStatus) meterCache.set(op, (byStatus = new Map()));
  let m = byStatus.get(status);
  if (!m) {
    const count = metrics.requests.labels({
      operation: op.meta.operationId,
      method: op.meta.method,
      status: String(status),
    });
    const latency = metrics.latency.labels({ operation: op.meta.operationId });
    byStatus.set(
      status,
      (m = {
        done: (seconds) => {
          count.inc();
          latency.observe(seconds);
        },
      }),
    );
  }
  return m;
}

/** A response carrying a secret of its kind (x-secret) is `Cache-Control: no-store`. */
function send(res: Response, r: Result, secrets: readonly string[]) {
  res.status(r.status);
  if (r.headers) for (const [k, val] of Object.entries(r.headers)) res.setHeader(k, val);
  if (secrets.length && r.body && typeof r.body === 'object' && secrets.some((p) => p in (r.body as object)))
    res.setHeader('Cache-Control', 'no-store');
  const etag = (r.body as any)?.etag;
  if (typeof etag === 'string' && !res.hasHeader('ETag')) res.setHeader('ETag', etag);
  if (r.stream) {
    // A download: a read error after the headers went out can only cut the connection (the client sees a short body).
    pipeline(r.stream, res).catch(() => res.destroy());
    return;
  }
  if (r.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(r.body));
}
