// An in-process LRU of rows read by id, invalidated by every change event (LISTEN/NOTIFY reaches every API
// process) and, for this process's own writes, right after commit so a client always reads what it wrote.
import type { Knex } from 'knex';

type Row = Record<string, any>;

export class RowCache {
  private rows = new Map<string, Row>();
  private invalidated = new Map<string, number>();
  private epoch = 0;
  /** tickets older than this are refused (after `invalidated` was trimmed) */
  private floor = 0;

  constructor(private max = 50_000) {}

  get(id: string): Row | undefined {
    const row = this.rows.get(id);
    if (row) {
      this.rows.delete(id);
      this.rows.set(id, row);
    }
    return row;
  }

  /** Take before reading the database; set() then refuses a row that a change overtook while it was read. */
  ticket(): number {
    return this.epoch;
  }

  set(id: string, row: Row, ticket: number): void {
    if (ticket < this.floor || (this.invalidated.get(id) ?? -1) > ticket) return;
    this.rows.set(id, row);
    if (this.rows.size > this.max) this.rows.delete(this.rows.keys().next().value!);
  }

  invalidate(id: string): void {
    this.epoch++;
    this.rows.delete(id);
    this.invalidated.set(id, this.epoch);
    if (this.invalidated.size > this.max) {
      this.invalidated.clear();
      this.floor = this.epoch + 1;
    }
  }
}

export const rowCache = new RowCache();

const touchedByTrx = new WeakMap<object, Set<string>>();

/** Notes an id written in a transaction, to invalidate once it commits. */
export function touch(db: Knex | Knex.Transaction, id: string): void {
  let set = touchedByTrx.get(db);
  if (!set) touchedByTrx.set(db, (set = new Set()));
  set.add(id);
}

export function invalidateTouched(db: Knex | Knex.Transaction): void {
  for (const id of touchedByTrx.get(db) ?? []) rowCache.invalidate(id);
  touchedByTrx.delete(db);
}

/** A transaction whose writes this process's row cache forgets as soon as it commits (workers' writes, say). */
export async function inTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  let written: Knex.Transaction | undefined;
  const result = await db.transaction((trx) => {
    written = trx;
    return work(trx);
  });
  if (written) invalidateTouched(written);
  return result;
}
