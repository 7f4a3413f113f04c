// File shares: every rule and refusal of the share itself, by operation (the shared checks of tenancy, If-Match,
// idempotency, immutability, pagination, audit and Prefer: wait are the conformance suite's).
import { expect } from 'chai';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { fileShareHelpers } from '../../support/file-shares.js';

describe('storage: file shares', () => {
  let app: TestApp;
  let h: ReturnType<typeof fileShareHelpers>;
  before(async () => {
    app = await startApp();
    h = fileShareHelpers(app);
  });
  after(() => app.close());
  const vpc = () => h.vpc();
  const share = (body: object) => h.share(body);
  const setting = (protocol?: string) => h.setting(protocol);

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

  describe('IAM', () => {
    it('refuses a create an explicit deny covers with 403 naming the action, and writes nothing', async () => {
      const u = await newUser(app, 'fs-denied');
      const as = app.as(u.token);
      const v = (await as.post('/api/networking/vpcs').send({ name: 'n', cidr_block: '10.200.0.0/16' }).expect(202))
        .body;
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-file-shares',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'storage:CreateFileShare', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const r = await as.post('/api/storage/file-shares').send({ name: 'x', vpc_id: v.id, size_gb: 1 }).expect(403);
      expect(r.body).to.include({ code: 'AccessDenied', action: 'storage:CreateFileShare' });
      expect((await as.get('/api/storage/file-shares').expect(200)).body.items).to.deep.equal([]);
    });
  });

  describe('recovery', () => {
    it('finishes a share and a mount target left creating by a process that stopped before their jobs ran', async () => {
      const { subnet: s, vpc: v } = await setting();
      const slow = await startApp({ ATONIX_PROVISION_DELAY_MS: '600000' }, app.databaseUrl);
      const fs = (
        await slow.admin.post('/api/storage/file-shares').send({ name: 'late', vpc_id: v.id, size_gb: 1 }).expect(202)
      ).body;
      await slow.close();
      const again = await startApp({}, app.databaseUrl);
      try {
        await eventually(
          async () => (await again.admin.get(`/api/storage/file-shares/${fs.id}`)).body.status === 'available',
          'the share',
        );
        const mt = await again.admin
          .post(`/api/storage/file-shares/${fs.id}/mount-targets`)
          .set('Prefer', 'wait=10')
          .send({ subnet_id: s.id })
          .expect(202);
        expect(mt.body.status).to.equal('available');
      } finally {
        await again.close();
      }
    });
  });
});
