// Scheduled task runs under load of the real kind: a run still going when the next falls due (overlap), retries and
// their backoff, timeouts, the idempotency key that keeps a retried create from acting twice, and the runs' events
// on the WebSocket. Slow calls are slow for real: the test holds a row or table lock in a transaction of its own, so
// the scheduled call blocks in PostgreSQL until the test lets go. Time moves only by the manual platform clock.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { ADMIN_TOKEN, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { watch } from '../../support/events.js';

type Agent = TestApp['admin'];
type Stream = Awaited<ReturnType<typeof watch>>;
const BASE = '/api/automation/scheduled-tasks';
const S = 1000;

describe('automation: scheduled task runs (overlap, retries, timeouts, replays, events)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let me: Agent;
  let token: string;
  let stream: Stream;
  let admin: Stream;
  let n = 0;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    const u = await newUser(app, 'runner');
    token = u.token;
    me = app.as(u.token);
    stream = await watch(app.url, token, '?kinds=scheduled_task');
    admin = await watch(app.url, ADMIN_TOKEN, '?kinds=scheduled_task');
  });
  const held: Knex.Transaction[] = [];
  // A failed test lets go of its locks, so the calls it held up end and the app can stop.
  afterEach(async () => {
    for (const trx of held.splice(0)) if (!trx.isCompleted()) await trx.rollback();
  });
  after(async () => {
    stream.ws.close();
    admin.ws.close();
    await app.close();
  });

  const db = () => app.platform.db;
  const now = async () => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
  /** Moves the clock; the promise is live at once (the move answers only once the runs it started have ended). */
  const setClock = (ms: number): Promise<unknown> =>
    app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(ms).toISOString() })
      .then((r) => expect(r.status, JSON.stringify(r.body)).to.equal(200));
  const create = async (body: object) =>
    (
      await me
        .post(BASE)
        .send({ name: `runs-${++n}`, schedule: 'rate(1 hour)', ...body })
        .expect(201)
    ).body;
  const vpc = async (name: string, cidr = '10.0.0.0/16') =>
    (await me.post('/api/networking/vpcs').set('Prefer', 'wait=10').send({ name, cidr_block: cidr }).expect(202)).body;
  const runs = async (id: string) =>
    (await me.get(`${BASE}/${id}/runs?limit=100`).expect(200)).body.items.sort(
      (a: any, b: any) => Date.parse(a.due_at) - Date.parse(b.due_at),
    );
  const runsSettled = (id: string, pred: (r: any[]) => boolean, what: string) =>
    eventually(async () => {
      const r = await runs(id);
      return pred(r) && r;
    }, what);
  /** Backends waiting for a lock while running a statement on `table`: the scheduled calls the test holds up. */
  const blockedOn = async (table: string) =>
    Number(
      (
        await db().raw(
          `select count(*) n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()
             and query ilike ?`,
          [`%${table}%`],
        )
      ).rows[0].n,
    );
  const waitBlocked = (table: string, count: number) =>
    eventually(async () => (await blockedOn(table)) >= count, `${count} calls blocked on ${table}`);
  /** A transaction of the test's own holding a lock (released by its rollback). */
  async function hold(lock: (trx: Knex.Transaction) => Promise<unknown>): Promise<Knex.Transaction> {
    const trx = await db().transaction();
    held.push(trx);
    await lock(trx);
    return trx;
  }
  /** The run's events on the owner's stream, as status:attempt, once one with `last` status has arrived. */
  async function eventsOf(runId: string, last: string, s = stream) {
    await s.until((e) => e.type === 'scheduled_task.run' && e.run_id === runId && e.status === last);
    return s.events.filter((e) => e.run_id === runId).map((e) => `${e.status}:${e.attempt}`);
  }

  describe('overlap', () => {
    it('skip records a run due while the previous one still runs as skipped; allow starts it beside', async () => {
      const target = await vpc('overlap');
      const patch = { operation_id: 'updateVpc', params: { id: target.id }, body: { name: 'overlap-renamed' } };
      const start = await now();
      const skip = await create({ schedule: 'rate(1 minute)', overlap: 'skip', timeout_seconds: 3600, target: patch });
      const allow = await create({
        schedule: 'rate(1 minute)',
        overlap: 'allow',
        timeout_seconds: 3600,
        target: patch,
      });
      const lock = await hold((trx) => trx('vpcs').where({ id: target.id }).forUpdate().first());
      const moves = [setClock(start + 60 * S)];
      await waitBlocked('vpcs', 2); // both tasks' first calls wait for the row
      moves.push(setClock(start + 120 * S));
      await waitBlocked('vpcs', 3); // allow's second call too; skip's second run was not started
      const going = (await runs(skip.id)).map((r: any) => r.status);
      expect(going).to.deep.equal(['running', 'skipped']);
      expect((await runs(allow.id)).map((r: any) => r.status)).to.deep.equal(['running', 'running']);
      await lock.rollback();
      await Promise.all(moves);
      const skipped = await runsSettled(skip.id, (r) => r[0]?.status === 'succeeded', 'the first run of skip');
      expect(skipped.map((r: any) => r.status)).to.deep.equal(['succeeded', 'skipped']);
      expect(skipped[1]).to.include({ started_at: null, response_status: null });
      expect(skipped[1].problem.title).to.equal('Skipped');
      expect(Date.parse(skipped[1].due_at) - Date.parse(skipped[0].due_at)).to.equal(60 * S);
      const allowed = await runsSettled(allow.id, (r) => r.every((x) => x.status === 'succeeded'), 'allow runs');
      expect(allowed).to.have.length(2);
      expect(allowed.map((r: any) => r.response_status)).to.deep.equal([200, 200]);
      // Events: skip's first run started and succeeded, its second was skipped without starting.
      expect(await eventsOf(skipped[0].id, 'succeeded')).to.deep.equal(['running:1', 'succeeded:1']);
      expect(await eventsOf(skipped[1].id, 'skipped')).to.deep.equal(['skipped:1']);
      for (const t of [skip, allow]) await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('retries', () => {
    it('retries a 409 after retry_backoff_seconds, doubled each attempt, until the call succeeds', async () => {
      const target = await vpc('retried', '10.2.0.0/16');
      const sub = (
        await me
          .post(`/api/networking/vpcs/${target.id}/subnets`)
          .send({ name: 'blocks-delete', cidr_block: '10.2.1.0/24' })
          .expect(201)
      ).body;
      const t = await create({
        retries: 3,
        retry_backoff_seconds: 60,
        target: { operation_id: 'deleteVpc', params: { id: target.id } },
      });
      const t0 = Date.parse(t.next_run_at);
      const attempts: any[] = [];
      let at = t0;
      for (const wait of [0, 60, 120, 240]) {
        at += wait * S;
        if (wait === 240) await me.delete(`/api/networking/subnets/${sub.id}`).expect(204); // now it can go
        await setClock(at - S); // a second early: nothing is attempted
        if (attempts.length) expect((await runs(t.id))[0]).to.include({ status: 'retrying', attempt: attempts.length });
        await setClock(at);
        const [run] = await runsSettled(
          t.id,
          (r) => r[0]?.attempt === attempts.length + 1 && r[0].status !== 'running',
          `attempt ${attempts.length + 1}`,
        );
        attempts.push(run);
      }
      expect(attempts.map((r) => `${r.status}:${r.response_status}`)).to.deep.equal([
        'retrying:409',
        'retrying:409',
        'retrying:409',
        'succeeded:204',
      ]);
      expect(attempts[0].problem.code).to.equal('ResourceInUse');
      // retry_at: the attempt's end plus 60 s, 120 s, 240 s.
      expect(attempts.slice(0, 3).map((r) => (Date.parse(r.retry_at) - Date.parse(r.ended_at)) / S)).to.deep.equal([
        60, 120, 240,
      ]);
      expect(attempts.map((r) => (Date.parse(r.started_at) - t0) / S)).to.deep.equal([0, 60, 180, 420]);
      expect(attempts[3].retry_at).to.equal(null);
      expect(attempts[3].problem).to.equal(null); // the 409 of the attempt before is not kept
      await me.get(`/api/networking/vpcs/${target.id}`).expect(404);
      expect(await eventsOf(attempts[0].id, 'succeeded')).to.deep.equal([
        'running:1',
        'retrying:1',
        'running:2',
        'retrying:2',
        'running:3',
        'retrying:3',
        'running:4',
        'succeeded:4',
      ]);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });

    it('gives up after `retries` further attempts: the run ends failed with the last problem', async () => {
      const target = await vpc('kept', '10.3.0.0/16');
      await me
        .post(`/api/networking/vpcs/${target.id}/subnets`)
        .send({ name: 'keeps-it', cidr_block: '10.3.1.0/24' })
        .expect(201);
      const t = await create({
        retries: 1,
        retry_backoff_seconds: 30,
        target: { operation_id: 'deleteVpc', params: { id: target.id } },
      });
      await setClock(Date.parse(t.next_run_at));
      await setClock(Date.parse(t.next_run_at) + 30 * S);
      const [run] = await runsSettled(t.id, (r) => r[0]?.status === 'failed', 'the run to fail');
      expect(run).to.include({ attempt: 2, response_status: 409, retry_at: null });
      expect(await eventsOf(run.id, 'failed')).to.deep.equal(['running:1', 'retrying:1', 'running:2', 'failed:2']);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('timeouts and replays', () => {
    it('times out a call that blocks past timeout_seconds; the retry replays the late commit instead of a second create', async () => {
      const name = `late-${n}`;
      const t = await create({
        timeout_seconds: 30,
        retries: 1,
        retry_backoff_seconds: 60,
        target: { operation_id: 'createVpc', body: { name, cidr_block: '10.4.0.0/16' } },
      });
      const t0 = Date.parse(t.next_run_at);
      const lock = await hold((trx) => trx.raw('lock table vpcs in share mode')); // inserts wait
      const first = setClock(t0);
      await waitBlocked('vpcs', 1);
      await setClock(t0 + 30 * S); // the timeout's instant: the attempt gives the call up
      const [timedOut] = await runsSettled(t.id, (r) => r[0]?.status === 'retrying', 'the timeout');
      expect(timedOut).to.include({ attempt: 1, response_status: null });
      expect(timedOut.problem.title).to.equal('Timed out');
      expect(Date.parse(timedOut.retry_at)).to.equal(t0 + 90 * S);
      await first; // the move that started it answered once the attempt ended
      await lock.rollback(); // the abandoned call goes on and commits its VPC
      await eventually(async () => (await db()('vpcs').where({ name }).count('* as c'))[0]!.c === 1, 'the VPC');
      await setClock(t0 + 90 * S);
      const [done] = await runsSettled(t.id, (r) => r[0]?.status === 'succeeded', 'attempt 2');
      expect(done).to.include({ attempt: 2, response_status: 202 });
      const vpcs = (await me.get(`/api/networking/vpcs?name=${name}`).expect(200)).body.items;
      expect(vpcs.map((v: any) => v.id)).to.deep.equal([done.response_body.id]); // one VPC, the late call's
      expect(await eventsOf(done.id, 'succeeded')).to.deep.equal([
        'running:1',
        'retrying:1',
        'running:2',
        'succeeded:2',
      ]);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });

    it('a call that committed but whose run was never recorded is replayed when recovered, not made twice', async () => {
      const name = `replayed-${n}`;
      const t = await create({
        timeout_seconds: 30,
        retries: 1,
        target: { operation_id: 'createVpc', body: { name, cidr_block: '10.5.0.0/16' } },
      });
      const t0 = Date.parse(t.next_run_at);
      await setClock(t0);
      const [made] = await runsSettled(t.id, (r) => r[0]?.status === 'succeeded', 'the create');
      // As a process killed between the call's commit and the run's record leaves it: still running.
      await db()('scheduled_task_runs')
        .where({ id: made.id })
        .update({ status: 'running', ended_at: null, response_status: null, response_body: null });
      await setClock(t0 + 89 * S); // timeout + grace not yet passed: left alone
      expect((await runs(t.id))[0].status).to.equal('running');
      await setClock(t0 + 91 * S);
      const [replayed] = await runsSettled(t.id, (r) => r[0]?.attempt === 2 && r[0].status === 'succeeded', 'replay');
      expect(replayed.response_status).to.equal(202);
      expect(replayed.problem).to.equal(null);
      expect(replayed.response_body.id).to.equal(made.response_body.id);
      const vpcs = (await me.get(`/api/networking/vpcs?name=${name}`).expect(200)).body.items;
      expect(vpcs).to.have.length(1);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });

    it('a timed-out call with no retries left ends timed_out', async () => {
      const target = await vpc('held', '10.6.0.0/16');
      const t = await create({
        timeout_seconds: 10,
        target: { operation_id: 'updateVpc', params: { id: target.id }, body: { name: 'held-renamed' } },
      });
      const t0 = Date.parse(t.next_run_at);
      const lock = await hold((trx) => trx('vpcs').where({ id: target.id }).forUpdate().first());
      const first = setClock(t0);
      await waitBlocked('vpcs', 1);
      await setClock(t0 + 10 * S);
      await first;
      const [run] = await runs(t.id);
      expect(run).to.include({ status: 'timed_out', attempt: 1, retry_at: null });
      expect(Date.parse(run.ended_at) - Date.parse(run.started_at)).to.equal(10 * S);
      await lock.rollback();
      expect(await eventsOf(run.id, 'timed_out')).to.deep.equal(['running:1', 'timed_out:1']);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('events', () => {
    it("reach the task's owner and admins, not another user", async () => {
      const other = await newUser(app, 'bystander');
      const theirs = await watch(app.url, other.token);
      const t = await create({ target: { operation_id: 'listVpcs' } });
      await setClock(Date.parse(t.next_run_at));
      const [run] = await runsSettled(t.id, (r) => r[0]?.status === 'succeeded', 'the run');
      const ev = await stream.until((e) => e.run_id === run.id && e.status === 'succeeded');
      expect(ev).to.include({
        type: 'scheduled_task.run',
        kind: 'scheduled_task',
        id: t.id,
        owner: t.owner,
        due_at: run.due_at,
        attempt: 1,
      });
      expect(await eventsOf(run.id, 'succeeded', admin)).to.deep.equal(['running:1', 'succeeded:1']);
      // The bystander's stream is live (it hears its own task's events) but heard nothing of the owner's.
      const own = (
        await app
          .as(other.token)
          .post(BASE)
          .send({ name: 'theirs', schedule: 'rate(1 hour)', target: { operation_id: 'listVpcs' } })
          .expect(201)
      ).body;
      await theirs.until((e) => e.id === own.id && e.type === 'created');
      expect(theirs.events.filter((e) => e.id === t.id)).to.deep.equal([]);
      theirs.ws.close();
      await app.as(other.token).delete(`${BASE}/${own.id}`).expect(204);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });
});
