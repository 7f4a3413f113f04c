// The CDKTF example end to end: synthesized cdk.tf.json through the real terraform (init from a filesystem mirror,
// apply, an empty second plan, destroy) against a running API, checked over REST: the network and instances, and
// the nightly workflow with the scheduled task that starts it.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK, STOP_DEV_DEFINITION, synthExample } from '../../../examples/cdktf/main.js';
import { installMirror } from '../../../scripts/provider-install.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from '../terraform/workspace.js';

describe('cdktf: the example deploys through terraform', function () {
  this.timeout(300_000);
  let app: TestApp;
  let user: { id: string; token: string };
  let w: Workspace;
  const mirrorDir = mkdtempSync(join(tmpdir(), 'atonix-cdktf-mirror-'));
  const stackDir = `cdktf.out/stacks/${STACK}`;
  const tf = (args: string[], code = 0) => w.must([`-chdir=${stackDir}`, ...args], code);

  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '200' });
    user = await newUser(app, 'cdktf-user');
    w = new Workspace(app.url, user.token, installMirror(mirrorDir).cliConfig);
    synthExample(join(w.dir, 'cdktf.out'));
  });
  after(async () => {
    w?.remove();
    rmSync(mirrorDir, { recursive: true, force: true });
    await app?.close();
  });

  it('inits offline from the mirror, and terraform reports the very schema the bindings were generated from', async () => {
    expect(await tf(['init', '-no-color'])).to.match(/Installed atonixcorp\/atonix v0\.1\.0/);
    const printed = JSON.parse(await tf(['providers', 'schema', '-json']));
    const exported = JSON.parse(readFileSync(join(ROOT, 'provider/cdktf/schema.json'), 'utf8'));
    expect(printed).to.deep.equal(exported);
  });

  it('applies; the resources exist over REST as declared; a second plan is empty', async () => {
    expect(await tf(['apply', '-auto-approve', '-no-color'])).to.contain(
      'Apply complete! Resources: 10 added, 0 changed, 0 destroyed.',
    );
    expect(
      existsSync(join(w.dir, `terraform.${STACK}.tfstate`)),
      'state beside cdktf.out/ (relative backend path)',
    ).to.equal(true);
    const out = JSON.parse(await tf(['output', '-json']));
    const value = (k: string) => out[k].value;
    const api = app.as(user.token);

    const vpc = (await api.get(`/api/networking/vpcs/${value('vpc_id')}`).expect(200)).body;
    expect(vpc).to.include({ name: 'cdktf-example', cidr_block: '10.30.0.0/16', state: 'available' });
    const subnets = await Promise.all(
      value('subnet_ids').map(async (id: string) => (await api.get(`/api/networking/subnets/${id}`).expect(200)).body),
    );
    expect(subnets.map((s) => [s.name, s.cidr_block, s.availability_zone, s.vpc_id])).to.deep.equal([
      ['cdktf-example-1', '10.30.0.0/24', 'us-east-1a', vpc.id],
      ['cdktf-example-2', '10.30.1.0/24', 'us-east-1b', vpc.id],
      ['cdktf-example-3', '10.30.2.0/24', 'us-east-1c', vpc.id],
    ]);
    const web = await Promise.all(
      value('web_ids').map(async (id: string) => (await api.get(`/api/compute/instances/${id}`).expect(200)).body),
    );
    expect(web.map((i) => [i.name, i.status, i.subnet_id, i.metadata])).to.deep.equal([
      ['web-1', 'running', subnets[0].id, { role: 'web' }],
      ['web-2', 'running', subnets[1].id, { role: 'web' }],
      ['web-3', 'running', subnets[2].id, { role: 'web' }],
    ]);
    expect(value('web_private_ips')).to.deep.equal(web.map((i) => i.private_ip));
    web.forEach((i, n) => expect(i.private_ip).to.match(new RegExp(`^10\\.30\\.${n}\\.\\d+$`)));
    const bastion = (await api.get(`/api/compute/instances/${value('bastion_id')}`).expect(200)).body;
    expect(bastion).to.include({ name: 'bastion', status: 'stopped', subnet_id: subnets[0].id });

    // The workflow's definition and the task's target are JSON text (JSON.stringify, not terraform's canonical
    // spelling): stored as the documents they spell, the task starting that very workflow.
    const flow = (await api.get(`/api/automation/workflows/${value('workflow_id')}`).expect(200)).body;
    expect(flow).to.include({ name: 'stop-dev-instances', latest_version: 1 });
    expect(flow.definition).to.deep.equal(STOP_DEV_DEFINITION);
    const task = (await api.get(`/api/automation/scheduled-tasks/${value('nightly_task_id')}`).expect(200)).body;
    expect(task).to.include({ schedule: '0 2 * * *', owner: user.id });
    expect(task.target).to.deep.equal({
      operation_id: 'startWorkflowExecution',
      params: { id: flow.id },
      body: { input: { reason: 'nightly' } },
    });

    await tf(['plan', '-detailed-exitcode', '-no-color'], 0);
  });

  it('destroys everything it created', async () => {
    expect(await tf(['destroy', '-auto-approve', '-no-color'])).to.contain(
      'Destroy complete! Resources: 10 destroyed.',
    );
    const api = app.as(user.token);
    for (const path of [
      '/api/networking/vpcs',
      '/api/networking/subnets',
      '/api/compute/instances',
      '/api/automation/workflows',
      '/api/automation/scheduled-tasks',
    ]) {
      expect((await api.get(`${path}?limit=100`).expect(200)).body.items, path).to.deep.equal([]);
    }
  });
});
