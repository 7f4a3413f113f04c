// Listing a bucket as S3 does: keys in UTF-8 byte order (the column is COLLATE "C"), a prefix, a delimiter that
// rolls keys up into common prefixes, and pages where keys and prefixes both count, a prefix never reappears on a
// later page, and a page is truncated only when something really follows.
import type { Knex } from 'knex';
import type { ObjectRow } from './versions.js';

type Db = Knex | Knex.Transaction;

export interface ListRequest {
  prefix: string;
  delimiter?: string;
  /** list what sorts after this key (StartAfter, a marker, or a continuation) */
  after?: string;
  /** versions: continue after this version of `after` (its seq), before the key's older versions */
  afterSeq?: number;
  maxKeys: number;
  versions?: boolean;
}

export interface Entry {
  row?: ObjectRow;
  prefix?: string;
}

export interface ListPage {
  rows: ObjectRow[];
  commonPrefixes: string[];
  truncated: boolean;
  /** what the next page continues after: the last key or prefix listed (and for versions, its seq) */
  next?: { key: string; seq?: number };
}

const BATCH = 1000;

/** The next rows after a position, in list order. */
async function batch(db: Db, bucketId: string, r: ListRequest, after: string | undefined, afterSeq?: number) {
  const q = db('objects').where({ bucket_id: bucketId });
  if (!r.versions) q.andWhere({ is_latest: true, delete_marker: false });
  if (r.prefix) q.andWhereRaw('starts_with(key, ?)', [r.prefix]).andWhere('key', '>=', r.prefix);
  if (after !== undefined) {
    if (r.versions && afterSeq !== undefined)
      q.andWhere((w) =>
        w.where('key', '>', after).orWhere((x) => x.where('key', after).andWhere('seq', '<', afterSeq)),
      );
    else q.andWhere('key', '>', after);
  }
  q.orderBy('key', 'asc');
  if (r.versions) q.orderBy('seq', 'desc');
  return (await q.limit(BATCH).select('*')) as ObjectRow[];
}

export async function listObjects(db: Db, bucketId: string, r: ListRequest): Promise<ListPage> {
  const out: ListPage = { rows: [], commonPrefixes: [], truncated: false };
  if (r.maxKeys <= 0) return out; // S3: nothing, and not truncated (a paginator would loop forever otherwise)
  let after = r.after;
  let afterSeq = r.afterSeq;
  let count = 0;
  // A page that ended on a common prefix continues past every key under it.
  let lastPrefix =
    r.delimiter && r.after !== undefined && rollUp(r.after, r.prefix, r.delimiter) === r.after ? r.after : undefined;
  for (;;) {
    const rows = await batch(db, bucketId, r, after, afterSeq);
    for (const row of rows) {
      const rolled = r.delimiter ? rollUp(row.key, r.prefix, r.delimiter) : undefined;
      if (rolled !== undefined && rolled === lastPrefix) continue; // the rest of a prefix already listed
      if (count === r.maxKeys) {
        out.truncated = true;
        return out;
      }
      count++;
      if (rolled !== undefined) {
        out.commonPrefixes.push(rolled);
        out.next = { key: rolled };
        lastPrefix = rolled;
      } else {
        out.rows.push(row);
        out.next = { key: row.key, seq: r.versions ? Number(row.seq) : undefined };
      }
    }
    if (rows.length < BATCH) return out;
    const last = rows[rows.length - 1]!;
    after = last.key;
    afterSeq = r.versions ? Number(last.seq) : undefined;
  }
}

/** The common prefix a key rolls up into (prefix + up to and including the first delimiter after it), if any. */
export function rollUp(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
