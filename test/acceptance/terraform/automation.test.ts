// examples/terraform/automation through the real terraform binary: the nightly stop-dev workflow (its definition read
// from the JSON file beside main.tf), the 02:00 task that starts it and the weekday 19:00 Berlin task, applied with
// an empty second plan, imported without a diff, run once through the task, and destroyed.
import { expect } from 'chai';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, catalogue, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

const EXAMPLE = join(ROOT, 'examples/terraform/automation');

describe('terraform: examples/terraform/automation', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_CLOCK: 'manual', ATONIX_PROVISION_DELAY_MS: '50' });
  });
  after(() => app.close());

  it("applies atonix_workflow's documented example (docs/resources/workflow.md) and re-plans empty", async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      ws.write(readFileSync(join(ROOT, 'examples/terraform/resources/atonix_workflow/resource.tf'), 'utf8'));
      expect(await ws.apply()).to.match(/version = 1/);
      await ws.plan(0);
      const id = await ws.stateId('atonix_workflow.stop_dev');
      const wf = (await app.admin.get(`/api/automation/workflows/${id}`).expect(200)).body;
      expect(wf.definition.States.Each.ItemProcessor.States.Stop).to.include({ Resource: 'stopInstance' });
      await ws.destroy();
      await app.admin.get(`/api/automation/workflows/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });

  it('applies the workflow and both tasks, re-plans empty, imports without a diff, runs at 02:00, destroys', async () => {
    const user = await newUser(app, 'automation-example');
    const api = app.as(user.token);
    const { flavor, image } = await catalogue(app);
    const create = async (name: string, metadata: Record<string, string>) =>
      (
        await api
          .post('/api/compute/instances')
          .send({ name, flavor_id: flavor.id, image_id: image.id, metadata })
          .expect(202)
      ).body.id as string;
    const dev = await create('dev', { env: 'dev' });
    const evening = await create('evening', { env: 'prod' });
    const status = async (id: string) => (await api.get(`/api/compute/instances/${id}`).expect(200)).body.status;
    for (const id of [dev, evening]) await eventually(async () => (await status(id)) === 'running', `${id} running`);

    const ws = new Workspace(app.url, user.token);
    try {
      copyFileSync(join(EXAMPLE, 'main.tf'), join(ws.dir, 'main.tf'));
      copyFileSync(join(EXAMPLE, 'stop-dev-instances.json'), join(ws.dir, 'stop-dev-instances.json'));
      const vars = ['-var', `instance_id=${evening}`];
      const applied = await ws.must(['apply', '-auto-approve', '-no-color', ...vars]);
      expect(applied).to.contain('Apply complete! Resources: 3 added');
      await ws.must(['plan', '-detailed-exitcode', '-no-color', ...vars]);

      const wfId = /workflow_id = "(wf-[a-z2-7]+)"/.exec(applied)![1]!;
      const wf = (await api.get(`/api/automation/workflows/${wfId}`).expect(200)).body;
      expect(wf.definition).to.deep.equal(JSON.parse(readFileSync(join(EXAMPLE, 'stop-dev-instances.json'), 'utf8')));
      const tasks = (await api.get('/api/automation/scheduled-tasks').expect(200)).body.items;
      const byName = (n: string) => tasks.find((t: any) => t.name === n);
      expect(byName('stop-dev-nightly')).to.include({ schedule: '0 2 * * *', timezone: 'UTC' });
      expect(byName('stop-dev-nightly').target).to.deep.equal({
        operation_id: 'startWorkflowExecution',
        params: { id: wfId },
        body: { input: { reason: 'nightly' } },
      });
      expect(byName('stop-one-evenings')).to.include({ schedule: '0 19 * * 1-5', timezone: 'Europe/Berlin' });
      expect(byName('stop-one-evenings').target).to.deep.equal({
        operation_id: 'stopInstance',
        params: { id: evening },
      });

      // jsonencode(jsondecode(file(...))) is terraform's canonical spelling, the one an import reads back.
      await ws.must(['state', 'rm', 'atonix_workflow.stop_dev']);
      await ws.must(['import', '-no-color', ...vars, 'atonix_workflow.stop_dev', wfId]);
      await ws.must(['plan', '-detailed-exitcode', '-no-color', ...vars]);

      // 02:00: the nightly task starts the workflow, which stops the dev instance only.
      await app.admin
        .post('/api/admin/clock')
        .send({ now: byName('stop-dev-nightly').next_run_at })
        .expect(200);
      const ex = await eventually(async () => {
        const items = (await api.get(`/api/automation/workflows/${wfId}/executions`).expect(200)).body.items;
        return items.length === 1 && items[0].status !== 'running' && items[0];
      }, 'the nightly execution');
      expect(ex.status, JSON.stringify(ex)).to.equal('succeeded');
      expect(await status(dev)).to.equal('stopped');
      expect(await status(evening)).to.equal('running');

      await ws.must(['destroy', '-auto-approve', '-no-color', ...vars]);
      expect((await api.get('/api/automation/workflows').expect(200)).body.items).to.deep.equal([]);
      expect((await api.get('/api/automation/scheduled-tasks').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
    }
  });
});
