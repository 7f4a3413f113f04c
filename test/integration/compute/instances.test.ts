// Instances end to end on the real database and job queue, by operation: build, place, power, delete, reference rules.
import { expect } from 'chai';
import pg from 'pg';
import { rowCache } from '../../../api/src/platform/resources/row-cache.js';
import { startApp, catalogue, eventually, type TestApp } from '../../support/app.js';

describe('compute: instances', () => {
  let app: TestApp;
  let flavor: any;
  let image: any;
  before(async () => {
    app = await startApp();
    ({ flavor, image } = await catalogue(app));
  });
  after(() => app.close());

  const create = (body: object = {}) =>
    app.admin.post('/api/compute/instances').send({ name: 'web', flavor_id: flavor.id, image_id: image.id, ...body });
  const running = (id: string) =>
    eventually(async () => {
      const r = await app.admin.get(`/api/compute/instances/${id}`).expect(200);
      return r.body.status !== 'building' && r.body;
    }, `instance ${id} to leave building`);

  describe('listInstances', () => {
    it('lists newest first with cursors and filters by status', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await create({ name: `page-${i}` }).expect(202)).body.id);
      const first = await app.admin.get('/api/compute/instances?limit=2').expect(200);
      expect(first.body.items.map((i: any) => i.id)).to.deep.equal([ids[2], ids[1]]);
      const second = await app.admin.get(`/api/compute/instances?limit=2&cursor=${first.body.next_cursor}`).expect(200);
      expect(second.body.items[0].id).to.equal(ids[0]);
      for (const id of ids) await running(id);
      const byStatus = await app.admin.get('/api/compute/instances?status=running&limit=100').expect(200);
      expect(byStatus.body.items.every((i: any) => i.status === 'running')).to.equal(true);
      const none = await app.admin.get('/api/compute/instances?status=stopped').expect(200);
      expect(none.body.items).to.deep.equal([]);
    });
    it('rejects a bad cursor and a bad filter value as 400 naming the parameter', async () => {
      const bad = await app.admin.get('/api/compute/instances?cursor=nonsense').expect(400);
      expect(bad.body.errors[0]).to.include({ pointer: 'cursor', code: 'InvalidCursor' });
      const badStatus = await app.admin.get('/api/compute/instances?status=flying').expect(400);
      expect(badStatus.body.errors[0].pointer).to.equal('status');
    });
  });

  describe('createInstance', () => {
    it('answers 202 building with a Location, then a job moves it to running', async () => {
      const r = await create({ metadata: { team: 'web' } }).expect(202);
      expect(r.body).to.include({ status: 'building', name: 'web', power_state: 'running', region: 'us-east-1' });
      expect(r.body.id).to.match(/^inst-[a-z2-7]{16}$/);
      expect(r.headers.location).to.equal(`/api/compute/instances/${r.body.id}`);
      expect(r.headers.etag).to.equal(r.body.etag);
      const done = await running(r.body.id);
      expect(done).to.include({ status: 'running', status_reason: null });
      expect(done.metadata).to.deep.equal({ team: 'web' });
    });
    it('honours power_state stopped at creation once placed', async () => {
      const { id } = (await create({ power_state: 'stopped' }).expect(202)).body;
      expect((await running(id)).status).to.equal('stopped');
    });
    it('validates the body with pointers: missing, unknown, read-only and mistyped fields', async () => {
      const r = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'x', flavor_id: 7, status: 'running', colour: 'red' })
        .expect(422);
      expect(r.body.code).to.equal('ValidationFailed');
      const byPointer = Object.fromEntries(r.body.errors.map((e: any) => [e.pointer, e.code]));
      expect(byPointer).to.include({
        '/image_id': 'Required',
        '/flavor_id': 'Type',
        '/status': 'UnknownField',
        '/colour': 'UnknownField',
      });
      expect((await app.admin.get('/api/compute/instances?name=x').expect(200)).body.items).to.have.length(0);
    });
    it('refuses references that do not exist, and deprecated images', async () => {
      const r = await create({ flavor_id: 'flv-doesnotexist00' }).expect(422);
      expect(r.body).to.include({ code: 'ReferenceNotFound' });
      expect(r.body.errors[0].pointer).to.equal('/flavor_id');
      const img = await app.admin
        .post('/api/compute/images')
        .send({ name: 'old-os', os: 'old', version: '1', status: 'deprecated' })
        .expect(201);
      const d = await create({ image_id: img.body.id }).expect(422);
      expect(d.body.errors[0]).to.include({ pointer: '/image_id', code: 'ImageNotActive' });
    });
  });

  describe('startInstance and stopInstance', () => {
    it('stops and starts through the state machine; an illegal transition is a 409 naming the statuses', async () => {
      const { id } = (await create().expect(202)).body;
      await running(id);
      const stopped = await app.admin.post(`/api/compute/instances/${id}/stop`).expect(200);
      expect(stopped.body).to.include({ status: 'stopped', power_state: 'stopped' });
      const again = await app.admin.post(`/api/compute/instances/${id}/stop`).expect(409);
      expect(again.headers['content-type']).to.match(/application\/problem\+json/);
      expect(again.body).to.include({ code: 'InvalidStateTransition', current_status: 'stopped' });
      expect(again.body.allowed_statuses).to.deep.equal(['running']);
      expect(again.body.detail).to.match(/its status is stopped; stop is allowed from: running/);
      const started = await app.admin.post(`/api/compute/instances/${id}/start`).expect(200);
      expect(started.body.status).to.equal('running');
    });
  });

  describe('updateInstance', () => {
    it('makes power_state declarative through PATCH', async () => {
      const { id } = (await create().expect(202)).body;
      await running(id);
      const r = await app.admin
        .patch(`/api/compute/instances/${id}`)
        .set('Content-Type', 'application/merge-patch+json')
        .send({ power_state: 'stopped', name: 'renamed' })
        .expect(200);
      expect(r.body).to.include({ status: 'stopped', power_state: 'stopped', name: 'renamed' });
    });
    it('merge-patches metadata: keys merge, a null member removes its key (RFC 7386)', async () => {
      const { id } = (await create({ metadata: { role: 'web', tier: 'front' } }).expect(202)).body;
      const merged = await app.admin
        .patch(`/api/compute/instances/${id}`)
        .set('Content-Type', 'application/merge-patch+json')
        .send({ metadata: { owner: 'bob', tier: null } })
        .expect(200);
      expect(merged.body.metadata).to.deep.equal({ role: 'web', owner: 'bob' });
      const reset = await app.admin.patch(`/api/compute/instances/${id}`).send({ metadata: null }).expect(200);
      expect(reset.body.metadata).to.deep.equal({});
    });
    it('refuses to change an immutable field with 422 FieldImmutable, but accepts it re-sent unchanged', async () => {
      const { id } = (await create().expect(202)).body;
      const other = (await app.admin.get('/api/compute/flavors?name=m1.large').expect(200)).body.items[0];
      const r = await app.admin.patch(`/api/compute/instances/${id}`).send({ flavor_id: other.id }).expect(422);
      expect(r.body).to.include({ code: 'FieldImmutable' });
      expect(r.body.errors[0]).to.include({ pointer: '/flavor_id' });
      await app.admin
        .patch(`/api/compute/instances/${id}`)
        .send({ flavor_id: flavor.id, name: 'same-flavor' })
        .expect(200);
    });
  });

  describe('deleteInstance', () => {
    it('deletes from any status and the instance is gone', async () => {
      const { id } = (await create().expect(202)).body;
      await app.admin.delete(`/api/compute/instances/${id}`).expect(204);
      const r = await app.admin.get(`/api/compute/instances/${id}`).expect(404);
      expect(r.body).to.include({ code: 'NotFound', status: 404 });
    });
  });
});

