// Statements sent whole on a pooled connection: the two-step transaction is all or nothing, and pg-boss's pool
// prepares each statement text once per connection, a bounded number of them.
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { twoStepTransaction } from '../../../api/src/platform/db/connection.js';
import { PreparedPool } from '../../../api/src/platform/db/prepared-pool.js';
import { freshDatabase } from '../../support/postgres.js';

describe('platform: raw connections', () => {
  let url: string;
  let db: Knex;
  before(async () => {
    url = await freshDatabase();
    db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 } });
    await db.raw('create table two_step (id int primary key)');
  });
  after(() => db.destroy());

  it('commits both messages of a two-step transaction, and rolls back the first when the second fails', async () => {
    const results = await twoStepTransaction(db, ['insert into two_step values (1) returning id'], ([inserted]) => {
      expect(inserted!.rows).to.deep.equal([{ id: 1 }]);
      return ['insert into two_step values (2)'];
    });
    expect(results).to.have.length(1);
    expect((await db('two_step').orderBy('id')).map((r) => r.id)).to.deep.equal([1, 2]);

    // The second message breaks the primary key: nothing of either message stays.
    const failed = await twoStepTransaction(db, ['insert into two_step values (3)'], () => ['insert into two_step values (1)']).catch((e: Error) => e);
    expect(failed).to.be.instanceOf(Error);
    // A failure while the first results are read (a check that throws) rolls back too.
    await twoStepTransaction(db, ['insert into two_step values (4)'], () => { throw new Error('refused'); }).catch(() => {});
    expect((await db('two_step').orderBy('id')).map((r) => r.id)).to.deep.equal([1, 2]);
    // The connection went back to the pool usable, not stuck in an aborted transaction.
    expect((await db.raw('select 1 as ok')).rows[0].ok).to.equal(1);
  });

  it('prepares a parameterised statement once per connection, and runs texts beyond its bound unnamed', async () => {
    const pool = new PreparedPool({ connectionString: url, max: 1 }, () => {});
    try {
      for (let i = 0; i < 3; i++) expect((await pool.executeSql('select $1::int + 1 as n', [i])).rows[0].n).to.equal(i + 1);
      const prepared = async () => (await pool.executeSql('select name from pg_prepared_statements where name like $1', ['pgboss_%'])).rows.map((r) => r.name);
      expect(await prepared()).to.have.members(['pgboss_1', 'pgboss_2']); // the addition, and this query itself
      // Without parameters: the simple protocol, several statements at once (pg-boss's migrations send such).
      const both = (await pool.executeSql('select 1 as one; select 2 as two', [])) as unknown as { rows: unknown[] }[];
      expect(both.map((r) => r.rows)).to.deep.equal([[{ one: 1 }], [{ two: 2 }]]);
      for (let i = 0; i < 250; i++) await pool.executeSql(`select $1::int + ${i} as n`, [1]);
      expect((await prepared()).length).to.equal(200);
      expect((await pool.executeSql('select $1::int * 3 as n', [5])).rows[0].n).to.equal(15);
    } finally {
      await pool.close();
    }
  });
});
