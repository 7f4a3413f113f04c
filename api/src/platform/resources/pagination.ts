// Keyset pagination over the monotonic `seq` column: newest first, stable under inserts, O(limit) at any depth.
import type { Knex } from 'knex';
import { problems } from '../problems.js';

export const encodeCursor = (seq: number) => Buffer.from(`s:${seq}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const m = /^s:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw problems.invalidParameter([
      { pointer: 'cursor', detail: 'is not a cursor this API issued', code: 'InvalidCursor' },
    ]);
  return Number(m[1]);
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The contract's default page size (`components.parameters.Limit`), which the validator fills in for a caller that sends none. */
const DEFAULT_LIMIT = 50;

/** Applies cursor and limit (fetching one extra row to know whether a next page exists). */
export async function page<T extends { seq: number }>(
  q: Knex.QueryBuilder,
  limit: number | undefined,
  cursor: string | undefined,
  column = 'seq',
): Promise<{ rows: T[]; next_cursor: string | null }> {
  limit ??= DEFAULT_LIMIT;
  const after = decodeCursor(cursor);
  if (after !== undefined) q.where(column, '<', after);
  const rows = (await q.orderBy(column, 'desc').limit(limit + 1)) as T[];
  const more = rows.length > limit;
  if (more) rows.length = limit;
  return { rows, next_cursor: more ? encodeCursor(rows[rows.length - 1]!.seq) : null };
}
