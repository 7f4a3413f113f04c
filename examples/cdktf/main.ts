// The CDKTF example app: a Network, a ComputeFleet on it, and a raw generated instance, with the flavor and image
// looked up by name; and the nightly stop-dev workflow with the scheduled task that starts it. `npm run cdktf:synth`
// writes examples/cdktf/cdktf.out/stacks/atonix-example/cdk.tf.json.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ComputeFleet, Network } from '../../provider/cdktf/constructs/index.js';
import {
  App,
  LocalBackend,
  TerraformOutput,
  TerraformStack,
  type Construct,
} from '../../provider/cdktf/constructs/cdktf.js';
import {
  dataAtonixFlavor,
  dataAtonixImage,
  instance,
  provider,
  scheduledTask,
  workflow,
} from '../../provider/cdktf/lib/index.js';

export const STACK = 'atonix-example';

/** The definition examples/terraform/automation/main.tf reads too: one file, so the two examples cannot drift. */
export const STOP_DEV_DEFINITION = JSON.parse(
  readFileSync(new URL('../terraform/automation/stop-dev-instances.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

/**
 * A three-zone network, three web servers spread over it, and a stopped bastion in the first subnet; a workflow that
 * stops every running instance tagged env=dev, started at 02:00 UTC by a scheduled task.
 */
export class ExampleStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    // No endpoint or token in code: the provider reads ATONIX_ENDPOINT and ATONIX_TOKEN when terraform runs, so
    // neither is ever written into cdk.tf.json.
    new provider.AtonixProvider(this, 'atonix');
    // Relative to the stack's folder (cdktf.out/stacks/<id>): the state sits beside cdktf.out/, and the synthesized
    // JSON holds no absolute path of the machine that made it.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });

    const flavor = new dataAtonixFlavor.DataAtonixFlavor(this, 'small', { name: 't1.small' });
    const image = new dataAtonixImage.DataAtonixImage(this, 'debian', { name: 'debian-12' });
    const network = new Network(this, 'network', {
      name: 'cdktf-example',
      cidrBlock: '10.30.0.0/16',
      subnetCount: 3,
      subnetPrefix: 24,
    });
    const web = new ComputeFleet(this, 'web', {
      name: 'web',
      size: 3,
      network,
      flavorId: flavor.id,
      imageId: image.id,
      metadata: { role: 'web' },
      timeouts: { create: '10m' },
    });
    const bastion = new instance.Instance(this, 'bastion', {
      name: 'bastion',
      flavorId: flavor.id,
      imageId: image.id,
      subnetId: network.subnets[0]!.id,
      powerState: 'stopped',
    });

    // JSON attributes are JSON text: JSON.stringify() writes it, and a token inside (the workflow's id) becomes a
    // `${...}` reference in the synthesized string, which terraform and the stack engine both resolve.
    const stopDev = new workflow.Workflow(this, 'stop_dev', {
      name: 'stop-dev-instances',
      description: 'Stops every running instance tagged env=dev.',
      definition: JSON.stringify(STOP_DEV_DEFINITION),
    });
    const nightly = new scheduledTask.ScheduledTask(this, 'stop_dev_nightly', {
      name: 'stop-dev-nightly',
      schedule: '0 2 * * *',
      target: JSON.stringify({
        operation_id: 'startWorkflowExecution',
        params: { id: stopDev.id },
        body: { input: { reason: 'nightly' } },
      }),
    });

    new TerraformOutput(this, 'vpc_id', { value: network.vpcId });
    new TerraformOutput(this, 'subnet_ids', { value: network.subnetIds });
    new TerraformOutput(this, 'web_ids', { value: web.ids });
    new TerraformOutput(this, 'web_private_ips', { value: web.privateIps });
    new TerraformOutput(this, 'bastion_id', { value: bastion.id });
    new TerraformOutput(this, 'workflow_id', { value: stopDev.id });
    new TerraformOutput(this, 'nightly_task_id', { value: nightly.id });
  }
}

/** Synthesizes the example into `outdir`; returns the stack's folder (where cdk.tf.json is). */
export function synthExample(outdir: string): string {
  const app = new App({ outdir, stackTraces: false });
  new ExampleStack(app, STACK);
  app.synth();
  return join(outdir, 'stacks', STACK);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // cdktf-cli (`cdktf synth` in this folder, see cdktf.json) passes its output folder in CDKTF_OUTDIR.
  const dir = synthExample(process.env.CDKTF_OUTDIR ?? join(fileURLToPath(new URL('.', import.meta.url)), 'cdktf.out'));
  console.log(`wrote ${relative(process.cwd(), join(dir, 'cdk.tf.json'))}`);
}