describe('compute: placement against finite capacity', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_CAPACITY_VCPUS: '10', ATONIX_CAPACITY_RAM_MB: '65536', ATONIX_CAPACITY_GPUS: '0' });
  });
  after(() => app.close());

  it('puts an instance that does not fit into error with InsufficientCapacity, and frees capacity on delete', async () => {
    const { image } = await catalogue(app);
    const big = (await app.admin.get('/api/compute/flavors?name=m1.xlarge').expect(200)).body.items[0]; // 8 vCPU
    const gpu = (await app.admin.get('/api/compute/flavors?name=g1.gpu1').expect(200)).body.items[0];
    const wait = (id: string) =>
      eventually(async () => {
        const b = (await app.admin.get(`/api/compute/instances/${id}`)).body;
        return b.status !== 'building' && b;
      }, 'placement');
    const a = (
      await app.admin
        .post('/api/compute/instances')
        .send({ name: 'a', flavor_id: big.id, image_id: image.id })
        .expect(202)
    ).body;
    expect((await wait(a.id)).status).to.equal('running');
    const b = (
      await app.admin
        .post('/api/compute/instances')
        .send({ name: 'b', flavor_id: big.id, image_id: image.id })
        .expect(202)
    ).body;
    const failed = await wait(b.id);
    expect(failed.status).to.equal('error');
    expect(failed.status_reason).to.match(/^InsufficientCapacity: needs 8 vCPU.*has 2 vCPU/);
    const g = (
      await app.admin
        .post('/api/compute/instances')
        .send({ name: 'g', flavor_id: gpu.id, image_id: image.id })
        .expect(202)
    ).body;
    expect((await wait(g.id)).status_reason).to.match(/InsufficientCapacity/);
    const cap = await app.admin.get('/api/compute/capacity').expect(200);
    expect(cap.body.allocated).to.deep.equal({ vcpus: 8, ram_mb: 32768, gpus: 0 });
    await app.admin.delete(`/api/compute/instances/${b.id}`).expect(204); // error status: deletable, held nothing
    await app.admin.delete(`/api/compute/instances/${a.id}`).expect(204);
    expect((await app.admin.get('/api/compute/capacity').expect(200)).body.allocated).to.deep.equal({
      vcpus: 0,
      ram_mb: 0,
      gpus: 0,
    });
    const c = (
      await app.admin
        .post('/api/compute/instances')
        .send({ name: 'c', flavor_id: big.id, image_id: image.id })
        .expect(202)
    ).body;
    expect((await wait(c.id)).status).to.equal('running');
  });
});

