// Many rows into one table in one statement, passed as a single JSON parameter: PostgreSQL turns it into rows of
// the table's own type (json_populate_recordset), so jsonb, timestamps and the rest convert as a column would.
// One parameter instead of rows x columns keeps the statement cheap to build, send and parse.
import type { Knex } from 'knex';

type Row = Record<string, unknown>;

/** Inserts `rows` and returns them as stored, in the same order (matched by `id`; pass returning false for tables without one). */
export async function insertRows(db: Knex | Knex.Transaction, table: string, rows: Row[], returning = true): Promise<Row[]> {
  if (!rows.length) return [];
  // Rows with different key sets go in separate statements: a key left out must take its column default, not null.
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const sig = Object.keys(r).sort().join(',');
    groups.set(sig, [...(groups.get(sig) ?? []), r]);
  }
  const stored = new Map<unknown, Row>();
  for (const [sig, group] of groups) {
    const cols = sig.split(',').map((c) => `"${c}"`).join(', ');
    const { rows: out } = await db.raw(`insert into "${table}" (${cols}) select ${cols} from json_populate_recordset(null::"${table}", ?::json)${returning ? ' returning *' : ''}`, [JSON.stringify(group)]);
    for (const r of out) stored.set(r.id, r);
  }
  return returning ? rows.map((r) => stored.get(r.id)!) : [];
}
