// atonix_bucket_object: an object in a bucket, as aws_s3_object is one. Objects are no registry kind (no id, no row
// of their own in the contract), so this resource is written by hand over the REST object paths.
//
// The provider computes `etag` (the MD5 of the bytes, hex) at plan time from `content` or the `source` file. So a
// changed file plans an update with no `filemd5()` in the configuration, an object overwritten outside Terraform
// plans its upload again, and a plan that changes only where the bytes come from (content <-> source, or recording
// them after an import) uploads nothing.
import { readFileSync } from 'node:fs';
import {
  DiagnosticsError,
  UNKNOWN,
  errorDiagnostic,
  type Attribute,
  type AttributePath,
  type Diagnostic,
  type ObjectValue,
  type ResourceType,
  type Value,
} from '../runtime/index.js';
import { problemDiagnostics, ApiError, type ApiClient } from '../framework/client.js';
import type { ApiBound } from '../framework/hand-written.js';
import {
  HEADER_ATTRIBUTES,
  deleteObject,
  headObject,
  isText,
  md5Hex,
  objectBytes,
  putObject,
  unquote,
  utf8,
  type HeaderAttribute,
  type StoredObject,
} from './bucket-object-api.js';

const md = 'markdown' as const;
const attr = (a: Attribute): Attribute => ({ descriptionKind: md, ...a });
const HEADERS = Object.keys(HEADER_ATTRIBUTES) as HeaderAttribute[];
/** The largest object whose text an import reads into `content` (larger ones are recorded by the next apply). */
const IMPORT_TEXT_LIMIT = 1024 * 1024;

const schema = {
  version: 0,
  block: {
    description:
      'An object in a bucket (the bytes of `content` or of a `source` file), uploaded through the REST object paths.',
    descriptionKind: md,
    attributes: {
      id: attr({ type: 'string', computed: true, description: '`<bucket>/<key>`, as `terraform import` takes it.' }),
      bucket: attr({
        type: 'string',
        required: true,
        description: "The bucket's id (`bkt-...`) or name. Changing it replaces the object.",
      }),
      key: attr({
        type: 'string',
        required: true,
        description: "The object's key (1 to 1024 bytes). Changing it replaces the object.",
      }),
      content: attr({
        type: 'string',
        optional: true,
        description: 'The bytes, as UTF-8 text. Exactly one of `content` and `source`.',
      }),
      source: attr({
        type: 'string',
        optional: true,
        description:
          'A file whose bytes are uploaded (relative to the working directory; `"${path.module}/..."` in a module). ' +
          'The provider reads it at plan time: a change of its bytes plans an update. Exactly one of `content` and ' +
          '`source`.',
      }),
      content_type: attr({
        type: 'string',
        optional: true,
        computed: true,
        description: 'The media type downloads carry. Defaults to `binary/octet-stream`, as S3 does.',
      }),
      cache_control: attr({ type: 'string', optional: true, description: 'The `Cache-Control` downloads carry.' }),
      content_disposition: attr({
        type: 'string',
        optional: true,
        description: 'The `Content-Disposition` downloads carry.',
      }),
      content_encoding: attr({
        type: 'string',
        optional: true,
        description: 'The `Content-Encoding` downloads carry (the bytes are stored as given).',
      }),
      content_language: attr({
        type: 'string',
        optional: true,
        description: 'The `Content-Language` downloads carry.',
      }),
      metadata: attr({
        type: ['map', 'string'],
        optional: true,
        description:
          'User metadata, sent as `x-amz-meta-<key>` headers (keys lowercase, as HTTP delivers them; values ASCII).',
      }),
      etag: attr({
        type: 'string',
        computed: true,
        description:
          "The MD5 of the bytes in hex (the object's ETag without quotes). Known at plan time: the provider computes " +
          'it from `content` or `source`, so a changed file plans an update (no `filemd5()` needed).',
      }),
      version_id: attr({
        type: 'string',
        computed: true,
        description: 'The version the last upload made (`null` in a bucket that never had versioning).',
      }),
      size: attr({ type: 'number', computed: true, description: 'The size in bytes.' }),
    },
  },
};

