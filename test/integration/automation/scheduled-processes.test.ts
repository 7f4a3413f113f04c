// Scheduled tasks across real API processes (`npm start`'s entry, ATONIX_ROLE=all: two sweepers each, the HTTP
// thread's and the worker thread's) on one database and the manual platform clock: every due run happens once
// however many processes sweep at the same instants, and a process killed (SIGKILL) while a call is in flight leaves
// a run another process recovers after timeout + grace: retried (acting once) while retries allow, timed out if not.
// Calls are held in flight by a table lock the test holds, and each connection names its process
// (application_name), so pg_stat_activity shows which process a held call belongs to.
import { expect } from 'chai';
import type { Knex } from 'knex';
import { createDb } from '../../../api/src/platform/db/knex.js';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';

const BASE = '/api/automation/scheduled-tasks';
const S = 1000;
const GRACE = 60 * S;

describe('automation: scheduled tasks across processes', function () {
  this.timeout(180_000);
  let url: string;
  let db: Knex;
  let token: string;
  const procs = new Map<string, ApiProcess>();
  let started = 0;

  async function start(): Promise<string> {
    const name = `sched-proc-${++started}`;
    procs.set(name, await startApiProcess(`${url}?application_name=${name}`, { ATONIX_CLOCK: 'manual' }));
    return name;
  }
  const proc = (name: string) => procs.get(name)!;
  /** Moves every live process's clock to `ms` at once; each move answers once the runs it started have ended. */
  const moveAll = (ms: number) =>
    Promise.all(
      [...procs.values()].map((p) =>
        api(p.url, 'POST', '/api/admin/clock', { now: new Date(ms).toISOString() }).catch(() => ({ status: 0 })),
      ),
    );
  /** As the owner (a non-admin user) on process `name`. */
  async function as(name: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${proc(name).url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const createVpcTask = async (on: string, name: string, extra: object = {}) => {
    const r = await as(on, 'POST', BASE, {
      name,
      schedule: 'rate(1 hour)',
      target: { operation_id: 'createVpc', body: { name, cidr_block: '10.9.0.0/16' } },
      ...extra,
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body;
  };
  const runsOf = (taskId: string) => db('scheduled_task_runs').where({ task_id: taskId }).orderBy('due_at');
  const vpcsNamed = async (name: string) => Number((await db('vpcs').where({ name }).count('* as c'))[0]!.c);
  /** The application_name of each backend waiting for a lock while creating the VPC of task `taskId`'s run. */
  const holdersOf = async (taskId: string): Promise<string[]> =>
    (
      await db.raw(
        `select application_name from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like ?`,
        [`%sched-${taskId}-%`],
      )
    ).rows.map((r: { application_name: string }) => r.application_name);
  const backendsOf = async (name: string) =>
    Number(
      (
        await db.raw(
          `select count(*) c from pg_stat_activity where datname = current_database() and application_name = ?`,
          [name],
        )
      ).rows[0].c,
    );
  /** A transaction holding `lock table vpcs in share mode`: every VPC insert waits until it ends. */
  async function lockVpcs(): Promise<Knex.Transaction> {
    const trx = await db.transaction();
    held.push(trx);
    await trx.raw('lock table vpcs in share mode');
    return trx;
  }

  before(async () => {
    url = await freshDatabase();
    db = createDb(url, 4);
    await start();
    await start();
    const first = [...procs.keys()][0]!;
    const u = await api(proc(first).url, 'POST', '/api/security/users', { name: 'sched-owner' });
    const t = await api(proc(first).url, 'POST', `/api/security/users/${u.body.id}/tokens`, { name: 'test' });
    token = t.body.token;
  });
  const held: Knex.Transaction[] = [];
  // A failed test lets go of its lock, so the calls it held up end and the processes can stop.
  afterEach(async () => {
    for (const trx of held.splice(0)) if (!trx.isCompleted()) await trx.rollback();
  });
  after(async () => {
    for (const p of procs.values()) await p.stop('SIGKILL');
    await db.destroy();
  });

  it('runs each (task, due time) once, and its call acts once, with two processes sweeping the same instants', async () => {
    const [a, b] = [...procs.keys()] as [string, string];
    const N = 20;
    const made = [];
    const grid = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 3600_000).toISOString();
    for (let i = 0; i < N; i++)
      made.push(
        await createVpcTask(i % 2 ? a : b, `once-${i}`, {
          schedule: 'rate(1 minute)',
          start_at: grid, // the same minute grid for every task
        }),
      );
    const first = Math.max(...made.map((t) => Date.parse(t.next_run_at)));
    const instants = [first, first + 60 * S, first + 120 * S];
    try {
      await checkOnce(made, instants, N);
    } finally {
      for (const t of made) expect((await as(a, 'DELETE', `${BASE}/${t.id}`)).status).to.equal(204);
    }
  });

  async function checkOnce(made: any[], instants: number[], N: number) {
    for (const at of instants) await moveAll(at);
    await eventually(
      async () =>
        Number((await db('scheduled_task_runs').whereNot('status', 'succeeded').count('* as c'))[0]!.c) === 0 &&
        Number((await db('scheduled_task_runs').count('* as c'))[0]!.c) === N * instants.length,
      'every run to succeed',
      60_000,
    );
    for (const [i, t] of made.entries()) {
      const runs = await runsOf(t.id);
      expect(
        runs.map((r: any) => r.due_at.getTime()),
        t.name,
      ).to.deep.equal(instants);
      expect(runs.every((r: any) => r.status === 'succeeded' && r.attempt === 1)).to.equal(true);
      expect(await vpcsNamed(`once-${i}`), t.name).to.equal(runs.length); // one VPC per run, never two
      const audited = await db('audit_logs').whereIn(
        'request_id',
        runs.map((r: any) => `sched-${r.id}`),
      );
      expect(audited.map((x: any) => x.action)).to.deep.equal(runs.map(() => 'networking:CreateVpc'));
    }
  }

  /**
   * Holds the VPC table, moves every clock to the task's due time, kills the process whose call is in flight, lets
   * the table go once that process's connections are gone, and moves the survivors' clocks past timeout + grace.
   */
  async function killMidRun(task: any) {
    const due = Date.parse(task.next_run_at);
    const lock = await lockVpcs();
    const moving = moveAll(due);
    const [holder] = await eventually(async () => {
      const h = await holdersOf(task.id);
      return h.length === 1 && h;
    }, 'the call to be in flight');
    expect((await runsOf(task.id)).map((r: any) => r.status)).to.deep.equal(['running']);
    await proc(holder!).stop('SIGKILL');
    procs.delete(holder!);
    await lock.commit();
    await eventually(async () => (await backendsOf(holder!)) === 0, "the killed process's connections to end");
    await moving;
    expect((await runsOf(task.id)).map((r: any) => r.status)).to.deep.equal(['running']); // nobody has ended it
    await moveAll(due + task.timeout_seconds * S + GRACE - S); // not yet abandoned
    expect((await runsOf(task.id))[0].status).to.equal('running');
    await moveAll(due + task.timeout_seconds * S + GRACE + S);
    return eventually(async () => {
      const [run] = await runsOf(task.id);
      return run && !['running', 'retrying'].includes(run.status) && run;
    }, 'the run to be recovered');
  }

  it('a run whose process was killed mid-call is retried by another process, and its call acts once', async () => {
    const live = [...procs.keys()][0]!;
    const task = await createVpcTask(live, 'killed-retried', { retries: 1, timeout_seconds: 30 });
    const run = await killMidRun(task);
    expect(run).to.include({ status: 'succeeded', attempt: 2, response_status: 202, problem: null });
    expect(await vpcsNamed('killed-retried')).to.equal(1);
    expect(run.response_body.id).to.equal((await db('vpcs').where({ name: 'killed-retried' }).first('id')).id);
  });

  it('with no retries left it ends timed_out, and nothing was made twice', async () => {
    await start(); // two processes again: the killed one restarted
    const live = [...procs.keys()][0]!;
    const task = await createVpcTask(live, 'killed-timed-out', { retries: 0, timeout_seconds: 30 });
    const run = await killMidRun(task);
    expect(run).to.include({ status: 'timed_out', attempt: 1 });
    expect(run.problem.title).to.equal('Abandoned');
    expect(await vpcsNamed('killed-timed-out')).to.be.at.most(1);
    expect(await runsOf(task.id)).to.have.length(1);
  });
});
