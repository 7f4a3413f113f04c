// The nightly example of examples/terraform/automation run for real: the very definition its main.tf reads (one JSON
// file, so the example and this test cannot drift) stops exactly the running instances tagged env=dev, once the
// manual platform clock reaches the 02:00 run of the scheduled task that starts it; and the weekday 19:00 Berlin task
// stops its one instance.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../acceptance/terraform/workspace.js';
import { advanceClock, catalogue, eventually, newUser, startApp, type TestApp } from '../../support/app.js';

type Agent = TestApp['admin'];
const DEFINITION = JSON.parse(
  readFileSync(join(ROOT, 'examples/terraform/automation/stop-dev-instances.json'), 'utf8'),
);

describe('automation: the nightly stop-dev example', function () {
  this.timeout(120_000);
  let app: TestApp;
  let me: Agent;
  let other: Agent;
  let flavor: any;
  let image: any;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_PROVISION_DELAY_MS: '50' });
    ({ flavor, image } = await catalogue(app));
    me = app.as((await newUser(app, 'nightly')).token);
    other = app.as((await newUser(app, 'neighbour')).token);
  });
  after(() => app.close());

  const instance = async (as: Agent, name: string, metadata: Record<string, string>, power = 'running') => {
    const r = await as
      .post('/api/compute/instances')
      .send({ name, flavor_id: flavor.id, image_id: image.id, metadata, power_state: power })
      .expect(202);
    return r.body.id as string;
  };
  const status = async (as: Agent, id: string) =>
    (await as.get(`/api/compute/instances/${id}`).expect(200)).body.status;
  const settled = (as: Agent, id: string, want: string) =>
    eventually(async () => (await status(as, id)) === want, `${id} to be ${want}`);
  /** Moves the manual clock to `at` (forward only). */
  const clockTo = async (at: string) => app.admin.post('/api/admin/clock').send({ now: at }).expect(200);

  it('at 02:00 the scheduled task starts the workflow, which stops exactly the running dev instances', async () => {
    const devA = await instance(me, 'dev-a', { env: 'dev', team: 'web' });
    const devB = await instance(me, 'dev-b', { env: 'dev' });
    const devOff = await instance(me, 'dev-off', { env: 'dev' }, 'stopped');
    const prod = await instance(me, 'prod', { env: 'prod' });
    const plain = await instance(me, 'plain', {});
    const staging = await instance(me, 'dev-in-name-only', { env: 'staging', role: 'dev' });
    // Another user's dev instance: the workflow runs as its owner, who cannot see it.
    const theirs = await instance(other, 'their-dev', { env: 'dev' });
    for (const id of [devA, devB, prod, plain, staging]) await settled(me, id, 'running');
    await settled(me, devOff, 'stopped');
    await settled(other, theirs, 'running');

    const wf = (
      await me
        .post('/api/automation/workflows')
        .send({ name: 'stop-dev-instances', definition: DEFINITION })
        .expect(201)
    ).body;
    expect(wf.definition).to.deep.equal(DEFINITION);
    const task = (
      await me
        .post('/api/automation/scheduled-tasks')
        .send({
          name: 'stop-dev-nightly',
          schedule: '0 2 * * *',
          target: {
            operation_id: 'startWorkflowExecution',
            params: { id: wf.id },
            body: { input: { reason: 'nightly' } },
          },
        })
        .expect(201)
    ).body;
    const due = new Date(task.next_run_at);
    expect([due.getUTCHours(), due.getUTCMinutes(), due.getUTCSeconds()]).to.deep.equal([2, 0, 0]);

    const executions = async () =>
      (await me.get(`/api/automation/workflows/${wf.id}/executions`).expect(200)).body.items;
    // A minute before 02:00 nothing has run.
    await clockTo(new Date(due.getTime() - 60_000).toISOString());
    expect(await executions()).to.deep.equal([]);
    await advanceClock(app, 60);
    const [ex] = await eventually(async () => {
      const items = await executions();
      return items.length === 1 && items;
    }, 'the 02:00 execution');
    expect(ex.input).to.deep.equal({ reason: 'nightly' });
    const done = await eventually(async () => {
      const r = (await me.get(`/api/automation/workflows/${wf.id}/executions/${ex.id}`).expect(200)).body;
      return r.status !== 'running' && r;
    }, 'the execution to end');
    expect(done.status, JSON.stringify(done)).to.equal('succeeded');

    // Stop waits for readiness: by the time the execution succeeded, the dev instances were stopped.
    expect(await status(me, devA)).to.equal('stopped');
    expect(await status(me, devB)).to.equal('stopped');
    for (const id of [prod, plain, staging]) expect(await status(me, id), id).to.equal('running');
    expect(await status(me, devOff)).to.equal('stopped');
    expect(await status(other, theirs)).to.equal('running');
    // One Stop per running dev instance (its ResultSelector keeps id and status; Leave passes the whole instance on),
    // and the task's run is recorded.
    const stops = (output: any[]) => output.filter((r) => Object.keys(r).sort().join() === 'id,status');
    expect(done.output).to.have.length(7 - 1); // the neighbour's instance is not listed
    expect(
      stops(done.output)
        .map((r: any) => r.id)
        .sort(),
    ).to.deep.equal([devA, devB].sort());
    expect(stops(done.output).map((r: any) => r.status)).to.deep.equal(['stopped', 'stopped']);
    const history = (
      await me.get(`/api/automation/workflows/${wf.id}/executions/${ex.id}/history?limit=1000`).expect(200)
    ).body.items;
    expect(history.filter((e: any) => e.type === 'TaskScheduled' && e.state === 'Stop')).to.have.length(2);
    const runs = (await me.get(`/api/automation/scheduled-tasks/${task.id}/runs`).expect(200)).body.items;
    expect(runs.map((r: any) => r.due_at)).to.deep.equal([due.toISOString()]);

    // The next night there is nothing left to stop: the execution succeeds and changes nothing.
    await advanceClock(app, 86_400);
    const second = await eventually(async () => {
      const items = await executions();
      return items.length === 2 && items[0].status !== 'running' && items[0];
    }, 'the second night');
    expect(second.status).to.equal('succeeded');
    expect(stops(second.output)).to.deep.equal([]);

    await me.delete(`/api/automation/scheduled-tasks/${task.id}`).expect(204);
    await me.delete(`/api/automation/workflows/${wf.id}`).expect(204);
  });

  it('on weekdays at 19:00 Berlin time the evening task stops its one instance', async () => {
    const one = await instance(me, 'evening', { env: 'prod' });
    const keep = await instance(me, 'kept', { env: 'prod' });
    await settled(me, one, 'running');
    await settled(me, keep, 'running');
    const task = (
      await me
        .post('/api/automation/scheduled-tasks')
        .send({
          name: 'stop-one-evenings',
          schedule: '0 19 * * 1-5',
          timezone: 'Europe/Berlin',
          target: { operation_id: 'stopInstance', params: { id: one } },
        })
        .expect(201)
    ).body;
    const due = new Date(task.next_run_at);
    const berlin = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(due);
    expect(berlin).to.match(/^(Mon|Tue|Wed|Thu|Fri) 19:00$/);
    await clockTo(task.next_run_at);
    await settled(me, one, 'stopped');
    expect(await status(me, keep)).to.equal('running');
    await me.delete(`/api/automation/scheduled-tasks/${task.id}`).expect(204);
  });
});
