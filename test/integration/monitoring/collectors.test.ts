// The platform's own series: the modelled workload of a running instance and its attached volume (backfilled minute
// by minute when the clock jumps), the observed API calls per owner with latency histograms, bucket size, objects and
// requests (REST and S3 alike), and the job queues' depth as the admin's; each owner sees only their own.
import { expect } from 'chai';
import { catalogue, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { cpuPercent, workloadOf } from '../../../api/src/monitoring/collectors/workload-model.js';
import type { Matcher, Scope, SeriesData } from '../../../api/src/monitoring/types.js';
import { s3As } from '../../support/s3.js';
import { activeLb, forward, healthOf, listener, serving, targetGroup, viaLb, webTarget } from '../../support/lb.js';
import { GetObjectCommand } from '@aws-sdk/client-s3';

const MIN = 60_000;
const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });

describe('monitoring: the platform-observed and modelled series', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  let instance: { id: string; created_at: string };
  let volume: { id: string };
  let bucket: { id: string };
  let start: number;

  const now = async () => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
  const advance = (seconds: number) =>
    app.admin.post('/api/admin/clock').send({ advance_seconds: seconds }).expect(200);
  const select = (scope: Scope, ...ms: Matcher[]): Promise<SeriesData[]> =>
    tsdb(app.platform).source.select(scope, ms, 0, Number.MAX_SAFE_INTEGER);

  before(async () => {
    app = await startApp({
      ATONIX_CLOCK: 'manual',
      ATONIX_METRICS_COLLECT_SECONDS: '60',
      ATONIX_METRICS_BACKFILL_HOURS: '3',
    });
    alice = await newUser(app, 'alice');
    bob = await newUser(app, 'bob');
    const { flavor, image } = await catalogue(app);
    const created = await app
      .as(alice.token)
      .post('/api/compute/instances')
      .set('Prefer', 'wait=10')
      .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id, metadata: { 'atonix:workload': 'diurnal:40' } })
      .expect(202);
    expect(created.body.status).to.equal('running');
    instance = created.body;
    const vol = await app
      .as(alice.token)
      .post('/api/storage/volumes')
      .set('Prefer', 'wait=10')
      .send({ name: 'data', size_gb: 10 });
    volume = vol.body;
    await eventually(
      async () => (await app.as(alice.token).get(`/api/storage/volumes/${volume.id}`)).body.status === 'available',
      'the volume',
    );
    await app
      .as(alice.token)
      .post(`/api/storage/volumes/${volume.id}/attach`)
      .send({ instance_id: instance.id, device: '/dev/sdf' })
      .expect(200);
    bucket = (
      await app.as(alice.token).post('/api/storage/buckets').send({ name: 'metrics-bucket', size_gb: 1 }).expect(201)
    ).body;
    for (const key of ['a.txt', 'b.txt'])
      await app
        .as(alice.token)
        .put(`/api/storage/buckets/${bucket.id}?key=${key}`)
        .set('Content-Type', 'application/octet-stream')
        .send('x'.repeat(1000))
        .expect(200);
    start = await now();
    await advance(2 * 3600);
  });
  after(() => app.close());

  describe('modelled', () => {
    it('writes a running instance one point a minute since it was created, equal to its model', async () => {
      const [cpu] = await select(
        { owner: alice.id },
        eq('__name__', 'atonix_instance_cpu_utilization_percent'),
        eq('resource_id', instance.id),
      );
      expect(cpu.labels).to.include({ kind: 'instance', owner: alice.id, resource_id: instance.id });
      const created = Date.parse(instance.created_at);
      const times = cpu.samples.map((s) => s.t);
      expect(times[0]).to.equal(Math.ceil(created / MIN) * MIN);
      expect(times.at(-1)).to.equal(Math.floor((start + 2 * 3600_000) / MIN) * MIN);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).to.equal(MIN);
      const w = workloadOf(instance.id, { 'atonix:workload': 'diurnal:40' });
      for (const s of cpu.samples.slice(0, 5)) expect(s.v).to.be.closeTo(cpuPercent(instance.id, w, s.t), 0.006);
    });

    it("writes memory and growing network counters beside CPU, and the attached volume's disk counters", async () => {
      for (const name of [
        'atonix_instance_memory_utilization_percent',
        'atonix_instance_network_receive_bytes_total',
        'atonix_instance_network_transmit_bytes_total',
      ])
        expect(
          await select({ owner: alice.id }, eq('__name__', name), eq('resource_id', instance.id)),
          name,
        ).to.have.length(1);
      const [reads] = await select(
        { owner: alice.id },
        eq('__name__', 'atonix_volume_read_ops_total'),
        eq('resource_id', volume.id),
      );
      expect(reads.labels).to.include({ kind: 'volume', instance_id: instance.id });
      const vs = reads.samples.map((s) => s.v);
      expect(vs.at(-1)).to.be.above(vs[0]);
      for (let i = 1; i < vs.length; i++) expect(vs[i]).to.be.at.least(vs[i - 1]);
    });

    it('writes each minute once however often the clock moves within it, and nothing for a stopped instance', async () => {
      const count = async () =>
        (await select({ owner: alice.id }, eq('__name__', 'atonix_instance_cpu_utilization_percent')))[0].samples
          .length;
      const before = await count();
      await advance(20);
      await advance(20);
      expect(await count()).to.equal(before);
      await app.as(alice.token).post(`/api/compute/instances/${instance.id}/stop`).set('Prefer', 'wait=10').expect(200);
      await eventually(
        async () => (await app.as(alice.token).get(`/api/compute/instances/${instance.id}`)).body.status === 'stopped',
        'stopped',
      );
      await advance(600);
      const after = await count();
      await advance(600);
      expect(await count()).to.equal(after);
    });
  });

  describe('observed', () => {
    it('counts API calls per operation and owner, with a latency histogram', async () => {
      const calls = await select(
        { owner: alice.id },
        eq('__name__', 'atonix_api_requests_total'),
        eq('operation', 'createBucket'),
      );
      expect(calls).to.have.length(1);
      expect(calls[0].labels).to.include({ code: '201', owner: alice.id });
      expect(calls[0].labels.instance).to.be.a('string');
      expect(calls[0].samples.at(-1)!.v).to.equal(1);
      const buckets = await select(
        { owner: alice.id },
        eq('__name__', 'atonix_api_request_duration_seconds_bucket'),
        eq('operation', 'createBucket'),
      );
      const inf = buckets.find((b) => b.labels.le === '+Inf')!;
      expect(inf.samples.at(-1)!.v).to.equal(1);
      const les = buckets.map((b) => b.labels.le);
      expect(les).to.include.members(['0.001', '1', '+Inf']);
    });

    it("writes a bucket's size, object count and requests", async () => {
      const value = async (name: string, ...more: Matcher[]) =>
        (await select({ owner: alice.id }, eq('__name__', name), eq('resource_id', bucket.id), ...more))[0]?.samples.at(
          -1,
        )?.v;
      expect(await value('atonix_bucket_size_bytes')).to.equal(2000);
      expect(await value('atonix_bucket_objects')).to.equal(2);
      expect(await value('atonix_bucket_requests_total', eq('method', 'PUT'))).to.equal(2);
    });

    it('counts S3 requests for the bucket by its name, as the REST ones by id', async () => {
      const { s3 } = await s3As(app, alice);
      const gets = async () => {
        await advance(60);
        const found = await select(
          { owner: alice.id },
          eq('__name__', 'atonix_bucket_requests_total'),
          eq('method', 'GET'),
        );
        expect(found).to.have.length(1);
        expect(found[0].labels.resource_id).to.equal(bucket.id);
        return found[0].samples.at(-1)!.v;
      };
      // The first request also teaches the SDK the platform clock's offset (a refused, skewed attempt counts too).
      await s3.send(new GetObjectCommand({ Bucket: 'metrics-bucket', Key: 'a.txt' }));
      const before = await gets();
      await s3.send(new GetObjectCommand({ Bucket: 'metrics-bucket', Key: 'b.txt' }));
      await app.as(alice.token).get(`/api/storage/buckets/${bucket.id}?key=a.txt`).expect(200);
      expect(await gets()).to.equal(before + 2);
    });

    it("writes a load balancer's requests, errors and latency, and its target group's healthy hosts", async () => {
      const web = await webTarget('a');
      try {
        const { lb } = await activeLb(app);
        const { tg } = await targetGroup(app, lb, [web.port]);
        const l = await listener(app, lb, { port: 80, default_action: forward(tg) });
        await healthOf(app, tg, 'healthy');
        await serving(l.endpoint);
        for (let i = 0; i < 3; i++) await viaLb(l.endpoint);
        await advance(60);
        const admin = { owner: null };
        const [ok] = await select(
          admin,
          eq('__name__', 'atonix_lb_requests_total'),
          eq('resource_id', lb),
          eq('code', '2xx'),
        );
        expect(ok.labels).to.include({ kind: 'load_balancer', listener: l.id });
        expect(ok.samples.at(-1)!.v).to.be.at.least(3);
        const [errors] = await select(admin, eq('__name__', 'atonix_lb_errors_total'), eq('resource_id', lb));
        expect(errors.samples.at(-1)!.v).to.equal(0);
        const [count] = await select(
          admin,
          eq('__name__', 'atonix_lb_request_duration_seconds_count'),
          eq('resource_id', lb),
        );
        expect(count.samples.at(-1)!.v).to.be.at.least(3);
        const [healthy] = await select(admin, eq('__name__', 'atonix_lb_healthy_hosts'), eq('resource_id', tg));
        expect(healthy.labels).to.include({ kind: 'target_group', load_balancer: lb });
        expect(healthy.samples.at(-1)!.v).to.equal(1);
      } finally {
        await web.close();
      }
    });

    it("gives the job queues' depth to the admin", async () => {
      const depth = await select({ owner: null }, eq('__name__', 'atonix_job_queue_depth'));
      expect(depth.length).to.be.above(0);
      const admin = depth[0].labels.owner;
      expect(admin).not.to.equal(alice.id);
    });
  });

  it('shows each owner only their own series', async () => {
    expect(await select({ owner: bob.id }, eq('resource_id', instance.id))).to.deep.equal([]);
    expect(await select({ owner: bob.id }, eq('__name__', 'atonix_bucket_size_bytes'))).to.deep.equal([]);
    const all = await select({ owner: null }, eq('resource_id', instance.id));
    expect(all.length).to.be.above(3);
  });
});

describe('monitoring: the budget of a collection pass', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({
      ATONIX_CLOCK: 'manual',
      ATONIX_METRICS_COLLECT_SECONDS: '60',
      ATONIX_METRICS_POINTS_PER_PASS: '40',
    });
  });
  after(() => app.close());

  it('fills a gap from its end with as many minutes as the budget allows', async () => {
    const { flavor, image } = await catalogue(app);
    const vm = await app.admin
      .post('/api/compute/instances')
      .set('Prefer', 'wait=10')
      .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id })
      .expect(202);
    const moved = await app.admin
      .post('/api/admin/clock')
      .send({ advance_seconds: 3 * 3600 })
      .expect(200);
    const now = Date.parse(moved.body.now);
    const [cpu] = await tsdb(app.platform).source.select(
      { owner: null },
      [eq('__name__', 'atonix_instance_cpu_utilization_percent'), eq('resource_id', vm.body.id)],
      0,
      Number.MAX_SAFE_INTEGER,
    );
    // 40 points at 4 series a minute: the last 10 minutes of the three hours.
    expect(cpu.samples.map((s) => s.t)).to.deep.equal(
      Array.from({ length: 10 }, (_, i) => (Math.floor(now / MIN) - 9 + i) * MIN),
    );
  });
});
