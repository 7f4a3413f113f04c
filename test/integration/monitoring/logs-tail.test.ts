// The live tail: new log lines arrive on /api/events for a stream that asks for them (`?logs=1` or a `log_*`
// filter), filtered by resource, least level and substring, and never another owner's line.
import { expect } from 'chai';
import pg from 'pg';
import { watch } from '../../support/events.js';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';

const LOGS = '/api/monitoring/logs';

describe('monitoring: logs tail', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  before(async () => {
    app = await startApp();
    alice = await newUser(app, 'alice');
    bob = await newUser(app, 'bob');
  });
  after(() => app.close());

  const push = (token: string, entries: object[]) => app.as(token).post(LOGS).send({ entries }).expect(201);

  it("streams a pushed line to its owner, and not another owner's", async () => {
    const s = await watch(app.url, alice.token, '?logs=1');
    try {
      await push(bob.token, [{ message: 'bob was here', resource_id: 'inst-x' }]);
      await push(alice.token, [{ message: 'alice was here', level: 'warn', resource_id: 'inst-x', fields: { a: 1 } }]);
      const ev = await s.until((e) => e.type === 'log' && e.message === 'alice was here');
      expect(ev).to.include({
        kind: 'log_entry',
        owner: alice.id,
        level: 'warn',
        source: 'user',
        resource_id: 'inst-x',
        truncated: false,
      });
      expect(ev.fields).to.deep.equal({ a: 1 });
      expect(ev.id).to.match(/^\d+$/);
      // Events come in commit order: bob's line, committed first, would have arrived before alice's.
      expect(s.events.filter((e) => e.type === 'log').map((e) => e.message)).to.deep.equal(['alice was here']);
    } finally {
      s.ws.close();
    }
  });

  it('filters by resource, least level and a case-insensitive substring', async () => {
    const s = await watch(app.url, alice.token, '?log_resource_id=inst-y&log_level=error&log_q=DISK');
    try {
      await push(alice.token, [
        { message: 'disk failing', level: 'warn', resource_id: 'inst-y' },
        { message: 'disk failed', level: 'error', resource_id: 'inst-z' },
        { message: 'cpu hot', level: 'error', resource_id: 'inst-y' },
        { message: 'Disk gone', level: 'fatal', resource_id: 'inst-y' },
      ]);
      await push(alice.token, [{ message: 'disk last', level: 'error', resource_id: 'inst-y' }]);
      await s.until((e) => e.message === 'disk last');
      expect(s.events.filter((e) => e.type === 'log').map((e) => e.message)).to.deep.equal(['Disk gone', 'disk last']);
    } finally {
      s.ws.close();
    }
  });

  it('sends no lines to a stream that did not ask, and cuts a long line (GET has it whole)', async () => {
    const quiet = await watch(app.url, alice.token);
    const loud = await watch(app.url, alice.token, '?logs=true');
    try {
      const long = 'x'.repeat(5000);
      await push(alice.token, [{ message: long, fields: { big: 'y'.repeat(600) } }]);
      const ev = await loud.until((e) => e.type === 'log' && String(e.message).startsWith('xxx'));
      expect(ev).to.include({ truncated: true });
      expect(String(ev.message)).to.have.length(256);
      expect(ev.fields).to.deep.equal({});
      const [line] = (await app.as(alice.token).get(`${LOGS}?source=user&limit=1`).expect(200)).body.items;
      expect(line.message).to.equal(long);
      expect(line.fields.big).to.have.length(600);
      // The quiet stream heard the bus all along; a resource event after the line proves it is caught up.
      const vpc = await app.as(alice.token).post('/api/networking/vpcs').send({ name: 'v', cidr_block: '10.0.0.0/16' });
      expect(vpc.status).to.equal(202);
      await quiet.until((e) => e.id === vpc.body.id);
      expect(quiet.events.some((e) => e.type === 'log')).to.equal(false);
    } finally {
      quiet.ws.close();
      loud.ws.close();
    }
  });

  it('refuses a tail to a user whose policies deny GetLogEvents (403), and keeps their other events', async () => {
    const carol = await newUser(app, 'carol');
    const policy = await app.admin
      .post('/api/security/policies')
      .send({
        name: 'no-log-reading',
        document: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'NoLogs', Effect: 'Deny', Action: 'monitoring:GetLogEvents', Resource: '*' }],
        },
      })
      .expect(201);
    await app.admin.post(`/api/security/users/${carol.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
    await app.as(carol.token).get(LOGS).expect(403);
    let refused: unknown;
    await watch(app.url, carol.token, '?logs=1').then(
      (s) => s.ws.close(),
      (e) => (refused = e),
    );
    expect(String(refused)).to.match(/upgrade refused: 403/);
    const plain = await watch(app.url, carol.token);
    plain.ws.close();
  });

  it('sends no NOTIFY for lines while no process tails, and does once one does', async () => {
    const raw = new pg.Client({ connectionString: app.databaseUrl });
    await raw.connect();
    const heard: string[] = [];
    raw.on('notification', (m) => heard.push(...JSON.parse(m.payload!).map((e: any) => e.message)));
    await raw.query('listen atonix_logs');
    try {
      // The earlier tests' streams have closed; their process lets go of the tail lock once it hears the close.
      await eventually(async () => {
        const { rows } = await raw.query(
          `select count(*)::int n from pg_locks where locktype = 'advisory' and objid = 7301 and objsubid = 1`,
        );
        return rows[0].n === 0;
      }, 'no process to tail');
      await push(alice.token, [{ message: 'nobody tails this' }]);
      const s = await watch(app.url, alice.token, '?logs=1');
      await push(alice.token, [{ message: 'somebody tails this' }]);
      await s.until((e) => e.message === 'somebody tails this');
      s.ws.close();
      // The raw listener hears NOTIFYs in commit order: the first line's would have come before the second's.
      for (let i = 0; i < 100 && !heard.length; i++) await raw.query('select 1');
      expect(heard).to.deep.equal(['somebody tails this']);
    } finally {
      await raw.end();
    }
  });
});
