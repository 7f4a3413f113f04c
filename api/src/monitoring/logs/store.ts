// Data access of log lines: the only file (with the migration and retention.ts) that knows the logs' tables. Writes a
// batch in one statement, reads a page newest first on the (time, id) keyset, and keeps each owner's settings.
import type { Knex } from 'knex';
import { problems } from '../../platform/problems.js';
import type { Scope } from '../types.js';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** A line to store. `origin`: what a platform line was made from; a second line of the same origin is not stored. */
export interface LineInput {
  owner: string;
  /** RFC 3339 (microseconds kept) */
  time: string;
  level: Level;
  source: string;
  resource_id?: string | null;
  kind?: string | null;
  message: string;
  fields?: Record<string, unknown>;
  origin?: string;
}

export interface Line {
  id: string;
  owner: string;
  time: string;
  level: Level;
  source: string;
  resource_id: string | null;
  kind: string | null;
  message: string;
  fields: Record<string, unknown>;
}

export interface LineFilter {
  resource_id?: string;
  kind?: string;
  /** the least severity */
  level?: Level;
  source?: string;
  start?: string;
  end?: string;
  /** path (split at dots) -> value, compared as text */
  fields?: { path: string[]; value: string }[];
  q?: string;
}

const RECORD = `owner text, time timestamptz, level text, source text, resource_id text, kind text, message text,
  fields jsonb, origin text`;

/** Stores `lines` in one statement (all or none); returns how many were stored (origins seen before are skipped). */
export async function insertLines(db: Knex | Knex.Transaction, lines: LineInput[]): Promise<number> {
  if (!lines.length) return 0;
  const { rows } = await db.raw(
    `with input as (select * from jsonb_to_recordset(?::jsonb) as x(${RECORD})),
          fresh as (insert into log_origins (origin, at) select distinct on (origin) origin, time from input
                     where origin is not null on conflict do nothing returning origin),
          stored as (insert into log_entries (owner, time, level, source, resource_id, kind, message, fields)
                     select owner, time, level, source, resource_id, kind, message, coalesce(fields, '{}') from input
                      where origin is null or origin in (select origin from fresh)
                     returning 1)
     select count(*)::int as n from stored`,
    [JSON.stringify(lines)],
  );
  return rows[0].n;
}

const TIME_TEXT = `to_char(time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const encodeCursor = (l: Line) => Buffer.from(`${l.time}|${l.id}`).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\|(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw problems.invalidParameter([
      { pointer: 'cursor', detail: 'is not a cursor this API issued', code: 'InvalidCursor' },
    ]);
  return [m[1]!, m[2]!];
}

/** A page of the lines `scope` sees that match `f`, newest first; the cursor is the last line's (time, id). */
export async function pageOfLines(
  db: Knex | Knex.Transaction,
  scope: Scope,
  f: LineFilter,
  limit: number,
  cursor?: string,
): Promise<{ items: Line[]; next_cursor: string | null }> {
  const q = db('log_entries').select(
    db.raw('id::text as id'),
    'owner',
    db.raw(`${TIME_TEXT} as time`),
    'level',
    'source',
    'resource_id',
    'kind',
    'message',
    'fields',
  );
  if (scope.owner !== null) q.where('owner', scope.owner);
  if (f.resource_id !== undefined) q.where('resource_id', f.resource_id);
  if (f.kind !== undefined) q.where('kind', f.kind);
  if (f.source !== undefined) q.where('source', f.source);
  if (f.level !== undefined && f.level !== 'trace') q.whereIn('level', LEVELS.slice(LEVELS.indexOf(f.level)));
  if (f.start !== undefined) q.where('time', '>=', f.start);
  if (f.end !== undefined) q.where('time', '<', f.end);
  for (const { path, value } of f.fields ?? [])
    // A dotted path reaches into nested objects, or names a key that has dots in it.
    q.whereRaw('(fields #>> ?::text[] = ? or fields ->> ? = ?)', [path, value, path.join('.'), value]);
  if (f.q !== undefined) q.whereRaw(`search @@ websearch_to_tsquery('english', ?)`, [f.q]);
  if (cursor !== undefined) q.whereRaw('(time, id) < (?::timestamptz, ?::bigint)', decodeCursor(cursor));
  const rows = (await q
    .orderBy([
      { column: 'time', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit + 1)) as Line[];
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return { items: rows, next_cursor: more ? encodeCursor(rows[rows.length - 1]!) : null };
}

/** The owner's retention, or `fallback` (the configured default) when they set none. */
export async function retentionOf(db: Knex | Knex.Transaction, owner: string, fallback: number): Promise<number> {
  const row = await db('log_settings').where({ owner }).first('retention_days');
  return row ? row.retention_days : fallback;
}

export async function setRetention(db: Knex | Knex.Transaction, owner: string, days: number, now: Date): Promise<void> {
  await db('log_settings')
    .insert({ owner, retention_days: days, updated_at: now })
    .onConflict('owner')
    .merge(['retention_days', 'updated_at']);
}
