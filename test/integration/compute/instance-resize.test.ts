// Resizing an instance (what the rightsizing recommendations apply): only when stopped, to a flavor that exists and
// fits the region's free capacity, which follows the new flavor; audited.
import { expect } from 'chai';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';

describe('compute: resizeInstance', function () {
  this.timeout(60_000);
  let app: TestApp;
  let user: { id: string; token: string };
  let flavors: Record<string, { id: string; vcpus: number; ram_mb: number }>;
  let image: { id: string };
  const capacity = async () => (await app.admin.get('/api/compute/capacity').expect(200)).body.allocated;
  const make = async () =>
    (
      await app
        .as(user.token)
        .post('/api/compute/instances')
        .set('Prefer', 'wait=10')
        .send({ name: 'vm', flavor_id: flavors['t1.small']!.id, image_id: image.id })
        .expect(202)
    ).body;

  before(async () => {
    app = await startApp();
    user = await newUser(app, 'resizer');
    image = (await catalogue(app)).image;
    const all = (await app.admin.get('/api/compute/flavors?limit=100').expect(200)).body.items;
    flavors = Object.fromEntries(all.map((f: any) => [f.name, f]));
  });
  after(() => app.close());

  it('refuses a running instance with 409 naming its status, and changes nothing', async () => {
    const vm = await make();
    expect(vm.status).to.equal('running');
    const r = await app
      .as(user.token)
      .post(`/api/compute/instances/${vm.id}/resize`)
      .send({ flavor_id: flavors['t1.medium']!.id })
      .expect(409);
    expect(r.body).to.include({ code: 'InvalidStateTransition', current_status: 'running' });
    expect(r.body.allowed_statuses).to.deep.equal(['stopped']);
    expect((await app.as(user.token).get(`/api/compute/instances/${vm.id}`).expect(200)).body.flavor_id).to.equal(
      flavors['t1.small']!.id,
    );
  });

  it('gives a stopped instance the new flavor, moves its claim on the capacity and audits it', async () => {
    const vm = await make();
    await app.as(user.token).post(`/api/compute/instances/${vm.id}/stop`).expect(200);
    const before = await capacity();
    const r = await app
      .as(user.token)
      .post(`/api/compute/instances/${vm.id}/resize`)
      .send({ flavor_id: flavors['m1.large']!.id })
      .expect(200);
    expect(r.body).to.include({ flavor_id: flavors['m1.large']!.id, status: 'stopped' });
    const after = await capacity();
    expect(after.vcpus - before.vcpus).to.equal(flavors['m1.large']!.vcpus - flavors['t1.small']!.vcpus);
    expect(after.ram_mb - before.ram_mb).to.equal(flavors['m1.large']!.ram_mb - flavors['t1.small']!.ram_mb);
    const audit = await app.admin.get(`/api/security/audit-logs?resource_id=${vm.id}&action=compute:ResizeInstance`);
    expect(audit.body.items[0]).to.include({ status: 'success' });
    expect(audit.body.items[0].details).to.deep.equal({
      from_flavor: flavors['t1.small']!.id,
      to_flavor: flavors['m1.large']!.id,
    });
    await app.as(user.token).post(`/api/compute/instances/${vm.id}/start`).expect(200);
  });

  it('refuses an unknown flavor (422 naming flavor_id) and a stale If-Match (412)', async () => {
    const vm = await make();
    await app.as(user.token).post(`/api/compute/instances/${vm.id}/stop`).expect(200);
    const r = await app
      .as(user.token)
      .post(`/api/compute/instances/${vm.id}/resize`)
      .send({ flavor_id: 'flv-doesnotexist00' })
      .expect(422);
    expect(r.body.errors[0].pointer).to.equal('/flavor_id');
    await app
      .as(user.token)
      .post(`/api/compute/instances/${vm.id}/resize`)
      .set('If-Match', '"r999"')
      .send({ flavor_id: flavors['t1.medium']!.id })
      .expect(412);
    const other = await newUser(app, 'stranger');
    await app
      .as(other.token)
      .post(`/api/compute/instances/${vm.id}/resize`)
      .send({ flavor_id: flavors['t1.medium']!.id })
      .expect(404);
  });

  it('refuses a flavor larger than the free capacity with 409 InsufficientCapacity', async () => {
    const vm = await make();
    await app.as(user.token).post(`/api/compute/instances/${vm.id}/stop`).expect(200);
    const huge = await app.admin
      .post('/api/compute/flavors')
      .send({ name: 'z1.enormous', vcpus: 512, ram_mb: 8388608, disk_gb: 10 })
      .expect(201);
    const before = await capacity();
    const r = await app
      .as(user.token)
      .post(`/api/compute/instances/${vm.id}/resize`)
      .send({ flavor_id: huge.body.id })
      .expect(409);
    expect(r.body.code).to.equal('InsufficientCapacity');
    expect(r.body.detail).to.match(/needs 512 vCPU/);
    expect(await capacity()).to.deep.equal(before);
  });
});