const known = (v: Value | undefined) => v !== UNKNOWN && v !== undefined;
const str = (v: Value | undefined) => (typeof v === 'string' ? v : undefined);
const isMap = (v: Value | undefined): v is ObjectValue =>
  v !== null && v !== undefined && v !== UNKNOWN && typeof v === 'object' && !Array.isArray(v);
const sameMetadata = (a: Value | undefined, b: Value | undefined) => {
  const norm = (v: Value | undefined) =>
    isMap(v) ? JSON.stringify(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : '[]';
  return a !== UNKNOWN && b !== UNKNOWN && norm(a) === norm(b);
};

/** The bytes the configuration names: `content` as UTF-8, or the `source` file; UNKNOWN until both are known. */
function localBytes(v: ObjectValue): Buffer | typeof UNKNOWN {
  if (v.content === UNKNOWN || v.source === UNKNOWN) return UNKNOWN;
  if (typeof v.content === 'string') return Buffer.from(v.content, 'utf8');
  const path = String(v.source);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DiagnosticsError(
      errorDiagnostic('Cannot read the source file', `${path}: ${(e as Error).message}`, ['source']),
    );
  }
}

/** Whether going from `prior` to `planned` needs the bytes uploaded again (new bytes, or new headers or metadata). */
function uploads(prior: ObjectValue, planned: ObjectValue): boolean {
  return (
    planned.etag !== prior.etag ||
    HEADERS.some((h) => planned[h] === UNKNOWN || (planned[h] ?? null) !== (prior[h] ?? null)) ||
    !sameMetadata(planned.metadata, prior.metadata)
  );
}

/** State from the API's answer; what it does not hold (where the bytes came from, the names used) from `carry`. */
function stateOf(o: StoredObject, carry: ObjectValue): ObjectValue {
  const metadata = o.metadata ?? {};
  return {
    id: `${String(carry.bucket)}/${o.key}`,
    bucket: carry.bucket ?? null,
    key: o.key,
    content: carry.content ?? null,
    source: carry.source ?? null,
    ...Object.fromEntries(HEADERS.map((h) => [h, o[h] ?? null])),
    // No metadata reads as it was written: unset (null) or an empty map.
    metadata: Object.keys(metadata).length ? metadata : isMap(carry.metadata) ? {} : null,
    etag: unquote(o.etag),
    version_id: o.version_id,
    size: o.size,
  };
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

function validate(config: ObjectValue): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const given = ['content', 'source'].filter((a) => config[a] !== null);
  if (given.length !== 1)
    diags.push(
      errorDiagnostic(
        given.length ? 'Both content and source are set' : 'No content',
        'Set exactly one of `content` (the bytes as text) and `source` (a file to upload).',
        given.length ? ['source'] : [],
      ),
    );
  const bad = (path: AttributePath, what: string) =>
    diags.push(
      errorDiagnostic(`Invalid ${path.map((p) => (typeof p === 'object' ? p.key : p)).join('.')}`, what, path),
    );
  for (const h of HEADERS) {
    const v = config[h];
    if (typeof v === 'string' && !HEADER_VALUE.test(v)) bad([h], 'must be printable ASCII (it travels as a header).');
  }
  if (isMap(config.metadata)) {
    for (const [k, v] of Object.entries(config.metadata)) {
      if (!HEADER_NAME.test(k))
        bad(
          ['metadata', { key: k }],
          'keys must be lowercase letters, digits and `-`, `_`, `.` (HTTP lowercases them).',
        );
      else if (typeof v === 'string' && !HEADER_VALUE.test(v))
        bad(['metadata', { key: k }], 'values must be printable ASCII (they travel as x-amz-meta-* headers).');
    }
  }
  return diags;
}

/** `<bucket>/<key>`: the bucket is everything up to the first slash (bucket names have none). */
function importState(id: string): ObjectValue {
  const at = id.indexOf('/');
  if (at <= 0 || at === id.length - 1)
    throw new DiagnosticsError(
      errorDiagnostic(
        `Cannot import atonix_bucket_object "${id}"`,
        'Give it as <bucket>/<key>, e.g. assets/site/index.html.',
      ),
    );
  return { id, bucket: id.slice(0, at), key: id.slice(at + 1) };
}

