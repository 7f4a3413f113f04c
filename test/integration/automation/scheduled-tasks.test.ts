// Scheduled tasks: schedules in time zones across DST, rate and at, pause/resume, catch-up, the owner's IAM applied
// to each run, and the refusals at create, all under the manual platform clock (no test sleeps through time).
import { expect } from 'chai';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';

type Agent = TestApp['admin'];
const BASE = '/api/automation/scheduled-tasks';
const HOUR = 3600_000;

describe('automation: scheduled tasks', function () {
  this.timeout(120_000);
  let app: TestApp;
  let me: Agent;
  let userId: string;
  let n = 0;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    const u = await newUser(app, 'scheduler');
    userId = u.id;
    me = app.as(u.token);
    await setClock(Date.parse('2027-03-25T00:00:00Z'));
  });
  after(() => app.close());

  const now = async () => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
  const setClock = (ms: number) =>
    app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(ms).toISOString() })
      .expect(200);
  /** Moves the clock to `to` in steps, as time passes for a running platform (each step a tick). */
  async function stepTo(to: number, stepMs = HOUR) {
    for (let t = (await now()) + stepMs; t < to; t += stepMs) await setClock(t);
    await setClock(to);
  }
  const create = (body: object, as: Agent = me) =>
    as.post(BASE).send({ name: `task-${++n}`, target: { operation_id: 'listVpcs' }, ...body });
  const runs = async (id: string, as: Agent = me) =>
    (await as.get(`${BASE}/${id}/runs?limit=200`).expect(200)).body.items.sort(
      (a: any, b: any) => Date.parse(a.due_at) - Date.parse(b.due_at),
    );
  /** The task's runs once `count` have ended (runs may be taken by the worker thread, after the clock call). */
  const ended = (id: string, count: number, as: Agent = me) =>
    eventually(async () => {
      const r = await runs(id, as);
      return r.length === count && r.every((x: any) => x.status !== 'running') && r;
    }, `${count} runs of ${id}`);

  describe('createScheduledTask', () => {
    it('computes next_run_at in the task time zone and answers 201 with Location', async () => {
      const r = await create({ schedule: '0 19 * * 1-5', timezone: 'Europe/Berlin' }).expect(201);
      expect(r.headers.location).to.equal(`${BASE}/${r.body.id}`);
      expect(r.body).to.include({ state: 'enabled', overlap: 'skip', catch_up: 'none', retries: 0, owner: userId });
      expect(r.body.next_run_at).to.equal('2027-03-25T18:00:00.000Z');
      await me.delete(`${BASE}/${r.body.id}`).expect(204);
    });

    it('refuses a bad expression, zone or target with a 422 naming the field', async () => {
      const cases: [object, string][] = [
        [{ schedule: '61 * * * *' }, '/schedule'],
        [{ schedule: '* * *' }, '/schedule'],
        [{ schedule: '* * * * * * *' }, '/schedule'],
        [{ schedule: 'rate(0 minutes)' }, '/schedule'],
        [{ schedule: 'rate(5 fortnights)' }, '/schedule'],
        [{ schedule: 'at(2020-01-01T09:00:00)' }, '/schedule'],
        [{ schedule: '0 9 * * *', timezone: 'Mars/Olympus' }, '/timezone'],
        [{ schedule: '0 9 * * *', target: { operation_id: 'stopEverything' } }, '/target/operation_id'],
        [
          { schedule: '0 9 * * *', target: { operation_id: 'listVpcs', params: { colour: 'red' } } },
          '/target/params/colour',
        ],
        [{ schedule: '0 9 * * *', target: { operation_id: 'listVpcs', body: {} } }, '/target/body'],
        [{ schedule: '0 9 * * *', target: { operation_id: 'createVpc' } }, '/target/body'],
        [
          { schedule: '0 9 * * *', target: { operation_id: 'createVpc', body: { name: 'v', cidr_block: 42 } } },
          '/target/body/cidr_block',
        ],
      ];
      for (const [body, pointer] of cases) {
        const r = await create(body);
        expect(r.status, JSON.stringify(body)).to.equal(422);
        expect(
          r.body.errors.map((e: any) => e.pointer),
          JSON.stringify(body),
        ).to.include(pointer);
      }
    });
  });

  describe('runs', () => {
    it('runs a weekday 19:00 Europe/Berlin task on exactly the 5 weekdays of a week across the DST change', async () => {
      const t = (await create({ schedule: '0 19 * * 1-5', timezone: 'Europe/Berlin' }).expect(201)).body;
      await stepTo(Date.parse('2027-04-01T00:00:00Z'));
      const r = await ended(t.id, 5);
      // 19:00 CET is 18:00Z until Sunday 28 March; 19:00 CEST is 17:00Z after it.
      expect(r.map((x: any) => x.due_at)).to.deep.equal([
        '2027-03-25T18:00:00.000Z',
        '2027-03-26T18:00:00.000Z',
        '2027-03-29T17:00:00.000Z',
        '2027-03-30T17:00:00.000Z',
        '2027-03-31T17:00:00.000Z',
      ]);
      for (const run of r) {
        expect(run).to.include({ status: 'succeeded', response_status: 200, attempt: 1, task_id: t.id });
        expect(run.response_body.items).to.be.an('array');
        expect(Date.parse(run.ended_at)).to.be.at.least(Date.parse(run.started_at));
      }
      const after = (await me.get(`${BASE}/${t.id}`).expect(200)).body;
      expect(after.next_run_at).to.equal('2027-04-01T17:00:00.000Z');
      expect(after.last_run_at).to.equal('2027-03-31T17:00:00.000Z');
      await me.post(`${BASE}/${t.id}/pause`).expect(200);
    });

    it('runs a rate every interval from its creation, and at() once in its zone', async () => {
      const start = await now();
      const rate = (await create({ schedule: 'rate(5 minutes)' }).expect(201)).body;
      expect(Date.parse(rate.next_run_at)).to.equal(start + 5 * 60_000);
      const once = (await create({ schedule: 'at(2027-04-01T02:10:00)', timezone: 'Europe/Berlin' }).expect(201)).body;
      expect(once.next_run_at).to.equal('2027-04-01T00:10:00.000Z');
      await stepTo(start + 15 * 60_000, 60_000);
      expect((await ended(rate.id, 3)).map((x: any) => Date.parse(x.due_at) - start)).to.deep.equal([
        300_000, 600_000, 900_000,
      ]);
      expect((await ended(once.id, 1))[0].due_at).to.equal('2027-04-01T00:10:00.000Z');
      expect((await me.get(`${BASE}/${once.id}`).expect(200)).body.next_run_at).to.equal(null);
      await me.delete(`${BASE}/${rate.id}`).expect(204);
    });

    it('makes up runs missed while the platform was down as catch_up says (none, latest, all)', async () => {
      const start = await now();
      const ids: Record<string, string> = {};
      for (const c of ['none', 'latest', 'all'])
        ids[c] = (await create({ schedule: 'rate(1 hour)', catch_up: c }).expect(201)).body.id;
      await setClock(start + 5.5 * HOUR); // one jump: five runs were due, the newest half an hour ago
      expect(await runs(ids.none!)).to.have.length(0);
      const latest = await ended(ids.latest!, 1);
      expect(Date.parse(latest[0].due_at)).to.equal(start + 5 * HOUR);
      const all = await ended(ids.all!, 5);
      expect(all.map((x: any) => (Date.parse(x.due_at) - start) / HOUR)).to.deep.equal([1, 2, 3, 4, 5]);
      for (const id of Object.values(ids)) {
        expect(Date.parse((await me.get(`${BASE}/${id}`).expect(200)).body.next_run_at)).to.equal(start + 6 * HOUR);
        await me.delete(`${BASE}/${id}`).expect(204);
      }
    });

    it('calls the target as the owner: a call IAM denies is recorded as a failed run with the problem', async () => {
      const deny = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-vpc-lists',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'networking:ListVpcs', Resource: '*' }],
          },
        })
        .expect(201);
      const u = await newUser(app, 'denied');
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: deny.body.id }).expect(201);
      const as = app.as(u.token);
      const t = (await create({ schedule: 'rate(1 hour)' }, as).expect(201)).body;
      await setClock(Date.parse(t.next_run_at));
      const [run] = await ended(t.id, 1, as);
      expect(run).to.include({ status: 'failed', response_status: 403 });
      expect(run.problem).to.include({ status: 403, code: 'AccessDenied' });
      expect(run.problem.detail).to.contain('networking:ListVpcs');
      const audit = await app.admin.get(`/api/security/audit-logs?limit=20`).expect(200);
      const denial = audit.body.items.find((a: any) => a.request_id === `sched-${run.id}`);
      expect(denial).to.include({ action: 'networking:ListVpcs', user_id: u.id, status: 'failure' });
      await as.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('crash recovery', () => {
    it('a run left running by a process that died neither blocks the task nor stays running', async () => {
      const t = (await create({ schedule: 'rate(1 hour)', timeout_seconds: 30 }).expect(201)).body;
      const start = await now();
      // As a process killed mid-call leaves it: claimed, started, never ended.
      await app.platform.db('scheduled_task_runs').insert({
        id: 'run-abandoned000001',
        task_id: t.id,
        due_at: new Date(start - 60_000),
        status: 'running',
        started_at: new Date(start - 60_000),
      });
      await setClock(Date.parse(t.next_run_at));
      const r = await ended(t.id, 2);
      expect(r[0]).to.include({ id: 'run-abandoned000001', status: 'timed_out' });
      expect(r[0].problem.title).to.equal('Abandoned');
      expect(r[1]).to.include({ status: 'succeeded' }); // overlap: skip did not skip it
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('pauseScheduledTask and resumeScheduledTask', () => {
    it('pausing stops runs and clears next_run_at; resuming runs from the next due time after now', async () => {
      const t = (await create({ schedule: 'rate(5 minutes)' }).expect(201)).body;
      const paused = (await me.post(`${BASE}/${t.id}/pause`).expect(200)).body;
      expect(paused).to.include({ state: 'paused', next_run_at: null });
      await stepTo((await now()) + 20 * 60_000, 5 * 60_000);
      expect(await runs(t.id)).to.have.length(0);
      const resumed = (await me.post(`${BASE}/${t.id}/resume`).expect(200)).body;
      expect(resumed.state).to.equal('enabled');
      expect(Date.parse(resumed.next_run_at)).to.be.greaterThan(await now());
      await setClock(Date.parse(resumed.next_run_at));
      expect(await ended(t.id, 1)).to.have.length(1);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('updateScheduledTask', () => {
    it('a new schedule moves next_run_at; a bad one is refused', async () => {
      const t = (await create({ schedule: '0 9 * * *' }).expect(201)).body;
      const at = await now();
      const r = await me.patch(`${BASE}/${t.id}`).send({ schedule: 'rate(2 hours)' }).expect(200);
      expect(Date.parse(r.body.next_run_at)).to.be.greaterThan(at);
      expect(r.body.next_run_at).to.not.equal(t.next_run_at);
      const bad = await me.patch(`${BASE}/${t.id}`).send({ timezone: 'Nowhere/Land' }).expect(422);
      expect(bad.body.errors[0].pointer).to.equal('/timezone');
      const badTarget = await me
        .patch(`${BASE}/${t.id}`)
        .send({ target: { operation_id: 'nope' } })
        .expect(422);
      expect(badTarget.body.errors[0].pointer).to.equal('/target/operation_id');
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });

  describe('listScheduledTaskRuns', () => {
    it("is another owner's 404", async () => {
      const t = (await create({ schedule: 'rate(1 day)' }).expect(201)).body;
      const other = await newUser(app, 'other');
      await app.as(other.token).get(`${BASE}/${t.id}/runs`).expect(404);
      await me.delete(`${BASE}/${t.id}`).expect(204);
    });
  });
});
