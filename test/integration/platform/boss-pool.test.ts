// pg-boss's pool: parameterized statements are prepared once per connection and run generic plans; the rest
// (statements without values, possibly several in one text) goes as before.
import { expect } from 'chai';
import { BossPool } from '../../../api/src/platform/db/boss-pool.js';
import { freshDatabase } from '../../support/postgres.js';

describe('platform: the job queue connection pool', () => {
  let pool: BossPool;
  const errors: Error[] = [];
  before(async () => {
    pool = new BossPool(await freshDatabase(), 1, (e) => errors.push(e));
  });
  after(async () => {
    await pool.close();
    expect(errors).to.deep.equal([]);
  });

  it('prepares a parameterized statement once and runs its generic plan every time', async () => {
    const text = 'select id from vpcs where name = $1 and state < $2 limit 1';
    for (let i = 0; i < 3; i++) expect((await pool.executeSql(text, ['v', 'pending'])).rows).to.deep.equal([]);
    // One connection (max 1), so this sees the statements of the calls above.
    const { rows } = await pool.executeSql(
      'select statement, generic_plans::int, custom_plans::int from pg_prepared_statements',
    );
    expect(rows).to.deep.equal([{ statement: text, generic_plans: 3, custom_plans: 0 }]);
  });

  it('sends statements without values unprepared, several in one text included', async () => {
    const results = (await pool.executeSql('select 1 as a; select 2 as b')) as unknown as { rows: object[] }[];
    expect(results.map((r) => r.rows)).to.deep.equal([[{ a: 1 }], [{ b: 2 }]]);
    expect((await pool.executeSql('select count(*)::int as n from pg_prepared_statements')).rows).to.deep.equal([
      { n: 1 },
    ]);
  });

  it('keeps one prepared statement per text, and the same text under the same name', async () => {
    await pool.executeSql('select $1::int + 1 as x', [1]);
    expect((await pool.executeSql('select $1::int + 1 as x', [41])).rows).to.deep.equal([{ x: 42 }]);
    expect((await pool.executeSql('select count(*)::int as n from pg_prepared_statements')).rows).to.deep.equal([
      { n: 2 },
    ]);
  });

  it('runs a statement again, once and only once, when a column added to its table invalidates its prepared plan', async () => {
    await pool.executeSql('create table boss_pool_probe (id int)');
    const insert = 'insert into boss_pool_probe (id) values ($1) returning *';
    expect((await pool.executeSql(insert, [1])).rows).to.deep.equal([{ id: 1 }]);
    await pool.executeSql('alter table boss_pool_probe add column note text');
    expect((await pool.executeSql(insert, [2])).rows).to.deep.equal([{ id: 2, note: null }]);
    expect((await pool.executeSql(insert, [3])).rows).to.deep.equal([{ id: 3, note: null }]); // the named one again
    expect((await pool.executeSql('select id from boss_pool_probe order by id')).rows).to.deep.equal([
      { id: 1 },
      { id: 2 },
      { id: 3 },
    ]);
  });

  it('has every connection run generic plans from its first statement', async () => {
    expect((await pool.executeSql('select current_setting($1) as mode', ['plan_cache_mode'])).rows).to.deep.equal([
      { mode: 'force_generic_plan' },
    ]);
  });
});
