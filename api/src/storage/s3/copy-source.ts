// x-amz-copy-source and its conditions, shared by CopyObject and UploadPartCopy: which version of which object
// (the caller's, and readable to them), and whether x-amz-copy-source-if-* let the copy go ahead.
import { problems } from '../../platform/problems.js';
import { bucketByName, type BucketRow } from '../bucket-store.js';
import { sameEtag, type ObjectRow } from '../objects/versions.js';
import type { S3Ctx } from './door.js';

export interface CopySource {
  bucket: BucketRow;
  row: ObjectRow;
  /** the version was named in the header */
  versionId?: string;
}

export async function copySource(ctx: S3Ctx): Promise<CopySource> {
  const raw = String(ctx.headers['x-amz-copy-source']);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const versionId = q < 0 ? undefined : (new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '');
  } catch {
    throw problems.s3('InvalidArgument', 'x-amz-copy-source is not valid percent-encoding.', {
      ArgumentName: 'x-amz-copy-source',
    });
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw problems.s3('InvalidArgument', 'x-amz-copy-source must be <bucket>/<key>.', {
      ArgumentName: 'x-amz-copy-source',
    });
  const bucket = await bucketByName(ctx.deps.db, ctx.principal, decoded.slice(0, slash));
  const key = decoded.slice(slash + 1);
  await ctx.access.require(ctx, 'storage:GetObject', ctx.access.resource(bucket, key), bucket.id);
  const row = await ctx.store.version(bucket, key, versionId);
  checkCopyConditions(ctx, row);
  return { bucket, row, versionId };
}

/** x-amz-copy-source-if-match / -none-match / -modified-since / -unmodified-since, as S3 combines them: 412. */
function checkCopyConditions(ctx: S3Ctx, row: ObjectRow) {
  const h = (n: string) => {
    const v = ctx.headers[`x-amz-copy-source-if-${n}`];
    return typeof v === 'string' ? v : undefined;
  };
  const modified = Math.floor(new Date(row.last_modified).getTime() / 1000);
  const at = (v: string | undefined) => (v === undefined ? NaN : Math.floor(Date.parse(v) / 1000));
  const fail = (c: string) =>
    problems.s3('PreconditionFailed', `The copy source's ${c} condition does not hold.`, {
      Condition: `x-amz-copy-source-If-${c}`,
    });
  const ifMatch = h('match');
  const ifNone = h('none-match');
  const matches = (list: string) => list.split(',').some((t) => t.trim() === '*' || sameEtag(t, row.etag ?? ''));
  if (ifMatch !== undefined && !matches(ifMatch)) throw fail('Match');
  if (ifMatch === undefined && modified > at(h('unmodified-since'))) throw fail('Unmodified-Since');
  if (ifNone !== undefined && matches(ifNone)) throw fail('None-Match');
  if (ifNone === undefined && modified <= at(h('modified-since'))) throw fail('Modified-Since');
}
