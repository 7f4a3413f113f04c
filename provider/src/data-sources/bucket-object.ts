// data "atonix_bucket_object": an object's current version by bucket and key, as aws_s3_object's data source reads
// one: its metadata always, its bytes as `content` only for text types (Terraform strings are text).
import { DiagnosticsError, errorDiagnostic, type Attribute, type DataSourceType } from '../runtime/index.js';
import { ApiError, problemDiagnostics, type ApiClient } from '../framework/client.js';
import type { ApiBound } from '../framework/hand-written.js';
import { headObject, isText, objectBytes, unquote, utf8, type StoredObject } from '../resources/bucket-object-api.js';

const md = 'markdown' as const;
const attr = (a: Attribute): Attribute => ({ descriptionKind: md, ...a });
const computed = (type: Attribute['type'], description: string) => attr({ type, computed: true, description });

const schema = {
  version: 0,
  block: {
    description: "An object's current version in a bucket: its metadata, and its bytes when they are text.",
    descriptionKind: md,
    attributes: {
      id: computed('string', '`<bucket>/<key>`.'),
      bucket: attr({ type: 'string', required: true, description: "The bucket's id (`bkt-...`) or name." }),
      key: attr({ type: 'string', required: true, description: "The object's key." }),
      content: computed(
        'string',
        'The bytes as text, for a text type (`text/*`, JSON, XML, YAML, scripts) holding UTF-8; null otherwise.',
      ),
      content_type: computed('string', 'The media type.'),
      cache_control: computed('string', 'The `Cache-Control` it was stored with.'),
      content_disposition: computed('string', 'The `Content-Disposition` it was stored with.'),
      content_encoding: computed('string', 'The `Content-Encoding` it was stored with.'),
      content_language: computed('string', 'The `Content-Language` it was stored with.'),
      metadata: computed(['map', 'string'], 'User metadata (`x-amz-meta-*`).'),
      etag: computed('string', 'The ETag without quotes (the MD5 of the bytes in hex for a single upload).'),
      version_id: computed('string', 'The current version (`null` in a bucket that never had versioning).'),
      size: computed('number', 'The size in bytes.'),
    },
  },
};

/** The metadata, then the bytes of that same version (If-Match), again if a write slipped in between. */
async function readObject(c: ApiClient, bucket: string, key: string, signal: AbortSignal) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const o = await headObject(c, bucket, key, signal);
    if (!o)
      throw new DiagnosticsError(
        errorDiagnostic(
          `No object ${key} in bucket ${bucket}`,
          'It does not exist, or the bucket belongs to someone else.',
          ['key'],
        ),
      );
    if (!isText(o.content_type)) return { o, content: null };
    const bytes = await objectBytes(c, bucket, key, o.etag, signal);
    if (bytes) return { o, content: utf8(bytes) ?? null };
  }
  throw new DiagnosticsError(
    errorDiagnostic(`Cannot read object ${key} in bucket ${bucket}`, 'It kept changing while it was read.'),
  );
}

export function bucketObjectData(client: () => ApiClient): DataSourceType {
  return {
    schema,
    async read({ config }, { signal }) {
      const bucket = String(config.bucket);
      const key = String(config.key);
      let found: { o: StoredObject; content: string | null };
      try {
        found = await readObject(client(), bucket, key, signal);
      } catch (e) {
        if (e instanceof ApiError) throw new DiagnosticsError(problemDiagnostics(e, `Cannot read object ${key}`));
        throw e;
      }
      const { o, content } = found;
      return {
        state: {
          id: `${bucket}/${key}`,
          bucket,
          key,
          content,
          content_type: o.content_type,
          cache_control: o.cache_control ?? null,
          content_disposition: o.content_disposition ?? null,
          content_encoding: o.content_encoding ?? null,
          content_language: o.content_language ?? null,
          metadata: o.metadata ?? {},
          etag: unquote(o.etag),
          version_id: o.version_id,
          size: o.size,
        },
      };
    },
  };
}

export const bucketObjectDataSource: ApiBound<DataSourceType> = { schema, bind: bucketObjectData };
