// Multipart uploads: parts stored as they arrive (each charged to the bucket's usage at once), then completed into
// one version whose segments are the parts' files, in order: no byte is copied. S3's rules: parts 1..10000, 5 GiB
// at most, 5 MiB at least but the last, ascending in the completion, ETag = MD5 of the parts' MD5s + "-N".
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import { chargeUsage, type BucketRow } from '../bucket-store.js';
import { compositeChecksum, multipartEtag, type ChecksumAlgorithm } from './checksums.js';
import { newDataKey, openDataKey } from './data-keys.js';
import { receive, type Expectations } from './intake.js';
import type { ObjectAttributes } from './object-headers.js';
import { MAX_PUT_BYTES, checkKey, type Commit, type ObjectStore } from './object-store.js';
import {
  commitVersion,
  sameEtag,
  type Encryption,
  type ObjectRow,
  type Segment,
  type WriteConditions,
} from './versions.js';

type Db = Knex | Knex.Transaction;

export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export interface UploadRow {
  upload_id: string;
  bucket_id: string;
  key: string;
  initiated: Date;
  owner: string;
  content_type: string | null;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  tags: Record<string, string>;
  checksum_algorithm: ChecksumAlgorithm | null;
  checksum_type: string | null;
  encryption: Encryption | null;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  checksums: Record<string, string>;
  segment: Segment;
  last_modified: Date;
}

