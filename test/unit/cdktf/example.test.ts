// The example app synthesizes with no terraform binary, holds no secret and no machine-specific path.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK, STOP_DEV_DEFINITION, synthExample } from '../../../examples/cdktf/main.js';
import { ROOT } from './support.js';

describe('cdktf: the example app', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'atonix-cdktf-example-'));
  const secret = 'atx_secret_token_that_must_not_leak';
  let raw: string;
  let json: any;
  before(() => {
    const saved = process.env.ATONIX_TOKEN;
    process.env.ATONIX_TOKEN = secret;
    try {
      const dir = synthExample(outdir);
      expect(dir).to.equal(join(outdir, 'stacks', STACK));
      raw = readFileSync(join(dir, 'cdk.tf.json'), 'utf8');
      json = JSON.parse(raw);
    } finally {
      if (saved === undefined) delete process.env.ATONIX_TOKEN;
      else process.env.ATONIX_TOKEN = saved;
    }
  });
  after(() => rmSync(outdir, { recursive: true, force: true }));

  it('declares a VPC, three subnets, four instances and the flavor and image lookups', () => {
    const count = (o: object | undefined) => Object.keys(o ?? {}).length;
    expect(count(json.resource.atonix_vpc)).to.equal(1);
    expect(count(json.resource.atonix_subnet)).to.equal(3);
    expect(count(json.resource.atonix_instance)).to.equal(4);
    expect(json.data.atonix_flavor.small).to.include({ name: 't1.small' });
    expect(json.data.atonix_image.debian).to.include({ name: 'debian-12' });
  });

  it('declares the nightly workflow as JSON text of the shared definition, and a 02:00 task that starts it', () => {
    const flow = json.resource.atonix_workflow.stop_dev;
    expect(JSON.parse(flow.definition)).to.deep.equal(STOP_DEV_DEFINITION);
    const task = json.resource.atonix_scheduled_task.stop_dev_nightly;
    expect(task.schedule).to.equal('0 2 * * *');
    // The workflow's id is a reference inside the JSON text, resolved by terraform (or the stack engine).
    expect(JSON.parse(task.target)).to.deep.equal({
      operation_id: 'startWorkflowExecution',
      params: { id: '${atonix_workflow.stop_dev.id}' },
      body: { input: { reason: 'nightly' } },
    });
    expect(json.output.workflow_id.value).to.equal('${atonix_workflow.stop_dev.id}');
  });

  it('requires the project provider at its own version, configured from the environment only', () => {
    expect(json.terraform.required_providers.atonix).to.deep.equal({
      source: 'registry.terraform.io/atonixcorp/atonix',
      version: '0.1.0',
    });
    expect(json.provider.atonix).to.deep.equal([{}]);
  });

  it('never writes the token, and holds no absolute path (the state path is relative)', () => {
    expect(raw).to.not.contain(secret);
    expect(raw).to.not.contain(outdir);
    expect(raw).to.not.contain(ROOT);
    expect(json.terraform.backend).to.deep.equal({ local: { path: `../../../terraform.${STACK}.tfstate` } });
  });
});
