// Two processes, then a kill -9 of the one advancing a workflow execution: the other resumes it from its last completed step, and the
// idempotency key of each step keeps a step that was in flight from acting twice.
import { expect } from 'chai';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';

describe('automation: workflow resume after kill -9', function () {
  this.timeout(180_000);
  const procs: ApiProcess[] = [];
  after(async () => {
    for (const p of procs) await p.stop('SIGKILL');
  });

  it('finishes the Map with exactly one instance per item', async () => {
    const db = await freshDatabase();
    const env = { ATONIX_PROVISION_DELAY_MS: '300', ATONIX_CLOCK_TICK_SECONDS: '1' };
    const first = await startApiProcess(db, env);
    procs.push(first);
    // A second process sweeps beside the first the whole time: the execution's lock keeps it to one of them.
    const second = await startApiProcess(db, env);
    procs.push(second);
    const flavor = (await api(first.url, 'GET', '/api/compute/flavors?name=t1.small')).body.items[0].id;
    const image = (await api(first.url, 'GET', '/api/compute/images?name=debian-12')).body.items[0].id;
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.names',
          MaxConcurrency: 3,
          ItemProcessor: {
            StartAt: 'Create',
            States: {
              Create: {
                Type: 'Task',
                Resource: 'createInstance',
                Parameters: { body: { 'name.$': '$', flavor_id: flavor, image_id: image } },
                ResultSelector: { 'id.$': '$.id', 'status.$': '$.status' },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };
    const wf = await api(first.url, 'POST', '/api/automation/workflows', { name: 'crash', definition });
    expect(wf.status, JSON.stringify(wf.body)).to.equal(201);
    const names = Array.from({ length: 12 }, (_, i) => `vm${i}`);
    const ex = await api(first.url, 'POST', `/api/automation/workflows/${wf.body.id}/executions`, { input: { names } });
    expect(ex.status).to.equal(201);
    await eventually(
      async () => (await api(first.url, 'GET', '/api/compute/instances?limit=100')).body.items.length >= 4,
      'some instances',
      60_000,
    );
    const path = `/api/automation/workflows/${wf.body.id}/executions/${ex.body.id}`;
    // Killed mid-way: the execution had not ended (so the second process has something to resume).
    expect((await api(first.url, 'GET', path)).body.status).to.equal('running');
    await first.stop('SIGKILL');

    const done = await eventually(
      async () => {
        const e = (await api(second.url, 'GET', path)).body;
        return e.status !== 'running' && e;
      },
      'the execution to end',
      90_000,
    );
    expect(done.status, JSON.stringify(done)).to.equal('succeeded');
    expect(done.output.map((o: any) => o.status)).to.deep.equal(names.map(() => 'running'));
    const instances = (await api(second.url, 'GET', '/api/compute/instances?limit=100')).body.items;
    expect(instances.map((i: any) => i.name).sort()).to.deep.equal([...names].sort());
    expect(new Set(done.output.map((o: any) => o.id)).size).to.equal(12);
    const history = (await api(second.url, 'GET', `${path}/history?limit=1000`)).body.items;
    expect(history.filter((e: any) => e.type === 'TaskSucceeded')).to.have.length(12);
    expect(history.filter((e: any) => e.type === 'ExecutionSucceeded')).to.have.length(1);
  });
});
