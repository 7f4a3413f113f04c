// File shares and their mount targets: every rule and refusal, by operation (the shared checks of tenancy, If-Match,
// idempotency, immutability, pagination, audit and Prefer: wait are the conformance suite's).
import { expect } from 'chai';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';

describe('storage: file shares', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  let n = 0;
  const vpc = async () =>
    (
      await app.admin
        .post('/api/networking/vpcs')
        .send({ name: 'fs-net', cidr_block: `10.${++n}.0.0/16` })
        .expect(202)
    ).body;
  const subnet = async (vpcId: string, cidr: string, zone = 'a') =>
    (
      await app.admin
        .post(`/api/networking/vpcs/${vpcId}/subnets`)
        .send({ name: `s-${cidr}`, cidr_block: cidr, availability_zone: `us-east-1${zone}` })
        .expect(201)
    ).body;
  const share = (body: object) => app.admin.post('/api/storage/file-shares').set('Prefer', 'wait=10').send(body);
  const mountTarget = (shareId: string, body: object) =>
    app.admin.post(`/api/storage/file-shares/${shareId}/mount-targets`).set('Prefer', 'wait=10').send(body);
  /** A VPC with a subnet in zone a, and an available share in it. */
  async function setting(protocol = 'NFS') {
    const v = await vpc();
    const prefix = v.cidr_block.split('.').slice(0, 2).join('.');
    const s = await subnet(v.id, `${prefix}.1.0/24`);
    const fs = (await share({ name: 'home', vpc_id: v.id, size_gb: 100, protocol }).expect(202)).body;
    return { vpc: v, subnet: s, share: fs, prefix };
  }

  describe('createFileShare', () => {
    it('goes creating -> available by a job, with its protocol version and internal name', async () => {
      const v = await vpc();
      const r = await app.admin
        .post('/api/storage/file-shares')
        .send({ name: 'docs', vpc_id: v.id, size_gb: 10 })
        .expect(202);
      expect(r.body).to.include({ status: 'creating', protocol: 'NFS', protocol_version: '4.1', size_gb: 10 });
      expect(r.body.export_rules).to.deep.equal([]);
      expect(r.body.dns_name).to.equal(`${r.body.id}.fs.us-east-1.atonix.internal`);
      const waited = (await share({ name: 'smb', vpc_id: v.id, size_gb: 10, protocol: 'SMB' }).expect(202)).body;
      expect(waited).to.include({ status: 'available', protocol_version: '3.0' });
    });

    it("refuses sizes outside 1-65536 GiB, another owner's VPC and an unknown protocol, naming the field", async () => {
      const v = await vpc();
      for (const size_gb of [0, 65537]) {
        const r = await share({ name: 'x', vpc_id: v.id, size_gb }).expect(422);
        expect(r.body.errors[0].pointer).to.equal('/size_gb');
      }
      expect(
        (await share({ name: 'x', vpc_id: v.id, size_gb: 1, protocol: 'AFP' }).expect(422)).body.errors[0].pointer,
      ).to.equal('/protocol');
      const stranger = await newUser(app, 'fs-stranger');
      const r = await app
        .as(stranger.token)
        .post('/api/storage/file-shares')
        .send({ name: 'x', vpc_id: v.id, size_gb: 1 })
        .expect(422);
      expect(r.body).to.include({ code: 'ReferenceNotFound' });
      expect(r.body.errors[0].pointer).to.equal('/vpc_id');
    });

    it('checks export rules: valid CIDRs, unique priorities, root squash on NFS only; keeps them in priority order', async () => {
      const v = await vpc();
      const rules = [
        { priority: 20, client_cidr: '10.0.0.0/8', access: 'read-only' },
        { priority: 10, client_cidr: '10.9.1.0/24', access: 'read-write', root_squash: false },
      ];
      const ok = (await share({ name: 'r', vpc_id: v.id, size_gb: 1, export_rules: rules }).expect(202)).body;
      expect(ok.export_rules).to.deep.equal([
        { priority: 10, client_cidr: '10.9.1.0/24', access: 'read-write', root_squash: false },
        { priority: 20, client_cidr: '10.0.0.0/8', access: 'read-only', root_squash: null },
      ]);
      const bad = async (export_rules: object[], pointer: string, code?: string, protocol = 'NFS') => {
        const r = await share({ name: 'r', vpc_id: v.id, size_gb: 1, protocol, export_rules }).expect(422);
        expect(r.body.errors[0].pointer).to.equal(pointer);
        if (code) expect(r.body.errors[0].code).to.equal(code);
      };
      await bad(
        [{ priority: 1, client_cidr: '10.0.0.1/8', access: 'read-only' }],
        '/export_rules/0/client_cidr',
        'InvalidCidr',
      );
      await bad(
        [{ priority: 1, client_cidr: 'everyone', access: 'read-only' }],
        '/export_rules/0/client_cidr',
        'InvalidCidr',
      );
      await bad(
        [
          { priority: 1, client_cidr: '10.0.0.0/8', access: 'read-only' },
          { priority: 1, client_cidr: '10.1.0.0/16', access: 'read-write' },
        ],
        '/export_rules/1/priority',
        'DuplicatePriority',
      );
      await bad([{ priority: 1, client_cidr: '10.0.0.0/8', access: 'all' }], '/export_rules/0/access');
      await bad(
        [{ priority: 1, client_cidr: '10.0.0.0/8', access: 'read-only', root_squash: true }],
        '/export_rules/0/root_squash',
        'NotForProtocol',
        'SMB',
      );
    });
  });

  describe('updateFileShare', () => {
    it('grows size_gb, refuses to shrink it, replaces export rules and keeps protocol and VPC immutable', async () => {
      const { share: fs } = await setting();
      const grown = await app.admin.patch(`/api/storage/file-shares/${fs.id}`).send({ size_gb: 200 }).expect(200);
      expect(grown.body.size_gb).to.equal(200);
      const shrink = await app.admin.patch(`/api/storage/file-shares/${fs.id}`).send({ size_gb: 150 }).expect(422);
      expect(shrink.body.errors[0]).to.include({ pointer: '/size_gb', code: 'ShrinkNotAllowed' });
      const rules = [{ priority: 5, client_cidr: '192.168.0.0/16', access: 'read-write', root_squash: true }];
      const ruled = await app.admin
        .patch(`/api/storage/file-shares/${fs.id}`)
        .send({ export_rules: rules })
        .expect(200);
      expect(ruled.body.export_rules).to.deep.equal(rules);
      const none = await app.admin.patch(`/api/storage/file-shares/${fs.id}`).send({ export_rules: [] }).expect(200);
      expect(none.body.export_rules).to.deep.equal([]);
      for (const field of [{ protocol: 'SMB' }, { vpc_id: 'vpc-other0000' }]) {
        const r = await app.admin.patch(`/api/storage/file-shares/${fs.id}`).send(field).expect(422);
        expect(r.body.code).to.equal('FieldImmutable');
      }
    });

    it("refuses root squash on an SMB share's rules", async () => {
      const { share: fs } = await setting('SMB');
      const r = await app.admin
        .patch(`/api/storage/file-shares/${fs.id}`)
        .send({ export_rules: [{ priority: 1, client_cidr: '10.0.0.0/8', access: 'read-only', root_squash: false }] })
        .expect(422);
      expect(r.body.errors[0].pointer).to.equal('/export_rules/0/root_squash');
    });
  });

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
      const far = await subnet(elsewhere.id, `10.${n}.1.0/24`, 'b');
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
      const s = await subnet(v.id, `10.${n}.1.0/24`);
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
