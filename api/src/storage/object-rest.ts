// The REST door's object calls (the seed's paths): thin translations of a call's query, headers and stream into
// the object store, and of its answers into JSON (uploads, lists) or bytes (downloads). The S3 door is beside it.
import type { IncomingHttpHeaders } from 'node:http';
import type { Knex } from 'knex';
import type { Deps } from '../platform/deps.js';
import type { OpContext, Result } from '../platform/operations/context.js';
import { Problem, problems } from '../platform/problems.js';
import { buckets, type BucketRow } from './bucket-store.js';
import { objectStoreOf } from './engine.js';
import { expectationsFrom } from './objects/intake.js';
import { attributesFrom, objectHeaders, presentObject } from './objects/object-headers.js';
import type { WriteConditions } from './objects/versions.js';
import { requestRestore } from './tiering/restore.js';

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** If-None-Match and If-Match of a write, as S3 takes them: only `*` for the first, an ETag for the second. */
export function writeConditions(h: IncomingHttpHeaders, ifMatch = one(h['if-match'])): WriteConditions {
  const ifNoneMatch = one(h['if-none-match']);
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw problems.s3('NotImplemented', 'If-None-Match on a write accepts only `*`.', { Header: 'If-None-Match' });
  if (ifMatch !== undefined && ifMatch.trim() === '*')
    throw problems.s3('NotImplemented', 'If-Match on a write accepts only an ETag.', { Header: 'If-Match' });
  return { ifNoneMatch: ifNoneMatch !== undefined, ifMatch };
}

/** A REST list cursor: where the page ended (a key, and for versions its position), opaque to the client. */
const encodeCursor = (next: { key: string; seq?: number }) => Buffer.from(JSON.stringify(next)).toString('base64url');
function decodeCursor(cursor: string | undefined): { key: string; seq?: number } | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof v.key === 'string' && (v.seq === undefined || Number.isInteger(v.seq))) return v;
  } catch {
    // fall through
  }
  throw problems.invalidParameter([{ pointer: 'cursor', detail: 'is not a cursor this API gave out' }]);
}

export function objectRest(deps: Deps) {
  const store = objectStoreOf(deps);
  const bucketOf = (ctx: OpContext): Promise<BucketRow> => buckets.get(ctx.db, ctx.principal, ctx.params.id);
  const versioned = (b: BucketRow) => b.versioning_status !== 'Unversioned';
  return {
    async upload(ctx: OpContext): Promise<Result> {
      const bucket = await bucketOf(ctx);
      const key = String(ctx.query.key);
      const length = one(ctx.headers['content-length']);
      const row = await store.put(bucket, key, {
        body: ctx.stream!,
        length: length === undefined ? undefined : Number(length),
        attributes: attributesFrom(ctx.headers),
        conditions: writeConditions(ctx.headers, ctx.ifMatch),
        expect: expectationsFrom(ctx.headers),
        commit: (fn) => {
          ctx.audit = { resource_type: 'bucket', resource_id: bucket.id, details: { key } };
          return ctx.transaction(fn);
        },
      });
      ctx.audit.details = { key, version_id: row.version_id, size: Number(row.size) };
      const headers: Record<string, string> = { ETag: row.etag! };
      if (versioned(bucket)) headers['x-amz-version-id'] = row.version_id;
      return { status: 200, body: presentObject(row), headers };
    },

    async download(ctx: OpContext): Promise<Result> {
      const bucket = await bucketOf(ctx);
      try {
        const d = await store.get(bucket, String(ctx.query.key), {
          versionId: ctx.query.version_id,
          headers: ctx.headers,
          body: true,
        });
        const headers = objectHeaders(d.row, { checksums: false, versioned: versioned(bucket) });
        const size = Number(d.row.size);
        if (d.range) {
          headers['Content-Range'] = `bytes ${d.range.start}-${d.range.end}/${size}`;
          headers['Content-Length'] = String(d.range.end - d.range.start + 1);
        } else headers['Content-Length'] = String(size);
        return { status: d.range ? 206 : 200, headers, stream: d.stream };
      } catch (err) {
        // 304 carries no body: the headers say what the client already holds.
        if (err instanceof Problem && err.code === 'NotModified') return { status: 304, headers: err.headers };
        throw err;
      }
    },

    async remove(ctx: OpContext): Promise<Result> {
      const bucket = await buckets.get(ctx.db, ctx.principal, ctx.params.id);
      const key = String(ctx.query.key);
      const out = await store.delete(bucket, key, ctx.query.version_id, ctx.transaction);
      ctx.audit = {
        resource_type: 'bucket',
        resource_id: bucket.id,
        details: { key, version_id: out.versionId, delete_marker: out.deleteMarker },
      };
      const headers: Record<string, string> = {};
      if (out.deleteMarker) headers['x-amz-delete-marker'] = 'true';
      if (out.versionId) headers['x-amz-version-id'] = out.versionId;
      return { status: 204, headers };
    },

    /** POST /buckets/{id}/restore?key=: an ARCHIVE version's restore (tiering/restore.ts). */
    async restore(ctx: OpContext): Promise<Result> {
      const bucket = await bucketOf(ctx);
      const key = String(ctx.query.key);
      const row = await store.version(bucket, key, ctx.query.version_id);
      const outcome = await requestRestore(
        ctx.db as Knex.Transaction,
        row,
        ctx.body.days,
        deps.clock.now(),
        deps.config.storage.restoreDelaySeconds * 1000,
      );
      ctx.audit = {
        resource_type: 'bucket',
        resource_id: bucket.id,
        details: { key, version_id: row.version_id, days: ctx.body.days, restore: outcome },
      };
      const now = await ctx.db('objects').where({ seq: row.seq }).first();
      return { status: 202, body: presentObject(now) };
    },

    async list(ctx: OpContext): Promise<Result> {
      const bucket = await bucketOf(ctx);
      const after = decodeCursor(ctx.query.cursor);
      const page = await store.list(bucket, {
        prefix: ctx.query.prefix ?? '',
        delimiter: ctx.query.delimiter,
        after: after?.key,
        afterSeq: after?.seq,
        maxKeys: ctx.query.limit,
        versions: ctx.query.versions === true,
      });
      return {
        status: 200,
        body: {
          items: page.rows.map(presentObject),
          common_prefixes: page.commonPrefixes,
          next_cursor: page.truncated && page.next ? encodeCursor(page.next) : null,
        },
      };
    },
  };
}
