// The S3 protocol's entry point: one request in, routed to its operation, authenticated by SigV4, answered in
// S3's XML. Served at /s3 on the API port, at the root of ATONIX_S3_PORT, and for `<bucket>.<ATONIX_S3_DOMAIN>`.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Deps } from '../../platform/deps.js';
import { Problem, problems } from '../../platform/problems.js';
import { newRequestId } from '../../platform/resources/ids.js';
import { inTransaction } from '../../platform/resources/row-cache.js';
import { bucketByName, type BucketRow } from '../bucket-store.js';
import { objectStoreOf } from '../engine.js';
import { checkBuffer } from '../objects/intake.js';
import type { Commit, ObjectStore } from '../objects/object-store.js';
import { S3Access, type S3Call } from './access.js';
import { decodedBody, type Body } from './body.js';
import { bucketOps } from './bucket-ops.js';
import { lifecycleOps } from './lifecycle-ops.js';
import { listOps } from './list-ops.js';
import { multipartOps } from './multipart-ops.js';
import { objectOps } from './object-ops.js';
import { parseS3Request, vhostBucketOf, type S3Request } from './request.js';
import { baseHeaders, sendError } from './responses.js';
import { ACTION, routeOf, type S3Operation } from './router.js';

export interface S3Ctx extends S3Call {
  op: S3Operation;
  r: S3Request;
  req: IncomingMessage;
  res: ServerResponse;
  headers: IncomingHttpHeaders;
  deps: Deps;
  store: ObjectStore;
  access: S3Access;
  /** the named bucket (NoSuchBucket when it is not the caller's) */
  bucket(lock?: boolean): Promise<BucketRow>;
  /** the request body, decoded (aws-chunked framing removed) with what it must hash to */
  body(): Body;
  /** a metadata transaction that carries this call's audit record */
  commit(action: string, bucketId: string | undefined, details: () => Record<string, unknown>): Commit;
}

export type S3Handler = (ctx: S3Ctx) => Promise<void>;

/** Operations that change something: each is audited, refused or not. */
const READS = new Set<S3Operation>([
  'ListBuckets',
  'HeadBucket',
  'GetBucketLocation',
  'GetBucketVersioning',
  'GetBucketEncryption',
  'GetBucketLifecycleConfiguration',
  'ListObjects',
  'ListObjectsV2',
  'ListObjectVersions',
  'ListMultipartUploads',
  'GetObject',
  'HeadObject',
  'GetObjectTagging',
  'ListParts',
]);

export function s3Door(deps: Deps) {
  const store = objectStoreOf(deps);
  const access = new S3Access(deps);
  const handlers: Record<S3Operation, S3Handler> = {
    ...bucketOps(),
    ...listOps(),
    ...objectOps(),
    ...multipartOps(),
    ...lifecycleOps(),
  };
  const domain = deps.config.storage.s3Domain;

  /** Serves one S3 request; `mount` is the path prefix the door is under ('' on its own port). */
  return async function serve(req: IncomingMessage, res: ServerResponse, mount: string): Promise<void> {
    const requestId = newRequestId();
    const started = process.hrtime.bigint();
    baseHeaders(res, requestId, deps.clock.date());
    // One access-log line per request, with the request id every S3 answer carries (x-amz-request-id).
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.usage.record(`s3:${op ?? 'Unknown'}`, call.principal?.userId, res.statusCode, seconds);
      if (r?.bucket) deps.metrics.usage.recordBucket({ name: r.bucket }, req.method ?? 'GET');
      if (!deps.log.isLevelEnabled('info')) return;
      deps.log.info(
        {
          request_id: requestId,
          door: 's3',
          op,
          method: req.method,
          url: req.url,
          status: res.statusCode,
          ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
          user: call.principal?.userId,
        },
        'request',
      );
    });
    const sourceIp = req.socket.remoteAddress ?? '';
    let op: S3Operation | undefined;
    let call: Pick<S3Call, 'requestId' | 'sourceIp'> & Partial<S3Call> = { requestId, sourceIp };
    let r: S3Request | undefined;
    try {
      r = parseS3Request(req, mount, vhostBucketOf(req.headers.host, domain));
      op = routeOf(r, req.headers);
      const { principal, auth } = await access.authenticate(r, req.headers);
      call = { principal, auth, requestId, sourceIp };
      const request = r;
      let decoded: Body | undefined;
      const ctx: S3Ctx = {
        ...(call as S3Call),
        op,
        r,
        req,
        res,
        headers: req.headers,
        deps,
        store,
        access,
        bucket: (lock) => bucketByName(deps.db, principal, request.bucket!, lock),
        body: () => (decoded ??= decodedBody(req, auth)),
        // inTransaction: this process's row cache forgets what the write changed (a bucket's versioning, say)
        // the moment it commits, so the next call reads it, without waiting for the change event.
        commit: (action, bucketId, details) => (fn) =>
          inTransaction(deps.db, async (trx) => {
            const out = await fn(trx);
            await access.audited(trx, call as S3Call, action, bucketId, details());
            return out;
          }),
      };
      await handlers[op](ctx);
    } catch (caught) {
      const p = caught instanceof Problem ? caught : internal(deps, caught, requestId);
      if (op && !READS.has(op) && p.code !== 'AccessDenied')
        await access.refused(call, ACTION[op], undefined, {
          code: p.code,
          status: p.status,
          bucket: r?.bucket,
          operation: op,
        });
      // The rest of an upload refused before it was read is not worth receiving.
      if (!req.readableEnded) res.setHeader('Connection', 'close');
      sendError(res, p, {
        requestId,
        resource: r ? (r.key !== undefined ? `/${r.bucket}/${r.key}` : `/${r.bucket ?? ''}`) : '/',
        head: req.method === 'HEAD',
      });
    }
  };
}

function internal(deps: Deps, err: unknown, requestId: string): Problem {
  deps.log.error({ err, request_id: requestId }, 's3: unhandled error');
  return problems.internal();
}

/** Reads a small request body (an XML document) whole, with the checks its headers ask for. */
export async function smallBody(ctx: S3Ctx, limit = 1024 * 1024): Promise<Buffer> {
  const { stream } = ctx.body();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as Readable) {
    size += (chunk as Buffer).length;
    if (size > limit) throw problems.s3('EntityTooLarge', `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  await checkBuffer(body, ctx.body().expect);
  return body;
}
