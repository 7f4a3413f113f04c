// Mount targets of file shares: addresses, zones, groups, and the deletes they block, by operation; and the lists.
import { expect } from 'chai';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';
import { fileShareHelpers } from '../../support/file-shares.js';

describe('storage: file share mount targets', () => {
  let app: TestApp;
  let h: ReturnType<typeof fileShareHelpers>;
  before(async () => {
    app = await startApp();
    h = fileShareHelpers(app);
  });
  after(() => app.close());
  const vpc = () => h.vpc();
  const subnet = (vpcId: string, cidr: string, zone?: string) => h.subnet(vpcId, cidr, zone);
  const share = (body: object) => h.share(body);
  const mountTarget = (shareId: string, body: object) => h.mountTarget(shareId, body);
  const setting = (protocol?: string) => h.setting(protocol);

  describe('createMountTarget', () => {
    it("takes the subnet's lowest free address, beside instances, with the default group and a mount command", async () => {
      const { subnet: s, share: fs, prefix, vpc: v } = await setting();
      const { flavor, image } = await catalogue(app);
      const inst = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'vm', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
        .expect(202);
      expect(inst.body.private_ip).to.equal(`${prefix}.1.4`);
      const mt = (await mountTarget(fs.id, { subnet_id: s.id }).expect(202)).body;
      expect(mt).to.include({
        status: 'available',
        ip_address: `${prefix}.1.5`,
        availability_zone: 'us-east-1a',
        vpc_id: v.id,
        file_share_id: fs.id,
        mount_command: `sudo mount -t nfs4 -o nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2 ${prefix}.1.5:/ /mnt/${fs.id}`,
      });
      const def = (await app.admin.get(`/api/networking/security-groups?vpc_id=${v.id}&name=default`).expect(200)).body
        .items[0];
      expect(mt.security_group_ids).to.deep.equal([def.id]);
      expect((await app.admin.get(`/api/networking/subnets/${s.id}`).expect(200)).body.available_ip_count).to.equal(
        249,
      );
      // The next instance skips the mount target's address.
      const next = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'vm2', flavor_id: flavor.id, image_id: image.id, subnet_id: s.id })
        .expect(202);
      expect(next.body.private_ip).to.equal(`${prefix}.1.6`);
      const listed = (await app.admin.get(`/api/storage/file-shares/${fs.id}/mount-targets`).expect(200)).body.items;
      expect(listed.map((m: any) => m.id)).to.deep.equal([mt.id]);
    });

    it('gives an SMB share a cifs command', async () => {
      const { subnet: s, share: fs } = await setting('SMB');
      const mt = (await mountTarget(fs.id, { subnet_id: s.id }).expect(202)).body;
      expect(mt.mount_command).to.equal(
        `sudo mount -t cifs //${mt.ip_address}/${fs.id} /mnt/${fs.id} -o vers=3.0,username=$USER,uid=$(id -u),gid=$(id -g)`,
      );
    });

    it('takes a requested address only inside the subnet, unreserved and free', async () => {
      const { subnet: s, share: fs, prefix, vpc: v } = await setting();
      const b = await subnet(v.id, `${prefix}.2.0/24`, 'b');
      const c = await subnet(v.id, `${prefix}.3.0/24`, 'c');
      const refuse = async (ip_address: string, status: number, code: string) => {
        const r = await mountTarget(fs.id, { subnet_id: s.id, ip_address }).expect(status);
        expect(r.body.errors[0]).to.include({ pointer: '/ip_address', code });
      };
      await refuse(`${prefix}.9.10`, 422, 'IpOutsideSubnet');
      await refuse(`${prefix}.1.2`, 422, 'IpReserved');
      await refuse(`${prefix}.1.255`, 422, 'IpReserved');
      await refuse('10.1.1.300', 422, 'InvalidIp');
      const mt = (await mountTarget(fs.id, { subnet_id: s.id, ip_address: `${prefix}.1.23` }).expect(202)).body;
      expect(mt.ip_address).to.equal(`${prefix}.1.23`);
      // Taken, in the same subnet, by another share's mount target.
      const other = (await share({ name: 'other', vpc_id: v.id, size_gb: 1 }).expect(202)).body;
      const taken = await mountTarget(other.id, { subnet_id: s.id, ip_address: `${prefix}.1.23` }).expect(409);
      expect(taken.body.errors[0]).to.include({ pointer: '/ip_address', code: 'IpInUse' });
      expect((await mountTarget(other.id, { subnet_id: b.id }).expect(202)).body.ip_address).to.equal(`${prefix}.2.4`);
      expect((await mountTarget(fs.id, { subnet_id: c.id }).expect(202)).body.availability_zone).to.equal('us-east-1c');
    });

    it("allows one mount target per zone per share, in the share's VPC only, with groups of that VPC", async () => {
      const { subnet: s, share: fs, prefix, vpc: v } = await setting();
      const sameZone = await subnet(v.id, `${prefix}.2.0/24`, 'a');
      const first = (await mountTarget(fs.id, { subnet_id: s.id }).expect(202)).body;
      const dup = await mountTarget(fs.id, { subnet_id: sameZone.id }).expect(409);
      expect(dup.body).to.include({ code: 'Duplicate', conflicts_with: first.id });
      expect(dup.body.errors[0].pointer).to.equal('/subnet_id');
      const elsewhere = await vpc();
      const far = await subnet(elsewhere.id, elsewhere.cidr_block.replace('0.0/16', '1.0/24'), 'b');
      const wrong = await mountTarget(fs.id, { subnet_id: far.id }).expect(422);
      expect(wrong.body.errors[0]).to.include({ pointer: '/subnet_id', code: 'WrongVpc' });
      const missing = await mountTarget(fs.id, { subnet_id: 'subnet-nothing0000' }).expect(422);
      expect(missing.body.code).to.equal('ReferenceNotFound');
      const b = await subnet(v.id, `${prefix}.3.0/24`, 'b');
      const farGroup = (
        await app.admin.post('/api/networking/security-groups').send({ name: 'far', vpc_id: elsewhere.id }).expect(201)
      ).body;
      const g = await mountTarget(fs.id, { subnet_id: b.id, security_group_ids: [farGroup.id] }).expect(422);
      expect(g.body.errors[0]).to.include({ pointer: '/security_group_ids/0', code: 'GroupOutsideVpc' });
      const unknown = await mountTarget(fs.id, { subnet_id: b.id, security_group_ids: ['sg-nothing0000'] }).expect(422);
      expect(unknown.body.errors[0].pointer).to.equal('/security_group_ids/0');
    });

    it("waits for the share to be available (409 naming its status), and 404s on another owner's share", async () => {
      const v = await vpc();
      const s = await subnet(v.id, v.cidr_block.replace('0.0/16', '1.0/24'));
      const slow = await startApp({ ATONIX_PROVISION_DELAY_MS: '60000' }, app.databaseUrl);
      try {
        const fs = (
          await slow.admin.post('/api/storage/file-shares').send({ name: 'slow', vpc_id: v.id, size_gb: 1 }).expect(202)
        ).body;
        const r = await slow.admin
          .post(`/api/storage/file-shares/${fs.id}/mount-targets`)
          .send({ subnet_id: s.id })
          .expect(409);
        expect(r.body).to.include({ code: 'InvalidStateTransition', current_status: 'creating' });
      } finally {
        await slow.close();
      }
      const { share: fs } = await setting();
      const stranger = await newUser(app, 'mt-stranger');
      await app
        .as(stranger.token)
        .post(`/api/storage/file-shares/${fs.id}/mount-targets`)
        .send({ subnet_id: s.id })
        .expect(404);
    });
    it('lets exactly one of two concurrent creates in one zone, or for one address, win', async () => {
      const { subnet: s, share: fs, prefix, vpc: v } = await setting();
      const sameZone = await subnet(v.id, `${prefix}.2.0/24`, 'a');
      const zone = await Promise.all([
        mountTarget(fs.id, { subnet_id: s.id }),
        mountTarget(fs.id, { subnet_id: sameZone.id }),
      ]);
      expect(zone.map((r) => r.status).sort()).to.deep.equal([202, 409]);
      const other = (await share({ name: 'b', vpc_id: v.id, size_gb: 1 }).expect(202)).body;
      const third = (await share({ name: 'c', vpc_id: v.id, size_gb: 1 }).expect(202)).body;
      const ip = `${prefix}.1.77`;
      const race = await Promise.all([
        mountTarget(other.id, { subnet_id: s.id, ip_address: ip }),
        mountTarget(third.id, { subnet_id: s.id, ip_address: ip }),
      ]);
      expect(race.map((r) => r.status).sort()).to.deep.equal([202, 409]);
    });
  });

  describe('updateMountTarget', () => {
    it('changes only the security groups, checked against the VPC', async () => {
      const { subnet: s, share: fs, vpc: v } = await setting();
      const mt = (await mountTarget(fs.id, { subnet_id: s.id }).expect(202)).body;
      const nfs = (
        await app.admin.post('/api/networking/security-groups').send({ name: 'nfs', vpc_id: v.id }).expect(201)
      ).body;
      const r = await app.admin
        .patch(`/api/storage/mount-targets/${mt.id}`)
        .send({ security_group_ids: [nfs.id] })
        .expect(200);
      expect(r.body.security_group_ids).to.deep.equal([nfs.id]);
      const ip = await app.admin
        .patch(`/api/storage/mount-targets/${mt.id}`)
        .send({ ip_address: '10.0.0.9' })
        .expect(422);
      expect(ip.body.code).to.equal('FieldImmutable');
      // A group a mount target is in is not deleted.
      const inUse = await app.admin.delete(`/api/networking/security-groups/${nfs.id}`).expect(409);
      expect(inUse.body.detail).to.contain(mt.id);
    });
  });

  describe('deleteMountTarget, deleteSubnet, deleteFileShare and deleteVpc', () => {
    it('refuses to delete a share with mount targets or a subnet holding one; deleting the mount target frees its IP', async () => {
      const { subnet: s, share: fs, vpc: v, prefix } = await setting();
      const mt = (await mountTarget(fs.id, { subnet_id: s.id }).expect(202)).body;
      const share409 = await app.admin.delete(`/api/storage/file-shares/${fs.id}`).expect(409);
      expect(share409.body).to.include({ code: 'ResourceInUse' });
      expect(share409.body.blocked_by).to.deep.equal([{ kind: 'file_share_mount_target', id: mt.id }]);
      const subnet409 = await app.admin.delete(`/api/networking/subnets/${s.id}`).expect(409);
      expect(subnet409.body.detail).to.contain(mt.id);
      const vpc409 = await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(409);
      expect(vpc409.body.code).to.equal('ResourceInUse');

      await app.admin.delete(`/api/storage/mount-targets/${mt.id}`).expect(204);
      await app.admin.get(`/api/storage/mount-targets/${mt.id}`).expect(404);
      expect((await app.admin.get(`/api/networking/subnets/${s.id}`).expect(200)).body.available_ip_count).to.equal(
        251,
      );
      const again = (await mountTarget(fs.id, { subnet_id: s.id, ip_address: mt.ip_address }).expect(202)).body;
      expect(again.ip_address).to.equal(`${prefix}.1.4`);
      await app.admin.delete(`/api/storage/mount-targets/${again.id}`).expect(204);
      await app.admin.delete(`/api/storage/file-shares/${fs.id}`).expect(204);
      await app.admin.delete(`/api/networking/subnets/${s.id}`).expect(204);
      await app.admin.delete(`/api/networking/vpcs/${v.id}`).expect(204);
    });
  });

  describe('listFileShares and listMountTargets', () => {
    it('filters shares by protocol and VPC, and mount targets by share and subnet', async () => {
      const { subnet: s, share: fs, vpc: v } = await setting('SMB');
      const mt = (await mountTarget(fs.id, { subnet_id: s.id }).expect(202)).body;
      const byVpc = (await app.admin.get(`/api/storage/file-shares?vpc_id=${v.id}&protocol=SMB`).expect(200)).body
        .items;
      expect(byVpc.map((x: any) => x.id)).to.deep.equal([fs.id]);
      expect(
        (await app.admin.get(`/api/storage/file-shares?vpc_id=${v.id}&protocol=NFS`).expect(200)).body.items,
      ).to.deep.equal([]);
      const bySubnet = (await app.admin.get(`/api/storage/mount-targets?subnet_id=${s.id}`).expect(200)).body.items;
      expect(bySubnet.map((x: any) => x.id)).to.deep.equal([mt.id]);
      expect(
        (await app.admin.get(`/api/storage/mount-targets?file_share_id=${fs.id}`).expect(200)).body.items,
      ).to.have.length(1);
    });
  });
});
