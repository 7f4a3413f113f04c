// The object domain both doors call (REST handlers and the S3 protocol): put, get, head, delete and list of
// versions in a bucket. A door authenticates, authorizes and supplies `commit`, which runs the short metadata
// transaction with the door's audit record; this layer never sees HTTP beyond the request headers.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import type { Clock } from '../../platform/clock.js';
import type { Logger } from '../../platform/logger.js';
import { problems } from '../../platform/problems.js';
import type { KeyStore } from '../../security/kms/key-store.js';
import { GIB, quotaExceeded, type BucketRow } from '../bucket-store.js';
import { newDataKey, openDataKey } from './data-keys.js';
import type { FileStore } from './file-store.js';
import { receive, type Expectations } from './intake.js';
import { listObjects, type ListPage, type ListRequest } from './listing.js';
import type { ObjectAttributes } from './object-headers.js';
import { readableSegments } from '../tiering/restore.js';
import { checkReadConditions, openBytes, parseRange, partRange, type ByteRange } from './reads.js';
import {
  commitVersion,
  deleteVersion,
  findVersion,
  latestVersion,
  type ObjectRow,
  type Segment,
  type WriteConditions,
} from './versions.js';

/** What tiering does on a read (storage/tiering/): records the access, brings a version back to STANDARD. */
export interface ReadHook {
  onRead(bucket: BucketRow, row: ObjectRow): Promise<ObjectRow>;
}

