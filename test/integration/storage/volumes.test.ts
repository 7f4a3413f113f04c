// Block volumes end to end on the real database and job queue, by operation: create (limits per type, zones, keys,
// capacity), modify, delete, attach and detach (zones, instance states, devices, a real race), instance deletion.
import { expect } from 'chai';
import pg from 'pg';
import { startApp, catalogue, eventually, type TestApp } from '../../support/app.js';

describe('storage: volumes', () => {
  let app: TestApp;
  let flavor: any;
  let image: any;
  before(async () => {
    app = await startApp({ ATONIX_CAPACITY_NVME_GB: '1000' });
    ({ flavor, image } = await catalogue(app));
  });
  after(() => app.close());

  const create = (body: object = {}) =>
    app.admin.post('/api/storage/volumes').send({ name: 'data', size_gb: 10, ...body });
  const settled = (id: string, from = ['creating', 'modifying']) =>
    eventually(async () => {
      const r = await app.admin.get(`/api/storage/volumes/${id}`).expect(200);
      return !from.includes(r.body.status) && r.body;
    }, `volume ${id} to settle`);
  const ready = async (body: object = {}) => settled((await create(body).expect(202)).body.id);
  const instance = async (body: object = {}) => {
    const r = await app.admin
      .post('/api/compute/instances')
      .set('Prefer', 'wait=10')
      .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id, ...body })
      .expect(202);
    expect(r.body.status).to.equal('running');
    return r.body;
  };
  const attach = (vol: string, instance_id: string, device = '/dev/sdf') =>
    app.admin.post(`/api/storage/volumes/${vol}/attach`).send({ instance_id, device });
  const sql = async (text: string, values: unknown[]) => {
    const c = new pg.Client({ connectionString: app.databaseUrl });
    await c.connect();
    try {
      await c.query(text, values);
    } finally {
      await c.end();
    }
  };

  describe('createVolume', () => {
    it('answers 202 creating with a Location, then a job makes it available with the defaults of its type', async () => {
      const r = await create().expect(202);
      expect(r.body).to.include({ status: 'creating', size_gb: 10, type: 'ssd', availability_zone: 'us-east-1a' });
      expect(r.body.id).to.match(/^vol-[a-z2-7]{16}$/);
      expect(r.body.volume_id).to.equal(r.body.id);
      expect(r.headers.location).to.equal(`/api/storage/volumes/${r.body.id}`);
      const done = await settled(r.body.id);
      expect(done).to.include({
        status: 'available',
        status_reason: null,
        iops: 3000,
        throughput: 125,
        encrypted: false,
        kms_key_id: null,
        attached_to: null,
        delete_on_termination: false,
      });
    });
    it('answers ready with Prefer: wait', async () => {
      const r = await create().set('Prefer', 'wait=10').expect(202);
      expect(r.body.status).to.equal('available');
    });
    it('keeps each type inside its limits, a 422 naming the field', async () => {
      const refused = [
        [{ type: 'ssd', size_gb: 20000 }, '/size_gb'],
        [{ type: 'ssd', iops: 2000 }, '/iops'],
        [{ type: 'ssd', iops: 16001 }, '/iops'],
        [{ type: 'ssd', throughput: 1001 }, '/throughput'],
        [{ type: 'hdd', size_gb: 100 }, '/size_gb'],
        [{ type: 'hdd', size_gb: 500, iops: 3000 }, '/iops'],
        [{ type: 'hdd', size_gb: 500, throughput: 200 }, '/throughput'],
        [{ type: 'nvme', size_gb: 2 }, '/size_gb'],
        [{ type: 'nvme', size_gb: 200, iops: 64001 }, '/iops'],
        [{ type: 'nvme', size_gb: 10, iops: 6000 }, '/iops'],
        [{ type: 'nvme', size_gb: 10, throughput: 200 }, '/throughput'],
        [{ type: 'tape' }, '/type'],
      ] as const;
      for (const [body, pointer] of refused) {
        const r = await create(body).expect(422);
        expect(r.body.errors[0].pointer, JSON.stringify(body)).to.equal(pointer);
      }
      const ratio = await create({ type: 'nvme', size_gb: 10, iops: 6000 }).expect(422);
      expect(ratio.body.errors[0].code).to.equal('IopsRatioExceeded');
      const hdd = await ready({ type: 'hdd', size_gb: 125, iops: null });
      expect(hdd).to.include({ iops: null, throughput: null, status: 'available' });
      const nvme = await ready({ type: 'nvme', size_gb: 4 });
      expect(nvme).to.include({ iops: 2000, throughput: null });
      const fast = await ready({ type: 'nvme', size_gb: 64, iops: 32000 });
      expect(fast.iops).to.equal(32000);
    });
    it("takes a zone of the region's only, and size_gb unless created from a snapshot", async () => {
      expect((await create({ availability_zone: 'us-east-1b' }).expect(202)).body.availability_zone).to.equal(
        'us-east-1b',
      );
      const zone = await create({ availability_zone: 'eu-west-1a' }).expect(422);
      expect(zone.body.errors[0]).to.include({ pointer: '/availability_zone' });
      const sizeless = await app.admin.post('/api/storage/volumes').send({ name: 'x' }).expect(422);
      expect(sizeless.body.errors[0]).to.include({ pointer: '/size_gb', code: 'Required' });
    });
    it("encrypts under one of the owner's symmetric keys, named by id or alias", async () => {
      const key = (await app.admin.post('/api/security/keys').send({ name: 'vol-key' }).expect(201)).body;
      await app.admin
        .post('/api/security/key-aliases')
        .send({ name: 'alias/volumes', target_key_id: key.id })
        .expect(201);
      const byAlias = await create({ kms_key_id: 'alias/volumes' }).expect(202);
      expect(byAlias.body).to.include({ encrypted: true, kms_key_id: key.id });
      const plain = await create({ encrypted: true }).expect(202);
      expect(plain.body).to.include({ encrypted: true, kms_key_id: null });
      const unknown = await create({ kms_key_id: 'key-nothing0000' }).expect(422);
      expect(unknown.body.errors[0]).to.include({ pointer: '/kms_key_id', code: 'ReferenceNotFound' });
      const contradiction = await create({ kms_key_id: key.id, encrypted: false }).expect(422);
      expect(contradiction.body.errors[0].pointer).to.equal('/kms_key_id');
      const signing = (
        await app.admin
          .post('/api/security/keys')
          .send({ name: 'signer', key_spec: 'ECC_NIST_P256', key_usage: 'SIGN_VERIFY' })
          .expect(201)
      ).body;
      expect((await create({ kms_key_id: signing.id }).expect(422)).body.errors[0].pointer).to.equal('/kms_key_id');
    });
    it("ends in error with InsufficientCapacity when the type's regional capacity is used up, and frees it on delete", async () => {
      const before = (await app.admin.get('/api/compute/capacity').expect(200)).body.volumes.nvme;
      expect(before.total_gb).to.equal(1000);
      const free = before.total_gb - before.allocated_gb;
      const a = await ready({ type: 'nvme', size_gb: free - 10 });
      expect(a.status).to.equal('available');
      const b = await ready({ type: 'nvme', size_gb: 20 });
      expect(b.status).to.equal('error');
      expect(b.status_reason).to.equal(
        'InsufficientCapacity: needs 20 GiB of nvme; region us-east-1 has 10 GiB of nvme free',
      );
      const full = (await app.admin.get('/api/compute/capacity').expect(200)).body.volumes.nvme;
      expect(full.allocated_gb).to.equal(before.total_gb - 10);
      await app.admin.delete(`/api/storage/volumes/${b.id}`).expect(204); // a failed volume may go
      await app.admin.delete(`/api/storage/volumes/${a.id}`).expect(204);
      const after = (await app.admin.get('/api/compute/capacity').expect(200)).body.volumes.nvme;
      expect(after.allocated_gb).to.equal(before.allocated_gb);
      expect((await ready({ type: 'nvme', size_gb: 20 })).status).to.equal('available');
    });
  });

  describe('listVolumes and getVolume', () => {
    it('filters by type and status; another owner sees none of them', async () => {
      const v = await ready({ type: 'hdd', size_gb: 200, name: 'listed' });
      const hdd = (await app.admin.get('/api/storage/volumes?type=hdd&status=available&limit=100').expect(200)).body;
      expect(hdd.items.map((x: any) => x.id)).to.include(v.id);
      expect(hdd.items.every((x: any) => x.type === 'hdd')).to.equal(true);
      const other = await app.admin.post('/api/security/users').send({ name: 'vol-stranger' }).expect(201);
      const t = await app.admin.post(`/api/security/users/${other.body.id}/tokens`).send({ name: 't' }).expect(201);
      expect((await app.as(t.body.token).get('/api/storage/volumes').expect(200)).body.items).to.deep.equal([]);
      await app.as(t.body.token).get(`/api/storage/volumes/${v.id}`).expect(404);
    });
  });

  describe('updateVolume', () => {
    it('renames at once; grows through modifying back to available; never shrinks', async () => {
      const v = await ready();
      const renamed = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ name: 'renamed' }).expect(200);
      expect(renamed.body).to.include({ name: 'renamed', status: 'available' });
      const grown = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ size_gb: 20 }).expect(200);
      expect(grown.body).to.include({ status: 'modifying', size_gb: 20 });
      expect(await settled(v.id)).to.include({ status: 'available', size_gb: 20 });
      const shrink = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ size_gb: 5 }).expect(422);
      expect(shrink.body.errors[0]).to.include({ pointer: '/size_gb', code: 'ShrinkNotAllowed' });
    });
    it('changes iops of an in-use volume through modifying back to in-use', async () => {
      const vm = await instance();
      const v = await ready();
      await attach(v.id, vm.id).expect(200);
      const r = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ iops: 6000 }).expect(200);
      expect(r.body.status).to.equal('modifying');
      expect(await settled(v.id)).to.include({ status: 'in-use', iops: 6000, attached_to: vm.id });
    });
    it("retypes within the new type's limits, its performance re-defaulted", async () => {
      const v = await ready({ size_gb: 200 });
      const small = await ready({ size_gb: 10 });
      const tooSmall = await app.admin.patch(`/api/storage/volumes/${small.id}`).send({ type: 'hdd' }).expect(422);
      expect(tooSmall.body.errors[0].pointer).to.equal('/size_gb');
      const hdd = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ type: 'hdd' }).expect(200);
      expect(hdd.body).to.include({ type: 'hdd', iops: null, throughput: null, status: 'modifying' });
      expect((await settled(v.id)).status).to.equal('available');
      const badIops = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ iops: 3000 }).expect(422);
      expect(badIops.body.errors[0].pointer).to.equal('/iops');
    });
    it('refuses a growth the capacity cannot hold with 409, the volume unchanged', async () => {
      const v = await ready({ type: 'nvme', size_gb: 10 });
      const r = await app.admin.patch(`/api/storage/volumes/${v.id}`).send({ size_gb: 16_000 }).expect(409);
      expect(r.body.errors[0].code).to.equal('InsufficientCapacity');
      expect((await app.admin.get(`/api/storage/volumes/${v.id}`).expect(200)).body).to.include({
        size_gb: 10,
        status: 'available',
      });
      await app.admin.delete(`/api/storage/volumes/${v.id}`).expect(204);
    });
  });

  describe('attachVolume and detachVolume', () => {
    it('attaches to a running instance of its zone as a device: in-use, shown on the instance; detach makes it available', async () => {
      const vm = await instance();
      const v = await ready();
      const r = await attach(v.id, vm.id, '/dev/vdb').expect(200);
      expect(r.body).to.include({ status: 'in-use', attached_to: vm.id, device: '/dev/vdb' });
      const inst = (await app.admin.get(`/api/compute/instances/${vm.id}`).expect(200)).body;
      expect(inst.volume_ids).to.deep.equal([v.id]);
      const att = (await app.admin.get(`/api/storage/volume-attachments?volume_id=${v.id}`).expect(200)).body.items;
      expect(att).to.have.length(1);
      expect(att[0]).to.include({ instance_id: vm.id, device: '/dev/vdb' });
      const d = await app.admin.post(`/api/storage/volumes/${v.id}/detach`).expect(200);
      expect(d.body).to.include({ status: 'available', attached_to: null, device: null });
      expect((await app.admin.get(`/api/compute/instances/${vm.id}`).expect(200)).body.volume_ids).to.deep.equal([]);
      const again = await app.admin.post(`/api/storage/volumes/${v.id}/detach`).expect(409);
      expect(again.body).to.include({ code: 'InvalidStateTransition', current_status: 'available' });
    });
    it('attaches to a stopped instance too, but not to one that is not running or stopped', async () => {
      const vm = await instance();
      await app.admin.post(`/api/compute/instances/${vm.id}/stop`).expect(200);
      await attach((await ready()).id, vm.id).expect(200);
      const broken = await instance();
      await sql(`update instances set status = 'error' where id = $1`, [broken.id]);
      const r = await attach((await ready()).id, broken.id).expect(409);
      expect(r.body.errors[0]).to.include({ pointer: '/instance_id', code: 'IncorrectInstanceState' });
    });
    it('refuses an instance of another zone, an unknown instance, a bad or taken device name', async () => {
      const vet = await app.admin.post('/api/networking/vpcs').send({ name: 'v', cidr_block: '10.9.0.0/16' });
      const sub = await app.admin
        .post(`/api/networking/vpcs/${vet.body.id}/subnets`)
        .send({ name: 's', cidr_block: '10.9.1.0/24', availability_zone: 'us-east-1b' })
        .expect(201);
      const far = await instance({ subnet_id: sub.body.id });
      const v = await ready();
      const zone = await attach(v.id, far.id).expect(422);
      expect(zone.body.errors[0]).to.include({ pointer: '/instance_id', code: 'ZoneMismatch' });
      const inB = await ready({ availability_zone: 'us-east-1b' });
      await attach(inB.id, far.id).expect(200);
      const unknown = await attach(v.id, 'inst-nothing00000').expect(422);
      expect(unknown.body.errors[0]).to.include({ pointer: '/instance_id', code: 'ReferenceNotFound' });
      for (const device of ['/dev/sda', 'sdf', '/dev/sdf1', '/dev/vda', '/dev/nvme0n1']) {
        const bad = await attach(v.id, far.id, device).expect(422);
        expect(bad.body.errors[0].pointer, device).to.equal('/device');
      }
      const vm = await instance();
      await attach(v.id, vm.id, '/dev/sdg').expect(200);
      const taken = await attach((await ready()).id, vm.id, '/dev/sdg').expect(409);
      expect(taken.body.errors[0]).to.include({ pointer: '/device', code: 'DeviceInUse' });
      const busy = await attach(v.id, (await instance()).id, '/dev/sdh').expect(409);
      expect(busy.body.errors[0].code).to.equal('VolumeInUse');
    });
    it("treats another owner's instance as unknown (for an admin too), and another owner's volume as not found", async () => {
      const u = await app.admin.post('/api/security/users').send({ name: 'vol-neighbour' }).expect(201);
      const t = await app.admin.post(`/api/security/users/${u.body.id}/tokens`).send({ name: 't' }).expect(201);
      const them = app.as(t.body.token);
      const theirs = await them.post('/api/storage/volumes').set('Prefer', 'wait=10').send({ name: 'n', size_gb: 1 });
      const vm = await instance();
      const r = await them
        .post(`/api/storage/volumes/${theirs.body.id}/attach`)
        .send({ instance_id: vm.id, device: '/dev/sdf' })
        .expect(422);
      expect(r.body.errors[0]).to.include({ pointer: '/instance_id', code: 'ReferenceNotFound' });
      await them.post(`/api/storage/volumes/${(await ready()).id}/detach`).expect(404);
      // Not even an admin joins one owner's volume to another owner's instance.
      const mixed = await attach(theirs.body.id, vm.id).expect(422);
      expect(mixed.body.errors[0]).to.include({ pointer: '/instance_id', code: 'ReferenceNotFound' });
    });
    it('lets exactly one of two concurrent attaches of one volume win; the other is a 409', async () => {
      for (let round = 0; round < 3; round++) {
        const [a, b] = [await instance(), await instance()];
        const v = await ready();
        const answers = await Promise.all([attach(v.id, a.id), attach(v.id, b.id)]);
        expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409]);
        const winner = answers.find((r) => r.status === 200)!.body.attached_to;
        const att = (await app.admin.get(`/api/storage/volume-attachments?volume_id=${v.id}`).expect(200)).body.items;
        expect(att.map((x: any) => x.instance_id)).to.deep.equal([winner]);
      }
    });
    it('lets exactly one of two concurrent attaches to one device of an instance win; the other is DeviceInUse', async () => {
      const vm = await instance();
      const [a, b] = [await ready(), await ready()];
      const answers = await Promise.all([attach(a.id, vm.id, '/dev/sdk'), attach(b.id, vm.id, '/dev/sdk')]);
      expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409]);
      expect(answers.find((r) => r.status === 409)!.body.errors[0].code).to.equal('DeviceInUse');
      expect((await app.admin.get(`/api/compute/instances/${vm.id}`).expect(200)).body.volume_ids).to.have.length(1);
    });
    it('creates and deletes the same attachment as a resource of its own', async () => {
      const vm = await instance();
      const v = await ready();
      const r = await app.admin
        .post(`/api/storage/volumes/${v.id}/attachments`)
        .send({ instance_id: vm.id, device: '/dev/xvdf' })
        .expect(201);
      expect(r.body).to.include({ volume_id: v.id, instance_id: vm.id, device: '/dev/xvdf' });
      expect(r.headers.location).to.equal(`/api/storage/volume-attachments/${r.body.id}`);
      const mine = (await app.admin.get(`/api/storage/volumes/${v.id}/attachments`).expect(200)).body.items;
      expect(mine.map((x: any) => x.id)).to.deep.equal([r.body.id]);
      const mismatch = await app.admin
        .post(`/api/storage/volumes/${v.id}/attachments`)
        .send({ volume_id: 'vol-other0000', instance_id: vm.id, device: '/dev/xvdg' })
        .expect(422);
      expect(mismatch.body.errors[0].pointer).to.equal('/volume_id');
      await app.admin.delete(`/api/storage/volume-attachments/${r.body.id}`).expect(204);
      expect((await app.admin.get(`/api/storage/volumes/${v.id}`).expect(200)).body.status).to.equal('available');
      await app.admin.get(`/api/storage/volume-attachments/${r.body.id}`).expect(404);
    });
  });

  describe('deleteVolume', () => {
    it('refuses an attached volume with 409 naming the instance, then deletes it once detached', async () => {
      const vm = await instance();
      const v = await ready();
      await attach(v.id, vm.id).expect(200);
      const r = await app.admin.delete(`/api/storage/volumes/${v.id}`).expect(409);
      expect(r.body.code).to.equal('ResourceInUse');
      expect(r.body.blocked_by).to.deep.equal([{ kind: 'instance', id: vm.id }]);
      expect(r.body.detail).to.include(vm.id);
      await app.admin.post(`/api/storage/volumes/${v.id}/detach`).expect(200);
      await app.admin.delete(`/api/storage/volumes/${v.id}`).expect(204);
      await app.admin.get(`/api/storage/volumes/${v.id}`).expect(404);
    });
  });

  describe('deleteInstance', () => {
    it('detaches its volumes (kept, available) and deletes those marked delete_on_termination', async () => {
      const vm = await instance();
      const kept = await ready();
      const doomed = await ready({ delete_on_termination: true, type: 'nvme', size_gb: 8 });
      await attach(kept.id, vm.id, '/dev/sdf').expect(200);
      await attach(doomed.id, vm.id, '/dev/sdg').expect(200);
      const before = (await app.admin.get('/api/compute/capacity').expect(200)).body.volumes.nvme.allocated_gb;
      expect((await app.admin.get(`/api/compute/instances/${vm.id}`).expect(200)).body.volume_ids).to.deep.equal([
        kept.id,
        doomed.id,
      ]);
      await app.admin.delete(`/api/compute/instances/${vm.id}`).expect(204);
      expect((await app.admin.get(`/api/storage/volumes/${kept.id}`).expect(200)).body).to.include({
        status: 'available',
        attached_to: null,
        device: null,
      });
      await app.admin.get(`/api/storage/volumes/${doomed.id}`).expect(404);
      const after = (await app.admin.get('/api/compute/capacity').expect(200)).body.volumes.nvme.allocated_gb;
      expect(after).to.equal(before - 8);
      const att = (await app.admin.get(`/api/storage/volume-attachments?instance_id=${vm.id}`).expect(200)).body;
      expect(att.items).to.deep.equal([]);
    });
  });
});

describe('storage: volumes after a crash', () => {
  it('finishes a volume left creating when its process stopped (its job sent again at start)', async () => {
    const first = await startApp({ ATONIX_PROVISION_DELAY_MS: '600000' });
    let id: string;
    try {
      id = (await first.admin.post('/api/storage/volumes').send({ name: 'orphan', size_gb: 5 }).expect(202)).body.id;
      expect((await first.admin.get(`/api/storage/volumes/${id}`).expect(200)).body.status).to.equal('creating');
    } finally {
      await first.close();
    }
    const second = await startApp({}, first.databaseUrl);
    try {
      const done = await eventually(async () => {
        const r = await second.admin.get(`/api/storage/volumes/${id}`).expect(200);
        return r.body.status !== 'creating' && r.body;
      }, 'the recovered volume to be placed');
      expect(done.status).to.equal('available');
    } finally {
      await second.close();
    }
  });
});