describe('compute: placement on a busy connection pool', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_DB_POOL_MAX: '2', ATONIX_PROVISION_DELAY_MS: '500' });
  });
  after(() => app.close());

  it('places an instance whose flavor is not cached on the one connection its transaction holds', async () => {
    const { flavor, image } = await catalogue(app);
    const created = await app.admin
      .post('/api/compute/instances')
      .send({ name: 'pool', flavor_id: flavor.id, image_id: image.id })
      .expect(202);
    rowCache.invalidate(flavor.id); // as after a restart or a flavor change, before the job runs
    // Someone else holds the pool's other connection: placement has exactly one.
    const client = app.platform.db.client as {
      acquireConnection(): Promise<unknown>;
      releaseConnection(c: unknown): Promise<void>;
    };
    const held = await client.acquireConnection();
    const watcher = new pg.Client({ connectionString: app.databaseUrl });
    await watcher.connect();
    try {
      // Had placement asked the pool for a second connection, it would wait out knex's 30 s acquire timeout.
      const status = await eventually(
        async () => {
          const { rows } = await watcher.query('select status from instances where id = $1', [created.body.id]);
          return rows[0].status !== 'building' && (rows[0].status as string);
        },
        'placement',
        20_000,
      );
      expect(status).to.equal('running');
    } finally {
      await watcher.end();
      await client.releaseConnection(held);
    }
  });
});