/** Runs the metadata transaction of a write, with the calling door's audit record in it. */
export type Commit = <T>(fn: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;

/** S3's largest single PUT (and part). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
export const MAX_KEY_BYTES = 1024;
/** Declared bodies from this size on are checked against the quota before they are read (S3's minimum part size). */
const PRECHECK_BYTES = 5 * 1024 * 1024;

export interface PutInput {
  body: Readable;
  /** the body's length when the client declared it (Content-Length, x-amz-decoded-content-length) */
  length?: number;
  attributes: ObjectAttributes;
  conditions?: WriteConditions;
  expect?: Expectations;
  commit: Commit;
}

export interface Download {
  row: ObjectRow;
  range?: ByteRange;
  /** absent for HEAD */
  stream?: Readable;
}

export function checkKey(key: string) {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw problems.s3('KeyTooLongError', `The key is ${Buffer.byteLength(key)} bytes; the limit is 1024.`);
  if (key.length === 0) throw problems.s3('InvalidArgument', 'The key may not be empty.', { ArgumentName: 'key' });
  // PostgreSQL text holds no NUL; a lone surrogate is not UTF-8 at all.
  if (/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(key))
    throw problems.s3('InvalidArgument', 'The key may not hold NUL or invalid UTF-8.', { ArgumentName: 'key' });
}

export class ObjectStore {
  /** set by storage/engine.ts: intelligent tiering's read tracking */
  tiering?: ReadHook;

  constructor(
    readonly db: Knex,
    readonly files: FileStore,
    readonly keys: KeyStore,
    readonly clock: Clock,
    readonly region: string,
    private log: Logger,
  ) {}

  /** Deletes the files of versions no row names any more (after their commit; the sweep catches a miss). */
  release(segments: Segment[]) {
    for (const s of segments)
      this.files.remove(s.file).catch((err) => this.log.warn({ err, file: s.file }, 'object file not removed'));
  }

  /** Fails early, before any byte is read, when a declared length cannot fit. */
  private async precheck(bucket: BucketRow, length: number | undefined) {
    if (length === undefined) return;
    if (length > MAX_PUT_BYTES)
      throw problems.s3('EntityTooLarge', `The body is ${length} bytes; a single upload may be at most 5 GiB.`, {
        ProposedSize: length,
        MaxSizeAllowed: MAX_PUT_BYTES,
      });
    // The commit checks the quota in any case; asking first pays only for a body worth not receiving.
    if (length < PRECHECK_BYTES) return;
    const usage = await this.db('bucket_usage').where({ bucket_id: bucket.id }).first('used_bytes');
    const used = Number(usage?.used_bytes ?? 0);
    if (used + length > Number(bucket.size_gb) * GIB) throw quotaExceeded(bucket, length, used);
  }

  async put(bucket: BucketRow, key: string, input: PutInput): Promise<ObjectRow> {
    checkKey(key);
    await this.precheck(bucket, input.length);
    const dataKey = await newDataKey(this.db, this.keys, bucket, this.clock.date(), this.region);
    const got = await receive(this.files, input.body, {
      dataKey: dataKey?.plaintext,
      expect: input.expect,
      maxBytes: MAX_PUT_BYTES,
    });
    try {
      const { row, freed } = await input.commit((trx) =>
        commitVersion(
          trx,
          bucket,
          key,
          {
            delete_marker: false,
            size: got.size,
            etag: `"${got.md5.toString('hex')}"`,
            content_type: input.attributes.content_type,
            last_modified: this.clock.date(),
            metadata: input.attributes.metadata,
            headers: input.attributes.headers,
            checksums: got.checksums,
            checksum_type: Object.keys(got.checksums).length ? 'FULL_OBJECT' : null,
            tags: input.attributes.tags,
            storage_class: 'STANDARD',
            segments: [got.segment],
            encryption: dataKey?.encryption ?? null,
          },
          input.conditions,
        ),
      );
      this.release(freed);
      return row;
    } catch (err) {
      this.release([got.segment]); // refused at commit (a condition, the quota): the bytes were never an object
      throw err;
    }
  }

  /** The version a read names: the current one (404 when it is a delete marker), or `versionId`. */
  async version(bucket: BucketRow, key: string, versionId?: string): Promise<ObjectRow> {
    checkKey(key);
    if (versionId !== undefined) {
      const row = await findVersion(this.db, bucket.id, key, versionId);
      if (!row)
        throw problems.s3('NoSuchVersion', `The version ${versionId} of ${key} does not exist.`, {
          Key: key,
          VersionId: versionId,
        });
      if (row.delete_marker)
        throw problems.s3(
          'MethodNotAllowed',
          'The version is a delete marker.',
          { Method: 'GET', ResourceType: 'DeleteMarker' },
          { 'x-amz-delete-marker': 'true', 'x-amz-version-id': row.version_id, Allow: 'DELETE' },
        );
      return row;
    }
    const row = await latestVersion(this.db, bucket.id, key);
    if (!row || row.delete_marker)
      throw problems.s3(
        'NoSuchKey',
        `The key ${key} does not exist.`,
        { Key: key },
        row ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': row.version_id } : {},
      );
    return row;
  }

  /** GET (with `body`) or HEAD of a version: conditions, then the range, then the bytes. */
  async get(
    bucket: BucketRow,
    key: string,
    opts: { versionId?: string; headers: IncomingHttpHeaders; body: boolean; partNumber?: number },
  ): Promise<Download> {
    let row = await this.version(bucket, key, opts.versionId);
    checkReadConditions(row, opts.headers);
    if (opts.body && this.tiering) row = await this.tiering.onRead(bucket, row);
    const rangeHeader = opts.headers.range as string | undefined;
    const range =
      opts.partNumber === undefined
        ? parseRange(rangeHeader, Number(row.size))
        : partRange(row, opts.partNumber, rangeHeader);
    if (!opts.body) return { row, range };
    return { row, range, stream: await this.bytes(bucket, row, range) };
  }

  /** The plaintext bytes of a stored version (a range of them), decrypted as they stream. */
  async bytes(bucket: BucketRow, row: ObjectRow, range?: ByteRange): Promise<Readable> {
    const dataKey = row.encryption ? await openDataKey(this.db, this.keys, bucket, row.encryption) : undefined;
    // An ARCHIVE version streams its restored copy, or is refused (403 InvalidObjectState) without one.
    return openBytes(this.files, { ...row, segments: readableSegments(row, this.clock.now()) }, dataKey, range);
  }

  async delete(bucket: BucketRow, key: string, versionId: string | undefined, commit: Commit) {
    checkKey(key);
    const out = await commit((trx) => deleteVersion(trx, bucket, key, versionId, this.clock.date()));
    this.release(out.freed);
    return out;
  }

  list(bucket: BucketRow, r: ListRequest): Promise<ListPage> {
    return listObjects(this.db, bucket.id, r);
  }
}
