// data "atonix_prediction" from CDKTF: a stack using the generated binding synthesizes to Terraform JSON, and the
// real terraform binary applies that JSON against the API, its outputs the API's own forecast.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { App, TerraformOutput, TerraformStack } from '../../../provider/cdktf/constructs/cdktf.js';
import { dataAtonixPrediction, provider } from '../../../provider/cdktf/lib/index.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { platformNow, writeSeries } from '../../integration/ai/predictions-fixture.js';
import { prepareProvider, Workspace } from './workspace.js';

/** The capacity-planning stack: tomorrow's hourly forecast of one instance's load; its cdk.tf.json. */
function synth(outdir: string): Record<string, any> {
  const app = new App({ outdir, stackTraces: false });
  const stack = new TerraformStack(app, 'capacity');
  new provider.AtonixProvider(stack, 'atonix');
  const load = new dataAtonixPrediction.DataAtonixPrediction(stack, 'load', {
    metric: 'api_load',
    labels: { instance_id: 'i-7' },
    horizon: '12h',
    model: 'seasonal_naive',
  });
  new TerraformOutput(stack, 'peak', { value: load.maxUpper95 });
  new TerraformOutput(stack, 'model', { value: load.chosenModel });
  new TerraformOutput(stack, 'times', { value: load.times });
  app.synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks/capacity/cdk.tf.json'), 'utf8'));
}

describe('terraform: data "atonix_prediction" from CDKTF', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_CLOCK: 'manual' });
  });
  after(() => app.close());

  it('synthesizes the data source in snake_case, and terraform applies it to the API forecast', async () => {
    const user = await newUser(app, 'cdktf-capacity');
    await writeSeries(app, user.token, {
      name: 'api_load',
      labels: { instance_id: 'i-7' },
      now: await platformNow(app),
      steps: 7 * 24,
    });
    const ws = new Workspace(app.url, user.token);
    try {
      const doc = synth(join(ws.dir, 'cdktf.out'));
      expect(doc.data.atonix_prediction.load).to.deep.include({
        metric: 'api_load',
        labels: { instance_id: 'i-7' },
        horizon: '12h',
        model: 'seasonal_naive',
      });
      // CDKTF names a local backend (its own state path); dev_overrides run without `terraform init`, so drop it.
      delete doc.terraform.backend;
      writeFileSync(join(ws.dir, 'main.tf.json'), JSON.stringify(doc));
      await ws.apply();
      await ws.plan(0);
      const out = JSON.parse(await ws.must(['output', '-json'])) as Record<string, { value: any }>;
      const api = await app
        .as(user.token)
        .get('/api/ai/predictions?metric=api_load&labels={instance_id="i-7"}&horizon=12h&model=seasonal_naive')
        .expect(200);
      const [s] = api.body.series;
      expect(out.model!.value).to.equal('seasonal_naive');
      expect(out.times!.value).to.deep.equal(s.points.map((p: { timestamp: string }) => p.timestamp));
      expect(out.peak!.value).to.be.closeTo(Math.max(...s.points.map((p: { upper95: number }) => p.upper95)), 1e-9);
    } finally {
      ws.remove();
    }
  });
});
