// data "atonix_prediction" through the real terraform binary: the data source's example over a series written
// through the API, its outputs equal to the API's own answer, an empty second plan (no new sample, so the same
// forecast), and clear diagnostics when two series match and when the history is too short.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { platformNow, writeSeries } from '../../integration/ai/predictions-fixture.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

const EXAMPLE = join(ROOT, 'examples/terraform/data-sources/atonix_prediction/data-source.tf');
const OUTPUTS = ['chosen_model', 'method', 'times', 'mean', 'lower80', 'upper80', 'lower95', 'upper95', 'max_upper95'];

describe('terraform: data "atonix_prediction" through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  let user: { id: string; token: string };
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    user = await newUser(app, 'tf-forecaster');
    const now = await platformNow(app);
    for (const instance_id of ['i-1', 'i-2'])
      await writeSeries(app, user.token, { name: 'cpu_load', labels: { instance_id }, now, steps: 14 * 24 });
    await writeSeries(app, user.token, { name: 'fresh_metric', labels: { instance_id: 'i-1' }, now, steps: 5 });
  });
  after(() => app.close());

  it("applies the example, its outputs are the API's forecast, and a second plan is empty", async () => {
    const ws = new Workspace(app.url, user.token);
    try {
      ws.write(readFileSync(EXAMPLE, 'utf8'));
      const outputs = OUTPUTS.map((k) => `output "${k}" {\n  value = data.atonix_prediction.cpu.${k}\n}\n`);
      writeFileSync(join(ws.dir, 'outputs.tf'), outputs.join(''));
      await ws.apply();
      await ws.plan(0);
      const out = JSON.parse(await ws.must(['output', '-json'])) as Record<string, { value: any }>;
      const api = await app
        .as(user.token)
        .get('/api/ai/predictions?metric=cpu_load&labels={instance_id="i-1"}&horizon=1d&step=1h&history=14d&model=auto')
        .expect(200);
      expect(api.body.cached, 'the plan-time read left the answer in the cache').to.equal(true);
      const [s] = api.body.series;
      expect(out.chosen_model!.value).to.equal(s.model);
      expect(out.method!.value).to.equal(s.method);
      expect(out.cpu_forecast_model!.value).to.equal(`${s.model}: ${s.selection}`);
      expect(out.times!.value).to.deep.equal(s.points.map((p: { timestamp: string }) => p.timestamp));
      for (const k of ['mean', 'lower80', 'upper80', 'lower95', 'upper95']) {
        const want: number[] = s.points.map((p: Record<string, number>) => p[k]);
        expect(out[k]!.value).to.have.length(24);
        out[k]!.value.forEach((v: number, i: number) => expect(v, `${k}[${i}]`).to.be.closeTo(want[i]!, 1e-9));
      }
      const peak = Math.max(...s.points.map((p: { upper95: number }) => p.upper95));
      expect(out.max_upper95!.value).to.be.closeTo(peak, 1e-9);
      expect(out.cpu_peak_95!.value).to.be.closeTo(peak, 1e-9);
    } finally {
      ws.remove();
    }
  });

  it('refuses a read that matches two series, naming them, and one with too little history, with the numbers', async () => {
    const ws = new Workspace(app.url, user.token);
    try {
      ws.write('data "atonix_prediction" "all" {\n  metric = "cpu_load"\n}\n');
      const two = await ws.must(['plan', '-no-color'], 1);
      expect(two).to.contain('2 series of cpu_load match');
      expect(two).to.contain('instance_id="i-1"');
      expect(two).to.contain('instance_id="i-2"');
      ws.write(
        'data "atonix_prediction" "fresh" {\n  metric = "fresh_metric"\n  labels = { instance_id = "i-1" }\n}\n',
      );
      const short = await ws.must(['plan', '-no-color'], 1);
      expect(short).to.contain('Not enough history to forecast');
      expect(short).to.match(/needs at least \d+ points of history/);
      expect(short).to.contain('it has 5');
    } finally {
      ws.remove();
    }
  });
});
