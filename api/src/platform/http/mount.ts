// Mounts every operation of the pipeline on an Express router: HTTP concerns only (auth header, rate limit,
// content type, request id, metrics, the access log); the rules live in pipeline.ts.
import type { Request, Response, Router } from 'express';
import type { Authenticator } from '../operations/authentication.js';
import type { Principal } from '../operations/principals.js';
import { newRequestId } from '../resources/ids.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../process-metrics.js';
import { Problem, problems } from '../problems.js';
import type { RateLimiter } from './rate-limit.js';
import type { Result } from '../operations/context.js';
import { readJsonBody } from './body.js';
import { sendProblem } from './problem-response.js';
import type { CompiledOperation, Pipeline } from '../operations/pipeline.js';
import { ANONYMOUS } from '../operations/principals.js';
import { preferredWait } from './prefer.js';
import { parseQuery } from './query.js';
import { RouteTable } from './route-table.js';

export interface MountDeps {
  pipeline: Pipeline;
  auth: Authenticator;
  limiter: RateLimiter;
  log: Logger;
  metrics: Metrics;
}

/** application/json, application/merge-patch+json and any other application/*+json, parameters aside. */
const isJson = (type: string | undefined) => /^application\/(?:json|[^;\s]*\+json)\s*(?:;|$)/i.test(type ?? '');

/** One middleware for every operation: a route table lookup, then the operation; anything else falls through (404/405). */
export function mountOperations(router: Pick<Router, 'use'>, deps: MountDeps): void {
  const table = new RouteTable<CompiledOperation>();
  for (const op of deps.pipeline.byId.values()) table.add(op.method, op.path, op);
  router.use((req, res, next) => {
    const hit = table.match(req.method, req.path);
    if (!hit) {
      next();
      return;
    }
    if (hit.malformed) {
      sendProblem(
        res,
        problems.invalidParameter([{ pointer: hit.malformed, detail: 'is not valid percent-encoding' }]),
        newRequestId(),
        req.originalUrl,
      );
      return;
    }
    const query = parseQuery(req.url);
    if (query.malformed !== undefined) {
      sendProblem(
        res,
        problems.invalidParameter([{ pointer: query.malformed, detail: 'is not valid percent-encoded UTF-8' }]),
        newRequestId(),
        req.originalUrl,
      );
      return;
    }
    void run(req, res, hit.value, { ...query.params, ...hit.params }, deps);
  });
}

async function run(
  req: Request,
  res: Response,
  op: CompiledOperation,
  params: Record<string, string | string[]>,
  deps: MountDeps,
) {
  const started = process.hrtime.bigint();
  const { meta } = op;
  const requestId =
    (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || newRequestId();
  res.setHeader('X-Request-Id', requestId);
  let principal: Principal | undefined;
  let status = 500;
  try {
    principal = meta.anonymous ? ANONYMOUS : await deps.auth.authenticate(req.headers.authorization);
    if (principal.tokenId) deps.limiter.take(principal.tokenId);
    const hasBody =
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') ||
      req.headers['transfer-encoding'] !== undefined;
    let body: unknown;
    if (op.v.body && hasBody) {
      if (!isJson(req.headers['content-type'])) throw problems.unsupportedMediaType(req.headers['content-type'] ?? '');
      body = await readJsonBody(req);
    }
    const header = (name: string) =>
      typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined;
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
    });
    status = result.status;
    send(res, result);
  } catch (err) {
    const p = err instanceof Problem ? err : problems.internal();
    if (!(err instanceof Problem))
      deps.log.error({ err, request_id: requestId, op: meta.operationId }, 'unhandled error');
    status = p.status;
    sendProblem(res, p, requestId, req.originalUrl);
  } finally {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    meters(deps.metrics, op, status).done(seconds);
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

function send(res: Response, r: Result) {
  res.status(r.status);
  if (r.headers) for (const [k, val] of Object.entries(r.headers)) res.setHeader(k, val);
  const etag = (r.body as any)?.etag;
  if (typeof etag === 'string' && !res.hasHeader('ETag')) res.setHeader('ETag', etag);
  if (r.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(r.body));
}
