// Recommendations from 15 days of modelled workloads (the collectors backfill them after the manual clock jumps):
// each type for the resource that deserves it and no other, costed from the catalogue (null with a reason when a
// price is missing), applied through the API as the owner, dismissed for good, refreshed daily by the worker.
import { expect } from 'chai';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';

const DAY = 86_400;
type Rec = Record<string, any>;

describe('ai: recommendations', function () {
  this.timeout(300_000);
  let app: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const vm: Record<string, Rec> = {};
  const bkt: Record<string, Rec> = {};
  let spare: Rec;
  let flavors: Record<string, Rec>;
  let refreshed: Rec;

  const as = () => app.as(alice.token);
  const advance = (seconds: number) =>
    app.admin.post('/api/admin/clock').send({ advance_seconds: seconds }).expect(200);
  const list = async (query: string): Promise<Rec[]> =>
    (await as().get(`/api/ai/recommendations?limit=200&${query}`).expect(200)).body.items;
  const only = async (type: string, resourceId: string): Promise<Rec> => {
    const found = await list(`type=${type}&resource_id=${resourceId}&state=open`);
    expect(found, `${type} for ${resourceId}`).to.have.length(1);
    return found[0]!;
  };
  const refresh = async () => (await as().post('/api/ai/recommendations/refresh').expect(200)).body;

  before(async () => {
    app = await startApp({
      ATONIX_CLOCK: 'manual',
      ATONIX_METRICS_COLLECT_SECONDS: '60',
      ATONIX_METRICS_BACKFILL_HOURS: '400',
      ATONIX_METRICS_POINTS_PER_PASS: '2000000',
    });
    alice = await newUser(app, 'alice');
    bob = await newUser(app, 'bob');
    const { image } = await catalogue(app);
    const all = (await app.admin.get('/api/compute/flavors?limit=100').expect(200)).body.items;
    flavors = Object.fromEntries(all.map((f: Rec) => [f.name, f]));
    const shapes: [string, string, string][] = [
      ['lowcpu', 't1.medium', 'steady:8'],
      ['hotcpu', 'm1.large', 'steady:96'],
      ['normal', 't1.medium', 'steady:50'],
      ['nightly', 't1.medium', 'diurnal:40'],
      ['weekly', 't1.medium', 'weekly:40'],
      ['parked', 't1.small', 'steady:30'],
    ];
    for (const [name, flavor, workload] of shapes) {
      const r = await as()
        .post('/api/compute/instances')
        .set('Prefer', 'wait=10')
        .send({ name, flavor_id: flavors[flavor]!.id, image_id: image.id, metadata: { 'atonix:workload': workload } })
        .expect(202);
      expect(r.body.status).to.equal('running');
      vm[name] = r.body;
    }
    spare = (await as().post('/api/storage/volumes').set('Prefer', 'wait=10').send({ name: 'spare', size_gb: 10 }))
      .body;
    for (const name of ['empty', 'cold', 'hot']) {
      bkt[name] = (
        await as()
          .post('/api/storage/buckets')
          .send({ name: `rec-${name}`, size_gb: 1 })
          .expect(201)
      ).body;
      if (name === 'empty') continue;
      for (const key of ['a.bin', 'b.bin'])
        await as()
          .put(`/api/storage/buckets/${bkt[name]!.id}?key=${key}`)
          .set('Content-Type', 'application/octet-stream')
          .send(Buffer.alloc(1 << 20, 1))
          .expect(200);
    }
    await (await app.as(bob.token)).post('/api/storage/buckets').send({ name: 'bob-empty', size_gb: 1 }).expect(201);
    await advance(3600);
    await as().post(`/api/compute/instances/${vm.parked!.id}/stop`).expect(200);
    await advance(2 * DAY - 3600);
    // Within the last 14 days, the hot bucket is read: a first read starts its request counter, the next ten are counted between samples.
    const read = () => as().get(`/api/storage/buckets/${bkt.hot!.id}/objects`).expect(200);
    await read();
    await advance(120);
    for (let i = 0; i < 10; i++) await read();
    await advance(120);
    await advance(13 * DAY - 240);
    refreshed = await refresh();
  });
  after(() => app.close());

  describe('refreshRecommendations', () => {
    it('answers what it made or renewed (the daily run, due during the clock jump, made them first)', async () => {
      const ids = (await list('')).map((r) => r.id).sort();
      expect([...refreshed.created, ...refreshed.updated].sort()).to.deep.equal(ids);
      expect(ids.length).to.equal(8);
      expect(refreshed.superseded).to.deep.equal([]);
    });

    it('proposes each type for the resources that deserve it, and for no other', async () => {
      const byType = async (type: string) => (await list(`type=${type}`)).map((r) => r.resource_id).sort();
      expect(await byType('rightsizing')).to.deep.equal([vm.hotcpu!.id, vm.lowcpu!.id].sort());
      expect(await byType('schedule')).to.deep.equal([vm.nightly!.id, vm.weekly!.id].sort());
      expect(await byType('idle_resource')).to.deep.equal([vm.parked!.id, spare.id, bkt.empty!.id].sort());
      expect(await byType('storage_lifecycle')).to.deep.equal([bkt.cold!.id]);
      // The modelled workloads have no trend: no forecast reaches 90 % for an instance whose p95 is still under it
      // (the saturated one is rightsizing's); recommendations-predictive.test.ts writes a rising series.
      expect(await byType('predictive_scaling')).to.deep.equal([]);
    });

    it('does not duplicate on a second refresh: the same evidence renews the same recommendations', async () => {
      const before = await list('');
      const again = await refresh();
      expect(again.created).to.deep.equal([]);
      expect(again.updated.sort()).to.deep.equal(before.map((r) => r.id).sort());
      expect((await list('')).length).to.equal(before.length);
    });
  });

  describe('the evidence, the method and the savings', () => {
    it('rightsizes a quiet instance down, with its p95, its period and the savings from both flavor prices', async () => {
      const r = await only('rightsizing', vm.lowcpu!.id);
      expect(r.evidence.p95_percent).to.be.within(8, 9.5);
      expect(r.evidence.window_days).to.equal(14);
      expect(r.evidence.daily_p95_percent).to.have.length(14);
      expect(r.evidence.to_flavor.name).to.equal('t1.small');
      expect(r.method).to.contain('quantile_over_time(0.95');
      expect(r.action.steps).to.deep.equal([
        { operation_id: 'resizeInstance', params: { id: vm.lowcpu!.id }, body: { flavor_id: flavors['t1.small']!.id } },
      ]);
      expect(r.action.precondition).to.contain('stopped');
      expect(r.monthly_savings).to.equal(Math.round((0.0416 - 0.0208) * 730 * 100) / 100);
      expect(r.currency).to.equal('USD');
      expect(r.savings.prices.map((p: Rec) => p.name)).to.deep.equal(['t1.medium', 't1.small']);
      expect(r.confidence).to.be.within(0.9, 1);
    });

    it('rightsizes a saturated instance up, as an extra cost', async () => {
      const r = await only('rightsizing', vm.hotcpu!.id);
      expect(r.evidence.p95_percent).to.be.greaterThan(90);
      expect(r.evidence.to_flavor.name).to.equal('m1.xlarge');
      expect(r.monthly_savings).to.equal(-Math.round((0.384 - 0.192) * 730 * 100) / 100);
    });

    it('finds the diurnal instance idle at night and the weekly one idle at weekends, by k-means', async () => {
      const night = await only('schedule', vm.nightly!.id);
      expect(night.evidence.clusters).to.equal(1);
      expect(night.evidence.idle_hours_utc).to.deep.equal({ from: '23:00', to: '5:00', hours: 6 });
      const [stop, start] = night.action.steps;
      expect(stop.body).to.include({ schedule: '0 23 * * *', timezone: 'UTC' });
      expect(stop.body.target).to.deep.equal({ operation_id: 'stopInstance', params: { id: vm.nightly!.id } });
      expect(start.body.schedule).to.equal('0 5 * * *');
      expect(night.monthly_savings).to.equal(Math.round(((42 * 730) / 168) * 0.0416 * 100) / 100);
      const weekend = await only('schedule', vm.weekly!.id);
      expect(weekend.evidence.clusters).to.equal(2);
      expect(weekend.evidence.idle_weekdays).to.deep.equal(['Saturday', 'Sunday']);
      expect(weekend.action.steps.map((s: Rec) => s.body.schedule)).to.deep.equal(['0 0 * * 6', '0 0 * * 1']);
      expect(weekend.confidence).to.equal(1);
    });

    it('names idle resources with when and how long, and the savings where the catalogue prices them', async () => {
      const parked = await only('idle_resource', vm.parked!.id);
      expect(parked.evidence.stopped_days).to.be.within(14, 15);
      expect(parked.monthly_savings).to.equal(null);
      expect(parked.savings.reason).to.contain('running hour');
      const volume = await only('idle_resource', spare.id);
      expect(volume.monthly_savings).to.equal(10 * 0.08);
      expect(volume.action.steps[0]).to.deep.equal({ operation_id: 'deleteVolume', params: { id: spare.id } });
      const empty = await only('idle_resource', bkt.empty!.id);
      expect(empty.evidence.objects).to.equal(0);
    });

    it('gives the unread bucket a lifecycle rule, and leaves the read one alone', async () => {
      const cold = await only('storage_lifecycle', bkt.cold!.id);
      expect(cold.evidence).to.include({ get_requests: 0, objects: 2, standard_bytes: 2 << 20 });
      expect(cold.action.steps[0].body.rules[0]).to.include({ transition_infrequent_days: 30 });
      expect(cold.savings.prices.map((p: Rec) => p.name)).to.deep.equal(['STANDARD', 'INFREQUENT']);
      expect(await list(`resource_id=${bkt.hot!.id}`)).to.deep.equal([]);
    });

    it('keeps a recommendation whose price is missing, with null savings and the reason', async () => {
      const price = (await app.admin.get('/api/ai/prices?resource_type=flavor&name=m1.xlarge').expect(200)).body
        .items[0];
      await app.admin.delete(`/api/ai/prices/${price.id}`).expect(204);
      try {
        await refresh();
        const r = await only('rightsizing', vm.hotcpu!.id);
        expect(r.monthly_savings).to.equal(null);
        expect(r.savings.reason).to.contain('m1.xlarge');
      } finally {
        const { id: _id, created_at: _c, updated_at: _u, etag: _e, ...body } = price;
        await app.admin.post('/api/ai/prices').send(body).expect(201);
      }
      expect((await only('rightsizing', vm.hotcpu!.id)).monthly_savings).to.equal(null);
      await refresh();
      expect((await only('rightsizing', vm.hotcpu!.id)).monthly_savings).to.be.lessThan(0);
    });
  });

  describe('applyRecommendation', () => {
    it('answers 409 on a running instance (resize needs it stopped) and leaves the recommendation open', async () => {
      const r = await only('rightsizing', vm.lowcpu!.id);
      const refused = await as().post(`/api/ai/recommendations/${r.id}/apply`).expect(409);
      expect(refused.body.code).to.equal('InvalidStateTransition');
      expect(refused.body.detail).to.contain('running');
      expect((await as().get(`/api/ai/recommendations/${r.id}`).expect(200)).body.state).to.equal('open');
    });

    it('resizes the stopped instance as its owner, and records what it did', async () => {
      const r = await only('rightsizing', vm.lowcpu!.id);
      await as().post(`/api/compute/instances/${vm.lowcpu!.id}/stop`).expect(200);
      const applied = await as().post(`/api/ai/recommendations/${r.id}/apply`).expect(200);
      expect(applied.body.state).to.equal('applied');
      expect(applied.body.result.steps).to.deep.equal([
        { operation_id: 'resizeInstance', status: 200, id: vm.lowcpu!.id },
      ]);
      const inst = (await as().get(`/api/compute/instances/${vm.lowcpu!.id}`).expect(200)).body;
      expect(inst.flavor_id).to.equal(flavors['t1.small']!.id);
      const audit = await app.admin.get(
        `/api/security/audit-logs?resource_id=${vm.lowcpu!.id}&action=compute:ResizeInstance`,
      );
      expect(audit.body.items[0]).to.include({ user_id: alice.id, status: 'success' });
      const again = await as().post(`/api/ai/recommendations/${r.id}/apply`).expect(409);
      expect(again.body.current_status).to.equal('applied');
    });

    it('creates the stop/start scheduled tasks of a schedule', async () => {
      const r = await only('schedule', vm.nightly!.id);
      const applied = (await as().post(`/api/ai/recommendations/${r.id}/apply`).expect(200)).body;
      const ids = applied.result.steps.map((s: Rec) => s.id);
      expect(ids).to.have.length(2);
      const tasks = await Promise.all(
        ids.map(async (id: string) => (await as().get(`/api/automation/scheduled-tasks/${id}`).expect(200)).body),
      );
      expect(tasks.map((t) => [t.schedule, t.target.operation_id])).to.deep.equal([
        ['0 23 * * *', 'stopInstance'],
        ['0 5 * * *', 'startInstance'],
      ]);
    });

    it('gives the cold bucket its lifecycle rule', async () => {
      const r = await only('storage_lifecycle', bkt.cold!.id);
      const applied = (await as().post(`/api/ai/recommendations/${r.id}/apply`).expect(200)).body;
      const config = (await as().get(`/api/storage/lifecycle-configurations/${applied.result.steps[0].id}`).expect(200))
        .body;
      expect(config.bucket_id).to.equal(bkt.cold!.id);
      expect(config.rules[0].transition_infrequent_days).to.equal(30);
    });
  });

  describe('dismissRecommendation', () => {
    it('sticks: a refresh finding the same action leaves it dismissed', async () => {
      const r = await only('schedule', vm.weekly!.id);
      const stale = await as().post(`/api/ai/recommendations/${r.id}/dismiss`).set('If-Match', '"r999"').expect(412);
      expect(stale.body.code).to.equal('PreconditionFailed');
      const dismissed = await as().post(`/api/ai/recommendations/${r.id}/dismiss`).set('If-Match', r.etag).expect(200);
      expect(dismissed.body.state).to.equal('dismissed');
      const out = await refresh();
      expect(out.unchanged_dismissed).to.include(r.id);
      expect(out.created).to.deep.equal([]);
      expect((await as().get(`/api/ai/recommendations/${r.id}`).expect(200)).body.state).to.equal('dismissed');
      expect(await list(`type=schedule&resource_id=${vm.weekly!.id}&state=open`)).to.deep.equal([]);
      await as().post(`/api/ai/recommendations/${r.id}/dismiss`).expect(409);
    });
  });

  describe('tenancy', () => {
    it("shows each owner only their own, and another owner's is a 404 on every operation", async () => {
      const bobs = (await app.as(bob.token).post('/api/ai/recommendations/refresh').expect(200)).body;
      const theirs = [...bobs.created, ...bobs.updated];
      expect(theirs).to.have.length(1);
      const mine = (await list('')).map((r) => r.id);
      expect(mine).to.not.include(theirs[0]);
      const r = await only('idle_resource', spare.id);
      await app.as(bob.token).get(`/api/ai/recommendations/${r.id}`).expect(404);
      await app.as(bob.token).post(`/api/ai/recommendations/${r.id}/apply`).expect(404);
      await app.as(bob.token).post(`/api/ai/recommendations/${r.id}/dismiss`).expect(404);
    });
  });

  describe('the daily refresh', () => {
    it('runs when the platform clock passes 03:00 UTC, for every owner, and supersedes what no longer holds', async () => {
      const volume = await only('idle_resource', spare.id);
      await as().delete(`/api/storage/volumes/${spare.id}`).expect(204);
      const now = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
      const due = Math.floor(now / (DAY * 1000)) * DAY * 1000 + 3 * 3600_000;
      const next = due > now ? due : due + DAY * 1000;
      await advance(Math.ceil((next - now) / 1000) + 60);
      const after = (await as().get(`/api/ai/recommendations/${volume.id}`).expect(200)).body;
      expect(after.state).to.equal('superseded');
      expect(after.state_reason).to.contain('no longer holds');
      const parked = await only('idle_resource', vm.parked!.id);
      expect(Date.parse(parked.last_seen_at)).to.be.greaterThan(next - 1);
    });
  });
});
