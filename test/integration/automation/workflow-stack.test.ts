// The stack engine deploys workflows and scheduled tasks through the registry like any kind: from a native YAML
// template (a definition as an object or as JSON text, a task whose target Refs the workflow) and from the CDKTF
// example's synthesized Terraform JSON, where both documents are JSON text with a `${...}` reference inside.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STOP_DEV_DEFINITION, synthExample } from '../../../examples/cdktf/main.js';
import { advanceClock, eventually, stackSettled, startApp, type TestApp } from '../../support/app.js';

const STACKS = '/api/automation/stacks';
const FLOWS = '/api/automation/workflows';

const nativeTemplate = (greeting: string, withNap: boolean) => `
Resources:
  Flow:
    Type: Atonix::Automation::Workflow
    Properties:
      name: greeter
      definition:
        StartAt: ${withNap ? 'Nap' : 'Greet'}
        States:
${withNap ? '          Nap: { Type: Wait, Seconds: 1, Next: Greet }\n' : ''}          Greet:
            Type: Pass
            Parameters: { "greeting": "${greeting}", "who.$": "$.who" }
            End: true
  Quiet:
    Type: Atonix::Automation::Workflow
    Properties:
      name: quiet
      definition: '{"StartAt": "Drop", "States": {"Drop": {"Type": "Pass", "Result": 1, "ResultPath": null, "End": true}}}'
  Kick:
    Type: Atonix::Automation::ScheduledTask
    Properties:
      name: kick
      schedule: rate(1 hour)
      target:
        operation_id: startWorkflowExecution
        params: { id: { Ref: Flow } }
        body: { input: { who: ada } }
Outputs:
  Flow: { Value: { Ref: Flow } }
  Quiet: { Value: { Ref: Quiet } }
  Kick: { Value: { Ref: Kick } }
`;

