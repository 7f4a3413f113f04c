// Volumes, their attachments and snapshots through the real terraform binary. atonix_volume's lifecycle is a case
// of resources.test.ts; here: a retype in place, atonix_volume_attachment (create attaches, destroy detaches,
// import, replacement on a new device, out-of-band detach), atonix_snapshot (waits for completed, import,
// replacement, out-of-band delete) and both data sources. Attachments and snapshots have no field that changes
// in place (every one is immutable), so their "update" is a replacement.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

const INSTANCE = `
data "atonix_flavor" "small" {
  name = "t1.small"
}
data "atonix_image" "debian" {
  name = "debian-12"
}
resource "atonix_instance" "vm" {
  name      = "vm"
  flavor_id = data.atonix_flavor.small.id
  image_id  = data.atonix_image.debian.id
}
`;

describe('terraform: volumes, attachments and snapshots through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '300', ATONIX_SNAPSHOT_MS_PER_GIB: '200' });
  });
  after(() => app.close());

  it('atonix_volume: a retype to hdd in place re-defaults iops and throughput; found by name', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const config = (type: string) => `
resource "atonix_volume" "v" {
  name    = "retyped"
  size_gb = 200
  type    = "${type}"
}
data "atonix_volume" "by_name" {
  name       = "retyped"
  depends_on = [atonix_volume.v]
}
output "found" {
  value = "\${data.atonix_volume.by_name.id} \${data.atonix_volume.by_name.type}"
}
`;
      ws.write(config('ssd'));
      await ws.apply();
      await ws.plan(0);
      const id = await ws.stateId('atonix_volume.v');
      expect(await ws.must(['output', '-raw', 'found'])).to.equal(`${id} ssd`);
      ws.write(config('hdd'));
      expect(await ws.plan(2)).to.contain('1 to change, 0 to destroy');
      await ws.apply();
      await ws.plan(0);
      expect((await app.admin.get(`/api/storage/volumes/${id}`).expect(200)).body).to.include({
        type: 'hdd',
        iops: null,
        throughput: null,
        status: 'available',
      });
      await ws.destroy();
      await app.admin.get(`/api/storage/volumes/${id}`).expect(404);
    } finally {
      ws.remove();
    }
  });

  it('atonix_volume_attachment: apply attaches, empty plan, import, replace on a new device, out-of-band detach, destroy', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const config = (device: string) => `${INSTANCE}
resource "atonix_volume" "v" {
  name    = "attached"
  size_gb = 8
}
resource "atonix_volume_attachment" "a" {
  volume_id   = atonix_volume.v.id
  instance_id = atonix_instance.vm.id
  device      = "${device}"
}
`;
      ws.write(config('/dev/sdf'));
      await ws.apply();
      await ws.plan(0);
      const [vol, vm, att] = [
        await ws.stateId('atonix_volume.v'),
        await ws.stateId('atonix_instance.vm'),
        await ws.stateId('atonix_volume_attachment.a'),
      ];
      expect((await app.admin.get(`/api/storage/volumes/${vol}`).expect(200)).body).to.include({
        status: 'in-use',
        attached_to: vm,
        device: '/dev/sdf',
      });
      expect((await app.admin.get(`/api/compute/instances/${vm}`).expect(200)).body.volume_ids).to.deep.equal([vol]);

      await ws.must(['state', 'rm', 'atonix_volume_attachment.a']);
      await ws.must(['import', '-no-color', 'atonix_volume_attachment.a', att]);
      await ws.plan(0);

      ws.write(config('/dev/sdg'));
      const replace = await ws.plan(2);
      expect(replace).to.match(/must be replaced/);
      expect(replace).to.contain('1 to add, 0 to change, 1 to destroy');
      await ws.apply();
      await ws.plan(0);
      const att2 = await ws.stateId('atonix_volume_attachment.a');
      expect(att2).to.not.equal(att);
      expect((await app.admin.get(`/api/storage/volumes/${vol}`).expect(200)).body.device).to.equal('/dev/sdg');

      await app.admin.post(`/api/storage/volumes/${vol}/detach`).expect(200);
      expect(await ws.plan(2)).to.contain('atonix_volume_attachment.a will be created');
      await ws.apply();
      await ws.plan(0);

      await ws.destroy();
      await app.admin.get(`/api/storage/volumes/${vol}`).expect(404);
      expect((await app.admin.get('/api/storage/volume-attachments').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
    }
  });

  it('atonix_snapshot: waits for completed, empty plan, import, replace, out-of-band delete, destroy; data source; a volume from it', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    try {
      const config = (name: string) => `
resource "atonix_volume" "src" {
  name    = "src"
  size_gb = 5
}
resource "atonix_snapshot" "s" {
  volume_id = atonix_volume.src.id
  name      = "${name}"
}
data "atonix_snapshot" "found" {
  name       = atonix_snapshot.s.name
  depends_on = [atonix_snapshot.s]
}
resource "atonix_volume" "restored" {
  name        = "restored"
  snapshot_id = data.atonix_snapshot.found.id
}
output "found" {
  value = "\${data.atonix_snapshot.found.status} \${atonix_volume.restored.size_gb}"
}
`;
      ws.write(config('nightly'));
      await ws.apply();
      await ws.plan(0);
      expect(await ws.must(['output', '-raw', 'found'])).to.equal('completed 5');
      const id = await ws.stateId('atonix_snapshot.s');
      expect((await app.admin.get(`/api/storage/snapshots/${id}`).expect(200)).body).to.include({
        status: 'completed',
        progress: 100,
        size_gb: 5,
      });

      await ws.must(['state', 'rm', 'atonix_snapshot.s']);
      await ws.must(['import', '-no-color', 'atonix_snapshot.s', id]);
      await ws.plan(0);

      // Another name is another snapshot (and so another volume made from it).
      ws.write(config('weekly'));
      const replace = await ws.plan(2);
      expect(replace).to.match(/must be replaced/);
      await ws.apply();
      await ws.plan(0);
      const id2 = await ws.stateId('atonix_snapshot.s');
      expect(id2).to.not.equal(id);
      await app.admin.get(`/api/storage/snapshots/${id}`).expect(404);

      await app.admin.delete(`/api/storage/snapshots/${id2}`).expect(204);
      expect(await ws.plan(2)).to.contain('atonix_snapshot.s will be created');

      await ws.destroy();
      expect((await app.admin.get('/api/storage/volumes').expect(200)).body.items).to.deep.equal([]);
    } finally {
      ws.remove();
    }
  });
});
