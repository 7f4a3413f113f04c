// A pooled connection of knex's pool, used directly: for messages of several statements sent whole (simple query
// protocol), where a round trip through the query builder per statement costs more than the statement itself.
import type { Knex } from 'knex';
import type pg from 'pg';

interface PoolClient {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(c: pg.Client): Promise<void>;
}

export async function withConnection<T>(db: Knex, work: (conn: pg.Client) => Promise<T>): Promise<T> {
  const client = db.client as PoolClient;
  const conn = await client.acquireConnection();
  try {
    return await work(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** The results of a message of statements, one per statement (pg returns a bare result for a single one). */
export const resultsOf = (out: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] =>
  Array.isArray(out) ? out : [out];

/**
 * `begin; ...first`, then `...second(its results); commit`, on one connection: a transaction in two round trips.
 * Any failure rolls back (a message that failed after its `begin` leaves the transaction open and aborted).
 * Returns the first message's results, one per statement.
 */
export async function twoStepTransaction(
  db: Knex,
  first: string[],
  second: (results: pg.QueryResult[]) => string[] | Promise<string[]>,
): Promise<pg.QueryResult[]> {
  return withConnection(db, async (conn) => {
    try {
      const results = resultsOf(await conn.query(['begin', ...first].join(';\n'))).slice(1);
      await conn.query([...(await second(results)), 'commit'].join(';\n'));
      return results;
    } catch (err) {
      await conn.query('rollback').catch(() => {});
      throw err;
    }
  });
}