describe('automation: workflows and scheduled tasks in a stack', function () {
  this.timeout(120_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_PROVISION_DELAY_MS: '50' });
  });
  after(() => app.close());

  const settled = (id: string) => stackSettled(app.admin, id, 60_000);
  const executions = async (wf: string) => (await app.admin.get(`${FLOWS}/${wf}/executions`).expect(200)).body.items;

  it('a native template: creates both kinds in order, runs the task, updates the definition in place, deletes', async () => {
    const r = await app.admin.post(STACKS).send({ name: 'flows', template_body: nativeTemplate('hello', true) });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await settled(r.body.id);
    expect(done.status, done.status_reason).to.equal('create_complete');
    const flow = (await app.admin.get(`${FLOWS}/${done.outputs.Flow}`).expect(200)).body;
    expect(flow).to.include({ name: 'greeter', latest_version: 1 });
    expect(flow.definition.StartAt).to.equal('Nap');
    // JSON text is read as the document it spells, its null (a discarded result) kept.
    const quiet = (await app.admin.get(`${FLOWS}/${done.outputs.Quiet}`).expect(200)).body;
    expect(quiet.definition.States.Drop).to.deep.equal({ Type: 'Pass', Result: 1, ResultPath: null, End: true });
    const task = (await app.admin.get(`/api/automation/scheduled-tasks/${done.outputs.Kick}`).expect(200)).body;
    expect(task.target).to.deep.equal({
      operation_id: 'startWorkflowExecution',
      params: { id: flow.id },
      body: { input: { who: 'ada' } },
    });

    // The task starts the workflow it references.
    await app.admin.post('/api/admin/clock').send({ now: task.next_run_at }).expect(200);
    await eventually(async () => (await executions(flow.id)).length === 1, 'the scheduled execution');
    // It waits a second of platform time (the manual clock) at Nap.
    await eventually(async () => {
      await advanceClock(app, 1);
      const items = await executions(flow.id);
      return items[0].status !== 'running';
    }, 'the execution to pass its Wait');
    const [ex] = await executions(flow.id);
    expect(ex).to.include({ status: 'succeeded', version: 1 });
    expect(ex.output).to.deep.equal({ greeting: 'hello', who: 'ada' });

    // The same template again changes nothing; a new definition (a state dropped) is a new version of the same
    // workflow, not a replacement.
    const same = await app.admin
      .patch(`${STACKS}/${r.body.id}`)
      .send({ template_body: nativeTemplate('hello', true) })
      .expect(200);
    expect((await settled(same.body.id)).status).to.match(/_complete$/);
    expect((await app.admin.get(`${FLOWS}/${flow.id}`).expect(200)).body.latest_version).to.equal(1);
    await app.admin
      .patch(`${STACKS}/${r.body.id}`)
      .send({ template_body: nativeTemplate('bonjour', false) })
      .expect(202);
    const updated = await settled(r.body.id);
    expect(updated.status, updated.status_reason).to.equal('update_complete');
    expect(updated.outputs.Flow).to.equal(flow.id);
    const v2 = (await app.admin.get(`${FLOWS}/${flow.id}`).expect(200)).body;
    expect(v2.latest_version).to.equal(2);
    expect(Object.keys(v2.definition.States)).to.deep.equal(['Greet']);
    expect(v2.definition.StartAt).to.equal('Greet');

    await app.admin.delete(`${STACKS}/${r.body.id}`).expect(202);
    expect((await settled(r.body.id)).status).to.equal('gone');
    await app.admin.get(`${FLOWS}/${flow.id}`).expect(404);
    await app.admin.get(`${FLOWS}/${quiet.id}`).expect(404);
    await app.admin.get(`/api/automation/scheduled-tasks/${task.id}`).expect(404);
  });

  it("the CDKTF example's cdk.tf.json: the workflow and the task that starts it, from JSON text", async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'atonix-cdktf-flow-'));
    try {
      const doc = JSON.parse(readFileSync(join(synthExample(outdir), 'cdk.tf.json'), 'utf8'));
      expect(doc.resource.atonix_workflow.stop_dev.definition).to.be.a('string');
      expect(doc.resource.atonix_scheduled_task.stop_dev_nightly.target).to.contain('${atonix_workflow.stop_dev.id}');
      const r = await app.admin.post(STACKS).send({ name: 'cdktf-flows', template: doc });
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      const done = await settled(r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const flow = (await app.admin.get(`${FLOWS}/${done.outputs.workflow_id}`).expect(200)).body;
      expect(flow).to.include({ name: 'stop-dev-instances', latest_version: 1 });
      expect(flow.definition).to.deep.equal(STOP_DEV_DEFINITION);
      const task = (await app.admin.get(`/api/automation/scheduled-tasks/${done.outputs.nightly_task_id}`).expect(200))
        .body;
      expect(task).to.include({ schedule: '0 2 * * *', timezone: 'UTC' });
      expect(task.target).to.deep.equal({
        operation_id: 'startWorkflowExecution',
        params: { id: flow.id },
        body: { input: { reason: 'nightly' } },
      });
      expect(new Date(task.next_run_at).getUTCHours()).to.equal(2);
      // Deployed again, the JSON text compares by meaning with what was applied: nothing to do.
      await app.admin.patch(`${STACKS}/${r.body.id}`).send({ template: doc }).expect(200);
      expect((await settled(r.body.id)).status).to.equal('create_complete');
      const events = (await app.admin.get(`${STACKS}/${r.body.id}/events?limit=1000`).expect(200)).body.items;
      expect(events.filter((e: any) => e.status === 'update_in_progress')).to.deep.equal([]);

      await app.admin.delete(`${STACKS}/${r.body.id}`).expect(202);
      expect((await settled(r.body.id)).status).to.equal('gone');
      await app.admin.get(`${FLOWS}/${flow.id}`).expect(404);
      await app.admin.get(`/api/automation/scheduled-tasks/${task.id}`).expect(404);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