/** A part named in CompleteMultipartUpload. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  checksums: Record<string, string>;
}

const noSuchUpload = (id: string) =>
  problems.s3(
    'NoSuchUpload',
    'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    {
      UploadId: id,
    },
  );

export async function uploadOf(db: Db, bucket: BucketRow, key: string, uploadId: string, lock = false) {
  const q = db('multipart_uploads').where({ upload_id: uploadId, bucket_id: bucket.id, key });
  const row: UploadRow | undefined = await (lock ? q.forUpdate() : q).first();
  if (!row) throw noSuchUpload(uploadId);
  return row;
}

export function checkPartNumber(raw: string | undefined): number {
  const n = Number(raw);
  if (!raw || !/^\d+$/.test(raw) || n < 1 || n > MAX_PARTS)
    throw problems.s3('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive.`, {
      ArgumentName: 'partNumber',
      ArgumentValue: raw ?? '',
    });
  return n;
}

export class Multipart {
  constructor(private store: ObjectStore) {}

  async create(
    bucket: BucketRow,
    key: string,
    attributes: ObjectAttributes,
    checksum: { algorithm?: ChecksumAlgorithm; type?: string },
    commit: Commit,
  ): Promise<UploadRow> {
    checkKey(key);
    if (checksum.type && checksum.type !== 'COMPOSITE' && checksum.type !== 'FULL_OBJECT')
      throw problems.s3('InvalidRequest', 'x-amz-checksum-type must be COMPOSITE or FULL_OBJECT.');
    if (checksum.type === 'FULL_OBJECT')
      throw problems.s3(
        'NotImplemented',
        'Full-object checksums of multipart uploads are not supported; use COMPOSITE.',
      );
    const s = this.store;
    const dataKey = await newDataKey(s.db, s.keys, bucket, s.clock.date(), s.region);
    const row = {
      upload_id: randomBytes(24).toString('base64url'),
      bucket_id: bucket.id,
      key,
      initiated: s.clock.date(),
      owner: bucket.owner,
      content_type: attributes.content_type,
      metadata: JSON.stringify(attributes.metadata),
      headers: JSON.stringify(attributes.headers),
      tags: JSON.stringify(attributes.tags),
      checksum_algorithm: checksum.algorithm ?? null,
      checksum_type: checksum.algorithm ? 'COMPOSITE' : null,
      encryption: dataKey ? JSON.stringify(dataKey.encryption) : null,
    };
    const [stored] = await commit((trx) => trx('multipart_uploads').insert(row).returning('*'));
    return stored;
  }

  /** Stores one part (replacing an earlier part of the same number); charged to the bucket's quota at once. */
  async putPart(
    bucket: BucketRow,
    upload: UploadRow,
    partNumber: number,
    body: Readable,
    opts: { length?: number; expect?: Expectations; commit: Commit },
  ): Promise<PartRow> {
    const s = this.store;
    if (opts.length !== undefined && opts.length > MAX_PUT_BYTES)
      throw problems.s3('EntityTooLarge', 'A part may be at most 5 GiB.', { MaxSizeAllowed: MAX_PUT_BYTES });
    const dataKey = upload.encryption ? await openDataKey(s.db, s.keys, bucket, upload.encryption) : undefined;
    const got = await receive(s.files, body, { dataKey, expect: opts.expect, maxBytes: MAX_PUT_BYTES });
    try {
      const { part, freed } = await opts.commit(async (trx) => {
        await uploadOf(trx, bucket, upload.key, upload.upload_id, true); // aborted or completed meanwhile: 404
        const old: PartRow | undefined = await trx('multipart_parts')
          .where({ upload_id: upload.upload_id, part_number: partNumber })
          .first();
        await chargeUsage(trx, bucket, got.size - (old ? Number(old.size) : 0), 0);
        const values = {
          upload_id: upload.upload_id,
          part_number: partNumber,
          size: got.size,
          etag: `"${got.md5.toString('hex')}"`,
          checksums: JSON.stringify(got.checksums),
          segment: JSON.stringify(got.segment),
          last_modified: s.clock.date(),
        };
        const [part] = await trx('multipart_parts')
          .insert(values)
          .onConflict(['upload_id', 'part_number'])
          .merge()
          .returning('*');
        return { part: part as PartRow, freed: old ? [old.segment] : [] };
      });
      s.release(freed);
      return part;
    } catch (err) {
      s.release([got.segment]);
      throw err;
    }
  }

  /** The upload's parts, for ListParts (after `marker`, at most `max`). */
  async parts(uploadId: string, marker: number, max: number): Promise<PartRow[]> {
    return this.store
      .db('multipart_parts')
      .where({ upload_id: uploadId })
      .andWhere('part_number', '>', marker)
      .orderBy('part_number')
      .limit(max);
  }

  async complete(
    bucket: BucketRow,
    upload: UploadRow,
    named: CompletedPart[],
    conditions: WriteConditions,
    commit: Commit,
  ): Promise<ObjectRow> {
    const s = this.store;
    if (!named.length)
      throw problems.s3(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema: no Part.',
      );
    for (let i = 1; i < named.length; i++)
      if (named[i]!.partNumber <= named[i - 1]!.partNumber)
        throw problems.s3(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. Parts must be ordered by part number.',
        );
    const { row, freed } = await commit(async (trx) => {
      await uploadOf(trx, bucket, upload.key, upload.upload_id, true);
      const all: PartRow[] = await trx('multipart_parts').where({ upload_id: upload.upload_id }).orderBy('part_number');
      const byNumber = new Map(all.map((p) => [p.part_number, p]));
      const used: PartRow[] = [];
      named.forEach((n, i) => {
        const p = byNumber.get(n.partNumber);
        if (!p || !sameEtag(n.etag, p.etag))
          throw problems.s3(
            'InvalidPart',
            `Part ${n.partNumber} was not uploaded, or its ETag does not match ${n.etag}.`,
            {
              PartNumber: n.partNumber,
              ETag: n.etag,
            },
          );
        for (const [alg, v] of Object.entries(n.checksums))
          if (p.checksums[alg] !== undefined && p.checksums[alg] !== v)
            throw problems.s3('InvalidPart', `The ${alg} checksum of part ${n.partNumber} does not match.`, {
              PartNumber: n.partNumber,
            });
        if (i < named.length - 1 && Number(p.size) < MIN_PART_BYTES)
          throw problems.s3(
            'EntityTooSmall',
            `Part ${n.partNumber} is ${p.size} bytes; every part but the last must be at least 5 MiB.`,
            {
              PartNumber: n.partNumber,
              ProposedSize: Number(p.size),
              MinSizeAllowed: MIN_PART_BYTES,
            },
          );
        used.push(p);
      });
      const size = used.reduce((t, p) => t + Number(p.size), 0);
      const charged = all.reduce((t, p) => t + Number(p.size), 0);
      const alg = upload.checksum_algorithm;
      const checksums: Record<string, string> =
        alg && used.every((p) => p.checksums[alg])
          ? {
              [alg]: compositeChecksum(
                alg,
                used.map((p) => p.checksums[alg]!),
              ),
            }
          : {};
      const out = await commitVersion(
        trx,
        bucket,
        upload.key,
        {
          delete_marker: false,
          size,
          etag: `"${multipartEtag(used.map((p) => p.etag))}"`,
          content_type: upload.content_type,
          last_modified: s.clock.date(),
          metadata: upload.metadata,
          headers: upload.headers,
          checksums,
          checksum_type: Object.keys(checksums).length ? 'COMPOSITE' : null,
          tags: upload.tags,
          storage_class: 'STANDARD',
          segments: used.map((p) => p.segment),
          encryption: upload.encryption,
        },
        conditions,
        charged,
      );
      await trx('multipart_uploads').where({ upload_id: upload.upload_id }).delete(); // its parts go with it
      const kept = new Set(used.map((p) => p.part_number));
      return {
        row: out.row,
        freed: [...out.freed, ...all.filter((p) => !kept.has(p.part_number)).map((p) => p.segment)],
      };
    });
    s.release(freed);
    return row;
  }

  async abort(bucket: BucketRow, upload: UploadRow, commit: Commit): Promise<void> {
    const freed = await commit(async (trx) => {
      await uploadOf(trx, bucket, upload.key, upload.upload_id, true);
      const parts: PartRow[] = await trx('multipart_parts')
        .where({ upload_id: upload.upload_id })
        .delete()
        .returning('*');
      await chargeUsage(trx, bucket, -parts.reduce((t, p) => t + Number(p.size), 0), 0);
      await trx('multipart_uploads').where({ upload_id: upload.upload_id }).delete();
      return parts.map((p) => p.segment);
    });
    this.store.release(freed);
  }

  /** Unfinished uploads in key order, then initiation order (ListMultipartUploads). */
  async uploads(
    bucket: BucketRow,
    r: { prefix: string; keyMarker?: string; uploadIdMarker?: string; max: number },
  ): Promise<UploadRow[]> {
    const q = this.store.db('multipart_uploads').where({ bucket_id: bucket.id });
    if (r.prefix) q.andWhereRaw('starts_with(key, ?)', [r.prefix]);
    if (r.keyMarker !== undefined) {
      const km = r.keyMarker;
      if (r.uploadIdMarker)
        q.andWhere((w) =>
          w.where('key', '>', km).orWhere((x) => x.where('key', km).andWhere('upload_id', '>', r.uploadIdMarker!)),
        );
      else q.andWhere('key', '>', km);
    }
    return q.orderBy([{ column: 'key' }, { column: 'upload_id' }]).limit(r.max + 1);
  }
}
