// Many rows into one table in one statement, passed as a single JSON value: PostgreSQL turns it into rows of the
// table's own type (json_populate_recordset), so jsonb, timestamps and the rest convert as a column would. One
// value instead of rows x columns keeps the statement cheap to build, send and parse.
import type { Knex } from 'knex';

type Row = Record<string, unknown>;

/**
 * The insert statements for `rows`, with `param(json)` as the JSON value's SQL. Rows with different key sets get
 * separate statements: a key left out must take its column default, not null.
 */
export function insertStatements(
  table: string,
  rows: Row[],
  returning: boolean,
  param: (json: string) => string,
): string[] {
  // Rows made by one draft share their keys in one order; another order only makes another statement.
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const sig = Object.keys(r).join(',');
    const group = groups.get(sig);
    if (group) group.push(r);
    else groups.set(sig, [r]);
  }
  return [...groups].map(([sig, group]) => {
    const cols = sig
      .split(',')
      .map((c) => `"${c}"`)
      .join(', ');
    return `insert into "${table}" (${cols}) select ${cols} from json_populate_recordset(null::"${table}", ${param(JSON.stringify(group))}::json)${returning ? ' returning *' : ''}`;
  });
}

/** Inserts `rows` and returns them as stored, in the same order (matched by `id`; pass returning false for tables without one). */
export async function insertRows(
  db: Knex | Knex.Transaction,
  table: string,
  rows: Row[],
  returning = true,
): Promise<Row[]> {
  if (!rows.length) return [];
  const stored = new Map<unknown, Row>();
  const bindings: string[] = [];
  for (const sql of insertStatements(table, rows, returning, (json) => {
    bindings.push(json);
    return '?';
  })) {
    const { rows: out } = await db.raw(sql, [bindings.shift()!]);
    for (const r of out) stored.set(r.id, r);
  }
  return returning ? rows.map((r) => stored.get(r.id)!) : [];
}

/** A value as an SQL literal, for statements sent whole (several in one simple-protocol message). */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot inline ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return dollarQuoted(v.toISOString());
  return dollarQuoted(typeof v === 'string' ? v : JSON.stringify(v));
}

/**
 * A string as a dollar-quoted literal: nothing inside is special, so there is nothing to escape (a scan for the tag
 * instead of a character-by-character copy). PostgreSQL text cannot hold NUL, as with any other literal.
 */
export function dollarQuoted(s: string): string {
  // The literal ends at the tag's first occurrence after the opening one, so that must be the closing tag itself
  // (a value ending in `$v` would otherwise end early).
  let tag = '$v$';
  for (let n = 0; (s + tag).indexOf(tag) !== s.length; n++) tag = `$v${n}$`;
  return `${tag}${s}${tag}`;
}

/**
 * `$1`-style parameters replaced by literals (one pass, so a literal's own text is never rescanned); `literal` may
 * instead keep a value as a binding and answer its placeholder.
 */
export const inlineParams = (text: string, values: unknown[], literal: (v: unknown) => string = sqlLiteral) =>
  text.replace(/\$(\d+)/g, (_, n) => literal(values[Number(n) - 1] ?? null));
