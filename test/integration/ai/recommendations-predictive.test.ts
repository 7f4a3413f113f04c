// Predictive scaling end to end: an instance whose CPU has climbed for 14 days (written through the metrics API as
// the instance's series, since the modelled workloads have no trend) is forecast to reach 90 % within the week and
// gets the next bigger flavor, with the forecast as its evidence; a flat one beside it gets nothing.
import { expect } from 'chai';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';
import { HOUR, noise, platformNow, writeSeries } from './predictions-fixture.js';

type Rec = Record<string, any>;
const CPU = 'atonix_instance_cpu_utilization_percent';

describe('ai: predictive scaling', function () {
  this.timeout(120_000);
  let app: TestApp;
  let dana: { id: string; token: string };
  const vm: Record<string, Rec> = {};
  let flavors: Record<string, Rec>;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    dana = await newUser(app, 'dana');
    const { image } = await catalogue(app);
    const all = (await app.admin.get('/api/compute/flavors?limit=100').expect(200)).body.items;
    flavors = Object.fromEntries(all.map((f: Rec) => [f.name, f]));
    for (const name of ['climbing', 'flat'])
      vm[name] = (
        await app
          .as(dana.token)
          .post('/api/compute/instances')
          .set('Prefer', 'wait=10')
          .send({ name, flavor_id: flavors['t1.medium']!.id, image_id: image.id })
          .expect(202)
      ).body;
    await app.admin
      .post('/api/admin/clock')
      .send({ advance_seconds: 15 * 86_400 })
      .expect(200);
    const now = await platformNow(app);
    const start = now - 14 * 24 * HOUR;
    const rnd = noise(7);
    // 40 % rising to 84 % over the 14 days (about 3.1 points a day) with a small daily swing: the p95 stays under 90.
    const climbing = (t: number) =>
      40 +
      (44 * (t - start)) / (14 * 24 * HOUR) +
      2 * Math.sin((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR)) +
      rnd();
    const labels = (id: string) => ({ resource_id: id, kind: 'instance' });
    await writeSeries(app, dana.token, {
      name: CPU,
      labels: labels(vm.climbing!.id),
      now,
      steps: 14 * 24,
      value: climbing,
    });
    await writeSeries(app, dana.token, {
      name: CPU,
      labels: labels(vm.flat!.id),
      now,
      steps: 14 * 24,
      value: () => 50 + rnd(),
    });
    await app.as(dana.token).post('/api/ai/recommendations/refresh').expect(200);
  });
  after(() => app.close());

  it('proposes the next bigger flavor for the climbing instance only, before its forecast reaches 90 %', async () => {
    const recs: Rec[] = (await app.as(dana.token).get('/api/ai/recommendations?type=predictive_scaling').expect(200))
      .body.items;
    expect(recs.map((r) => r.resource_id)).to.deep.equal([vm.climbing!.id]);
    const [r] = recs;
    expect(r!.evidence.p95_percent).to.be.below(90);
    expect(r!.evidence.crossing_step).to.be.within(1, 7 * 24);
    expect(r!.evidence.forecast_at_crossing.mean).to.be.at.least(90);
    expect(r!.evidence.to_flavor.id).to.not.equal(flavors['t1.medium']!.id);
    expect(r!.action.steps[0]).to.deep.include({ operation_id: 'resizeInstance', params: { id: vm.climbing!.id } });
    expect(r!.method).to.contain('forecast');
    // A bigger flavor costs more: the "savings" are negative, priced from the catalogue.
    expect(r!.monthly_savings).to.be.below(0);
  });

  it('applies as a resize of the stopped instance to the proposed flavor', async () => {
    const rec: Rec = (await app.as(dana.token).get('/api/ai/recommendations?type=predictive_scaling').expect(200)).body
      .items[0];
    await app.as(dana.token).post(`/api/compute/instances/${vm.climbing!.id}/stop`).expect(200);
    const applied = await app.as(dana.token).post(`/api/ai/recommendations/${rec.id}/apply`).expect(200);
    expect(applied.body.state).to.equal('applied');
    const inst = (await app.as(dana.token).get(`/api/compute/instances/${vm.climbing!.id}`).expect(200)).body;
    expect(inst.flavor_id).to.equal(rec.evidence.to_flavor.id);
  });
});
