// Statements sent whole on a pooled connection: the two-step transaction is all or nothing.
import { expect } from 'chai';
import knex, { type Knex } from 'knex';
import { twoStepTransaction } from '../../../api/src/platform/db/connection.js';
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
    const failed = await twoStepTransaction(db, ['insert into two_step values (3)'], () => [
      'insert into two_step values (1)',
    ]).catch((e: Error) => e);
    expect(failed).to.be.instanceOf(Error);
    // A failure while the first results are read (a check that throws) rolls back too.
    await twoStepTransaction(db, ['insert into two_step values (4)'], () => {
      throw new Error('refused');
    }).catch(() => {});
    expect((await db('two_step').orderBy('id')).map((r) => r.id)).to.deep.equal([1, 2]);
    // The connection went back to the pool usable, not stuck in an aborted transaction.
    expect((await db.raw('select 1 as ok')).rows[0].ok).to.equal(1);
  });
});