export function bucketObject(client: () => ApiClient): ResourceType {
  const fail = (e: unknown, summary: string): never => {
    if (e instanceof ApiError) throw new DiagnosticsError(problemDiagnostics(e, summary));
    throw e;
  };
  return {
    schema,
    validate: ({ config }) => validate(config),

    plan({ priorState, proposedState, config }) {
      if (!proposedState || !config) return { plannedState: null };
      const planned: ObjectValue = { ...proposedState };
      const bytes = localBytes(planned);
      planned.etag = bytes === UNKNOWN ? UNKNOWN : md5Hex(bytes);
      planned.size = bytes === UNKNOWN ? UNKNOWN : bytes.length;
      const requiresReplace = priorState
        ? (['bucket', 'key'] as const).filter((a) => planned[a] !== priorState[a]).map((a) => [a])
        : [];
      if (!priorState || requiresReplace.length) {
        planned.id =
          known(planned.bucket) && known(planned.key) ? `${str(planned.bucket)}/${str(planned.key)}` : UNKNOWN;
        planned.version_id = UNKNOWN;
        if (config.content_type === null) planned.content_type = UNKNOWN;
      } else if (uploads(priorState, planned)) planned.version_id = UNKNOWN;
      return { plannedState: planned, requiresReplace };
    },

    async apply({ priorState, plannedState }, { signal }) {
      const c = client();
      if (!plannedState) {
        const bucket = String(priorState!.bucket);
        await deleteObject(c, bucket, String(priorState!.key), signal).catch((e) =>
          fail(e, `Cannot delete atonix_bucket_object ${String(priorState!.id)}`),
        );
        return { newState: null };
      }
      // Only where the bytes come from changed (they are the same bytes): record it, upload nothing.
      if (priorState && !uploads(priorState, plannedState))
        return { newState: { ...plannedState, version_id: priorState.version_id ?? null } };
      const bytes = localBytes(plannedState) as Buffer;
      if (md5Hex(bytes) !== plannedState.etag)
        throw new DiagnosticsError(
          errorDiagnostic(
            'The source file changed after the plan',
            `${String(plannedState.source)} no longer holds the bytes planned; plan again.`,
            ['source'],
          ),
        );
      const headers: Partial<Record<HeaderAttribute, string>> = {};
      for (const h of HEADERS) if (typeof plannedState[h] === 'string') headers[h] = plannedState[h] as string;
      const metadata = isMap(plannedState.metadata) ? (plannedState.metadata as Record<string, string>) : {};
      const bucket = String(plannedState.bucket);
      const key = String(plannedState.key);
      try {
        const stored = await putObject(c, bucket, key, { bytes, headers, metadata }, signal);
        return { newState: stateOf(stored, plannedState) };
      } catch (e) {
        return fail(e, `Cannot upload atonix_bucket_object ${bucket}/${key}`);
      }
    },

    async read({ state }, { signal }) {
      const c = client();
      const bucket = String(state.bucket);
      const key = String(state.key);
      try {
        const o = await headObject(c, bucket, key, signal);
        // Deleted outside Terraform (or its bucket): the next plan uploads it again.
        if (!o) return { state: null };
        const next = stateOf(o, state);
        // Just imported (neither content nor source known yet): a small text object's bytes become `content`, so a
        // configuration holding the same text plans nothing.
        if (state.content === null && state.source === null && isText(o.content_type) && o.size <= IMPORT_TEXT_LIMIT) {
          const bytes = await objectBytes(c, bucket, key, o.etag, signal);
          const text = bytes && utf8(bytes);
          if (text !== undefined && md5Hex(bytes!) === next.etag) next.content = text;
        }
        return { state: next };
      } catch (e) {
        return fail(e, `Cannot read atonix_bucket_object ${bucket}/${key}`);
      }
    },

    importState: ({ id }) => ({ state: importState(id) }),
  };
}

export const bucketObjectResource: ApiBound<ResourceType> = { schema, bind: bucketObject };
