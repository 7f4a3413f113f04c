// Workflows: definitions checked before they are stored and versioned; executions state by state (Pass, Choice,
// Wait, Task, Parallel, Map, Succeed, Fail), Retry and Catch, paths, history, cancel and redrive, under the manual
// platform clock (waits end when the test moves time, never by sleeping).
import { expect } from 'chai';
import { advanceClock, catalogue, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { watch } from '../../support/events.js';

type Agent = TestApp['admin'];
const BASE = '/api/automation/workflows';

describe('automation: workflows', function () {
  this.timeout(120_000);
  let app: TestApp;
  let me: Agent;
  let myToken: string;
  let other: Agent;
  let n = 0;

  before(async () => {
    // No GPUs in this region: a GPU instance ends in error, the failed outcome an asynchronous Task waits for.
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_CAPACITY_GPUS: '0', ATONIX_PROVISION_DELAY_MS: '100' });
    myToken = (await newUser(app, 'flow')).token;
    me = app.as(myToken);
    other = app.as((await newUser(app, 'stranger')).token);
  });
  after(() => app.close());

  const create = (definition: unknown, as: Agent = me) => as.post(BASE).send({ name: `wf-${++n}`, definition });
  const start = async (definition: unknown, input: unknown = {}) => {
    const wf = (await create(definition).expect(201)).body;
    const ex = (await me.post(`${BASE}/${wf.id}/executions`).send({ input }).expect(201)).body;
    return { wf, ex };
  };
  const execution = (wf: string, ex: string) => me.get(`${BASE}/${wf}/executions/${ex}`).expect(200);
  /** The execution once it leaves `running` (the runner works after the start commits). */
  const ended = (wf: string, ex: string) =>
    eventually(async () => {
      const r = (await execution(wf, ex)).body;
      return r.status !== 'running' && r;
    }, `execution ${ex} to end`);
  /** The execution once its history has an event of `type` (it is then parked, waiting or running). */
  const reached = (wf: string, ex: string, type: string, count = 1) =>
    eventually(async () => {
      const h = await history(wf, ex);
      return h.filter((e: any) => e.type === type).length >= count && h;
    }, `${count} ${type} in ${ex}`);
  const history = async (wf: string, ex: string) =>
    (await me.get(`${BASE}/${wf}/executions/${ex}/history?limit=1000`).expect(200)).body.items;
  const succeed = { Type: 'Succeed' };
  /** A ready VPC of the caller's with a subnet in it, so deleting the VPC is refused (ResourceInUse) until it goes. */
  async function vpcInUse(name: string, octet: number) {
    const vpc = (
      await me
        .post('/api/networking/vpcs')
        .set('Prefer', 'wait=10')
        .send({ name, cidr_block: `10.${octet}.0.0/16` })
        .expect(202)
    ).body;
    const sub = (
      await me
        .post(`/api/networking/vpcs/${vpc.id}/subnets`)
        .send({ name: 's', cidr_block: `10.${octet}.1.0/24` })
        .expect(201)
    ).body;
    return { vpc, sub };
  }

  describe('createWorkflow', () => {
    it('stores version 1 and answers 201 with Location; YAML text is read too', async () => {
      const r = await create({ StartAt: 'Done', States: { Done: succeed } }).expect(201);
      expect(r.headers.location).to.equal(`${BASE}/${r.body.id}`);
      expect(r.body).to.include({ latest_version: 1 });
      const y = await create('StartAt: Done\nStates:\n  Done:\n    Type: Succeed\n').expect(201);
      expect(y.body.definition).to.deep.equal({ StartAt: 'Done', States: { Done: succeed } });
    });

    it('refuses a definition with one 422 holding a pointer for each problem', async () => {
      const r = await create({
        StartAt: 'Stop',
        States: {
          Stop: { Type: 'Task', Resource: 'stopEverything', Next: 'Nowhere' },
          Pick: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: 'one', Next: 'Stop' }] },
          Loose: { Type: 'Pass' },
          Bad: { Type: 'Pass', InputPath: 'items', End: true },
          Odd: { Type: 'Teleport' },
        },
      }).expect(422);
      const pointers = r.body.errors.map((e: any) => e.pointer);
      expect(pointers).to.include.members([
        '/definition/States/Stop/Resource',
        '/definition/States/Stop/Next',
        '/definition/States/Pick/Choices/0/NumericEquals',
        '/definition/States/Loose/Next',
        '/definition/States/Bad/InputPath',
        '/definition/States/Odd/Type',
        '/definition/States/Pick',
      ]);
      expect(r.body.errors.find((e: any) => e.pointer === '/definition/States/Pick').code).to.equal('UnreachableState');
    });

    it('refuses a Task parameter the operation does not have', async () => {
      const r = await create({
        StartAt: 'Get',
        States: { Get: { Type: 'Task', Resource: 'getVpc', Parameters: { params: { colour: 'red' } }, End: true } },
      }).expect(422);
      expect(r.body.errors[0]).to.include({ pointer: '/definition/States/Get/Parameters/params/colour' });
    });
    it("refuses a literal body the operation's schema rejects; a body made from paths is checked when it runs", async () => {
      const make = (body: object) => ({
        StartAt: 'Make',
        States: { Make: { Type: 'Task', Resource: 'createVpc', Parameters: { body }, End: true } },
      });
      const r = await create(make({ name: 'v', cidr_block: 42 })).expect(422);
      expect(r.body.errors.map((e: any) => e.pointer)).to.deep.equal([
        '/definition/States/Make/Parameters/body/cidr_block',
      ]);
      const missing = await create({
        StartAt: 'Make',
        States: { Make: { Type: 'Task', Resource: 'createVpc', End: true } },
      }).expect(422);
      expect(missing.body.errors[0]).to.include({
        pointer: '/definition/States/Make/Parameters/body',
        code: 'Required',
      });
      await create(make({ 'name.$': '$.name', 'cidr_block.$': '$.cidr' })).expect(201);
    });
  });

  describe('updateWorkflow and versions', () => {
    it('makes a new definition a new version; executions keep the version they started with', async () => {
      const wf = (await create({ StartAt: 'A', States: { A: { Type: 'Pass', Result: 'one', End: true } } })).body;
      const v2 = { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'two', End: true } } };
      const p = await me.patch(`${BASE}/${wf.id}`).send({ definition: v2 }).expect(200);
      expect(p.body.latest_version).to.equal(2);
      const same = await me.patch(`${BASE}/${wf.id}`).send({ definition: v2, description: 'd' }).expect(200);
      expect(same.body).to.include({ latest_version: 2, description: 'd' });
      const list = (await me.get(`${BASE}/${wf.id}/versions`).expect(200)).body.items;
      expect(list.map((v: any) => v.version)).to.deep.equal([2, 1]);
      const old = (await me.post(`${BASE}/${wf.id}/executions`).send({ version: 1 }).expect(201)).body;
      const cur = (await me.post(`${BASE}/${wf.id}/executions`).send({}).expect(201)).body;
      expect((await ended(wf.id, old.id)).output).to.equal('one');
      expect((await ended(wf.id, cur.id)).output).to.equal('two');
      const v3 = await me
        .post(`${BASE}/${wf.id}/versions`)
        .send({ definition: 'StartAt: A\nStates:\n  A: { Type: Pass, Result: three, End: true }\n' })
        .expect(201);
      expect(v3.body).to.include({ version: 3 });
      const got = await me.get(`${BASE}/${wf.id}/versions/1`).expect(200);
      expect(got.body.definition.States.A.Result).to.equal('one');
      expect((await me.get(`${BASE}/${wf.id}`).expect(200)).body).to.include({ latest_version: 3 });
      await me
        .post(`${BASE}/${wf.id}/versions`)
        .send({ definition: { StartAt: 'Z', States: {} } })
        .expect(422);
      await me.post(`${BASE}/${wf.id}/executions`).send({ version: 9 }).expect(422);
      await me.get(`${BASE}/${wf.id}/versions/9`).expect(404);
    });

    it("keeps another user's workflow and executions invisible", async () => {
      const { wf, ex } = await start({ StartAt: 'Done', States: { Done: succeed } });
      await other.get(`${BASE}/${wf.id}`).expect(404);
      await other.get(`${BASE}/${wf.id}/executions/${ex.id}`).expect(404);
      await other.post(`${BASE}/${wf.id}/executions`).send({}).expect(404);
    });
  });

  describe('states', () => {
    it('Pass with Parameters, ResultPath and OutputPath; intrinsic functions; $$ context', async () => {
      const { wf, ex } = await start(
        {
          StartAt: 'Shape',
          States: {
            Shape: {
              Type: 'Pass',
              Parameters: { 'greeting.$': "States.Format('hello {}', $.who)", 'id.$': '$$.Execution.Id' },
              ResultPath: '$.out',
              Next: 'Trim',
            },
            Trim: { Type: 'Pass', OutputPath: '$.out', End: true },
          },
        },
        { who: 'ada' },
      );
      const done = await ended(wf.id, ex.id);
      expect(done).to.include({ status: 'succeeded' });
      expect(done.output).to.deep.equal({ greeting: 'hello ada', id: ex.id });
    });

    it('Choice picks the first matching rule, else Default; no match and no Default fails', async () => {
      const def = {
        StartAt: 'Pick',
        States: {
          Pick: {
            Type: 'Choice',
            Choices: [
              {
                And: [
                  { Variable: '$.n', NumericGreaterThan: 10 },
                  { Variable: '$.tag', StringEquals: 'a' },
                ],
                Next: 'Big',
              },
              { Variable: '$.n', NumericLessThanEquals: 10, Next: 'Small' },
            ],
          },
          Big: { Type: 'Pass', Result: 'big', End: true },
          Small: { Type: 'Pass', Result: 'small', End: true },
        },
      };
      const wf = (await create(def).expect(201)).body;
      const run = async (input: unknown) => {
        const ex = (await me.post(`${BASE}/${wf.id}/executions`).send({ input }).expect(201)).body;
        return ended(wf.id, ex.id);
      };
      expect((await run({ n: 11, tag: 'a' })).output).to.equal('big');
      expect((await run({ n: 3 })).output).to.equal('small');
      expect(await run({ n: 11, tag: 'b' })).to.include({ status: 'failed', error: 'States.NoChoiceMatched' });
    });

    it('Fail ends the execution with its Error and Cause', async () => {
      const { wf, ex } = await start({
        StartAt: 'No',
        States: { No: { Type: 'Fail', Error: 'Nope', Cause: 'because' } },
      });
      expect(await ended(wf.id, ex.id)).to.include({ status: 'failed', error: 'Nope', cause: 'because' });
    });

    it('Wait parks the execution until the platform clock passes its time', async () => {
      const { wf, ex } = await start({
        StartAt: 'Nap',
        States: { Nap: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: succeed },
      });
      await reached(wf.id, ex.id, 'WaitStarted');
      await advanceClock(app, 1800);
      expect((await execution(wf.id, ex.id)).body.status).to.equal('running');
      await advanceClock(app, 1800);
      expect(await ended(wf.id, ex.id)).to.include({ status: 'succeeded' });
    });

    it('Task calls an operation as the owner and waits until the resource is ready', async () => {
      const { wf, ex } = await start(
        {
          StartAt: 'Make',
          States: {
            Make: {
              Type: 'Task',
              Resource: 'createVpc',
              Parameters: { body: { 'name.$': '$.name', cidr_block: '10.40.0.0/16' } },
              ResultSelector: { 'id.$': '$.id', 'state.$': '$.state' },
              ResultPath: '$.vpc',
              End: true,
            },
          },
        },
        { name: 'made-by-flow' },
      );
      const done = await ended(wf.id, ex.id);
      expect(done.status, JSON.stringify(done)).to.equal('succeeded');
      expect(done.output.vpc.state).to.equal('available');
      const vpc = (await me.get(`/api/networking/vpcs/${done.output.vpc.id}`).expect(200)).body;
      expect(vpc.name).to.equal('made-by-flow');
      await other.get(`/api/networking/vpcs/${done.output.vpc.id}`).expect(404);
      const types = (await history(wf.id, ex.id)).map((e: any) => e.type);
      expect(types).to.deep.equal([
        'ExecutionStarted',
        'StateEntered',
        'TaskScheduled',
        'TaskSucceeded',
        'StateExited',
        'ExecutionSucceeded',
      ]);
    });

    it('Task on a resource that ends failed fails with States.TaskFailed and the reason', async () => {
      const { image } = await catalogue(app);
      const gpu = (await me.get('/api/compute/flavors?name=g1.gpu1').expect(200)).body.items[0];
      const { wf, ex } = await start({
        StartAt: 'Make',
        States: {
          Make: {
            Type: 'Task',
            Resource: 'createInstance',
            Parameters: { body: { name: 'no-gpu', flavor_id: gpu.id, image_id: image.id } },
            End: true,
          },
        },
      });
      const done = await ended(wf.id, ex.id);
      expect(done).to.include({ status: 'failed', error: 'States.TaskFailed' });
      expect(done.cause).to.match(/is error: InsufficientCapacity/);
    });

    it('Catch routes a failed Task (a problem code as the error) with its error at ResultPath', async () => {
      const { wf, ex } = await start({
        StartAt: 'Get',
        States: {
          Get: {
            Type: 'Task',
            Resource: 'getVpc',
            Parameters: { params: { id: 'vpc-doesnotexist' } },
            Catch: [{ ErrorEquals: ['NotFound'], ResultPath: '$.err', Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      });
      const done = await ended(wf.id, ex.id);
      expect(done.status).to.equal('succeeded');
      expect(done.output.err.Error).to.equal('NotFound');
      expect(JSON.parse(done.output.err.Cause)).to.include({ status: 404 });
    });

    it('Map runs each item (bounded concurrency) and Parallel each branch, results in order', async () => {
      const { wf, ex } = await start(
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemsPath: '$.xs',
              MaxConcurrency: 2,
              ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index' },
              ItemProcessor: {
                StartAt: 'Double',
                States: {
                  Double: {
                    Type: 'Pass',
                    Parameters: { 'sum.$': 'States.MathAdd($.v, $.v)', 'i.$': '$.i' },
                    End: true,
                  },
                },
              },
              ResultPath: '$.doubled',
              Next: 'Both',
            },
            Both: {
              Type: 'Parallel',
              Branches: [
                { StartAt: 'L', States: { L: { Type: 'Pass', Result: 'left', End: true } } },
                { StartAt: 'R', States: { R: { Type: 'Pass', InputPath: '$.xs', End: true } } },
              ],
              ResultPath: '$.both',
              End: true,
            },
          },
        },
        { xs: [1, 2, 3] },
      );
      const done = await ended(wf.id, ex.id);
      expect(done.output.doubled).to.deep.equal([
        { sum: 2, i: 0 },
        { sum: 4, i: 1 },
        { sum: 6, i: 2 },
      ]);
      expect(done.output.both).to.deep.equal(['left', [1, 2, 3]]);
    });
  });

  describe('timeouts', () => {
    it('a Task still going after TimeoutSeconds fails with States.Timeout, which Catch can route', async () => {
      const vpc = (
        await me
          .post('/api/networking/vpcs')
          .set('Prefer', 'wait=10')
          .send({ name: 'slow', cidr_block: '10.45.0.0/16' })
          .expect(202)
      ).body;
      // The test holds the VPC's row, so the Task's update blocks until the lock goes: a call that does not answer.
      const trx = await app.platform.db.transaction();
      await trx('vpcs').where({ id: vpc.id }).forUpdate().first();
      try {
        const { wf, ex } = await start(
          {
            StartAt: 'Rename',
            States: {
              Rename: {
                Type: 'Task',
                Resource: 'updateVpc',
                Parameters: { params: { 'id.$': '$.vpc' }, body: { name: 'renamed' } },
                TimeoutSeconds: 30,
                Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Late' }],
                End: true,
              },
              Late: { Type: 'Pass', End: true },
            },
          },
          { vpc: vpc.id },
        );
        await reached(wf.id, ex.id, 'TaskScheduled');
        await advanceClock(app, 29);
        expect((await execution(wf.id, ex.id)).body.status).to.equal('running');
        await advanceClock(app, 1);
        const done = await ended(wf.id, ex.id);
        expect(done.status).to.equal('succeeded');
        expect(done.output.timeout.Error).to.equal('States.Timeout');
      } finally {
        await trx.rollback();
      }
    });

    it("the machine's TimeoutSeconds ends the whole execution as timed_out", async () => {
      const { wf, ex } = await start({
        TimeoutSeconds: 60,
        StartAt: 'Nap',
        States: { Nap: { Type: 'Wait', Seconds: 3600, End: true } },
      });
      await reached(wf.id, ex.id, 'WaitStarted');
      await advanceClock(app, 60);
      expect(await ended(wf.id, ex.id)).to.include({ status: 'timed_out', error: 'States.Timeout' });
      expect((await history(wf.id, ex.id)).map((e: any) => e.type)).to.include('ExecutionTimedOut');
    });
  });

  describe('acting as the owner', () => {
    it('a Task IAM denies fails with States.Permissions and names the action', async () => {
      const deny = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'wf-no-vpc-lists',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'networking:ListVpcs', Resource: '*' }],
          },
        })
        .expect(201);
      const u = await newUser(app, 'wf-denied');
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: deny.body.id }).expect(201);
      const as = app.as(u.token);
      const wf = (
        await as
          .post(BASE)
          .send({
            name: 'denied',
            definition: { StartAt: 'L', States: { L: { Type: 'Task', Resource: 'listVpcs', End: true } } },
          })
          .expect(201)
      ).body;
      const ex = (await as.post(`${BASE}/${wf.id}/executions`).send({}).expect(201)).body;
      const done = await eventually(async () => {
        const r = (await as.get(`${BASE}/${wf.id}/executions/${ex.id}`).expect(200)).body;
        return r.status !== 'running' && r;
      }, 'the denied execution to end');
      expect(done).to.include({ status: 'failed', error: 'States.Permissions' });
      expect(JSON.parse(done.cause).detail).to.contain('networking:ListVpcs');
    });

    it('a scheduled task starts an execution as its owner, with the input it names', async () => {
      const wf = (await create({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }).expect(201)).body;
      const task = (
        await me
          .post('/api/automation/scheduled-tasks')
          .send({
            name: 'kick-off',
            schedule: 'rate(1 hour)',
            target: { operation_id: 'startWorkflowExecution', params: { id: wf.id }, body: { input: { night: true } } },
          })
          .expect(201)
      ).body;
      await app.admin.post('/api/admin/clock').send({ now: task.next_run_at }).expect(200);
      const [ex] = await eventually(async () => {
        const items = (await me.get(`${BASE}/${wf.id}/executions`).expect(200)).body.items;
        return items.length === 1 && items;
      }, 'the scheduled execution');
      expect((await ended(wf.id, ex.id)).output).to.deep.equal({ night: true });
      await me.delete(`/api/automation/scheduled-tasks/${task.id}`).expect(204);
    });
  });

  describe('events', () => {
    it("streams an execution's status changes on the WebSocket to its owner only", async () => {
      const mine = await watch(app.url, myToken, '?kinds=workflow_execution');
      const theirs = await watch(app.url, (await newUser(app, 'onlooker')).token);
      try {
        const { wf, ex } = await start({ StartAt: 'Done', States: { Done: succeed } });
        await ended(wf.id, ex.id);
        const done = await mine.until((e) => e.id === ex.id && e.status === 'succeeded');
        expect(done).to.include({ kind: 'workflow_execution', type: 'status_changed' });
        expect(theirs.events.some((e) => e.id === ex.id)).to.equal(false);
      } finally {
        mine.ws.close();
        theirs.ws.close();
      }
    });
  });

  describe('Retry', () => {
    it('retries a matched error after IntervalSeconds, backing off, until the call succeeds', async () => {
      const { vpc, sub } = await vpcInUse('busy', 41);
      const { wf, ex } = await start(
        {
          StartAt: 'Remove',
          States: {
            Remove: {
              Type: 'Task',
              Resource: 'deleteVpc',
              Parameters: { params: { 'id.$': '$.vpc' } },
              Retry: [{ ErrorEquals: ['ResourceInUse'], IntervalSeconds: 60, BackoffRate: 2, MaxAttempts: 3 }],
              End: true,
            },
          },
        },
        { vpc: vpc.id },
      );
      await reached(wf.id, ex.id, 'RetryScheduled', 1);
      await advanceClock(app, 60);
      const h = await reached(wf.id, ex.id, 'RetryScheduled', 2);
      expect(h.filter((e: any) => e.type === 'RetryScheduled').map((e: any) => e.details.delay_seconds)).to.deep.equal([
        60, 120,
      ]);
      await me.delete(`/api/networking/subnets/${sub.id}`).expect(204);
      await advanceClock(app, 60);
      expect((await execution(wf.id, ex.id)).body.status).to.equal('running');
      await advanceClock(app, 60);
      expect(await ended(wf.id, ex.id)).to.include({ status: 'succeeded' });
      expect((await history(wf.id, ex.id)).filter((e: any) => e.type === 'TaskFailed')).to.have.length(2);
    });
  });

  describe('cancelWorkflowExecution and redriveWorkflowExecution', () => {
    it('cancels a waiting execution: aborted, and nothing after the wait runs', async () => {
      const { wf, ex } = await start({
        StartAt: 'Nap',
        States: {
          Nap: { Type: 'Wait', Seconds: 60, Next: 'Make' },
          Make: {
            Type: 'Task',
            Resource: 'createVpc',
            Parameters: { body: { name: 'never', cidr_block: '10.42.0.0/16' } },
            End: true,
          },
        },
      });
      await reached(wf.id, ex.id, 'WaitStarted');
      const c = await me.post(`${BASE}/${wf.id}/executions/${ex.id}/cancel`).expect(200);
      expect(c.body).to.include({ status: 'aborted', error: 'States.Aborted' });
      await advanceClock(app, 120);
      await me.post(`${BASE}/${wf.id}/executions/${ex.id}/cancel`).expect(409);
      expect((await me.get('/api/networking/vpcs?name=never').expect(200)).body.items).to.have.length(0);
      expect((await history(wf.id, ex.id)).map((e: any) => e.type)).to.include('ExecutionAborted');
    });

    it('redrives a failed execution from the failed state; the steps that succeeded are not repeated', async () => {
      const { vpc, sub } = await vpcInUse('redrive', 43);
      const { wf, ex } = await start(
        {
          StartAt: 'Make',
          States: {
            Make: {
              Type: 'Task',
              Resource: 'createVpc',
              Parameters: { body: { name: 'once', cidr_block: '10.44.0.0/16' } },
              ResultPath: null,
              Next: 'Remove',
            },
            Remove: { Type: 'Task', Resource: 'deleteVpc', Parameters: { params: { 'id.$': '$.target' } }, End: true },
          },
        },
        { target: vpc.id },
      );
      expect(await ended(wf.id, ex.id)).to.include({ status: 'failed', error: 'ResourceInUse' });
      await me.delete(`/api/networking/subnets/${sub.id}`).expect(204);
      const again = await me.post(`${BASE}/${wf.id}/executions/${ex.id}/redrive`).expect(200);
      expect(again.body).to.include({ status: 'running', redrive_count: 1, error: null });
      expect(await ended(wf.id, ex.id)).to.include({ status: 'succeeded', redrive_count: 1 });
      expect((await me.get('/api/networking/vpcs?name=once').expect(200)).body.items).to.have.length(1);
      await eventually(async () => (await me.get(`/api/networking/vpcs/${vpc.id}`)).status === 404, 'the vpc to go');
      const h = await history(wf.id, ex.id);
      const scheduled = (state: string) => h.filter((e: any) => e.type === 'TaskScheduled' && e.state === state);
      expect(scheduled('Make')).to.have.length(1);
      expect(scheduled('Remove')).to.have.length(2);
      expect(h.map((e: any) => e.type)).to.include.members([
        'ExecutionFailed',
        'ExecutionRedriven',
        'ExecutionSucceeded',
      ]);
    });

    it('refuses to redrive a running or succeeded execution', async () => {
      const { wf, ex } = await start({ StartAt: 'Done', States: { Done: succeed } });
      await ended(wf.id, ex.id);
      const r = await me.post(`${BASE}/${wf.id}/executions/${ex.id}/redrive`).expect(409);
      expect(r.body.detail).to.match(/succeeded/);
    });
  });

  describe('deleteWorkflow', () => {
    it('is refused while an execution runs, and removes executions once they ended', async () => {
      const { wf, ex } = await start({ StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 600, End: true } } });
      await reached(wf.id, ex.id, 'WaitStarted');
      const r = await me.delete(`${BASE}/${wf.id}`).expect(409);
      expect(r.body.blocked_by[0]).to.include({ id: ex.id });
      await me.post(`${BASE}/${wf.id}/executions/${ex.id}/cancel`).expect(200);
      await me.delete(`${BASE}/${wf.id}`).expect(204);
      await me.get(`${BASE}/${wf.id}/executions/${ex.id}`).expect(404);
    });
  });
});
