// File shares and their mount targets through the real terraform binary (apply, empty plan, import, update in place,
// replace, out-of-band delete, destroy), export rules as a nested set, and the example's mount command as an output.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';

const NET = `
resource "atonix_vpc" "net" {
  name       = "fs-deps"
  cidr_block = "10.71.0.0/16"
}
resource "atonix_subnet" "a" {
  name              = "a"
  vpc_id            = atonix_vpc.net.id
  cidr_block        = "10.71.1.0/24"
  availability_zone = "us-east-1a"
}
resource "atonix_security_group" "one" {
  name   = "nfs-one"
  vpc_id = atonix_vpc.net.id
}
resource "atonix_security_group" "two" {
  name   = "nfs-two"
  vpc_id = atonix_vpc.net.id
}
`;
const SHARE = `${NET}
resource "atonix_file_share" "home" {
  name    = "home"
  vpc_id  = atonix_vpc.net.id
  size_gb = 10
}
`;

interface Case {
  type: string;
  deps: string;
  body: (mutable: string, immutable: string) => string;
  api: string;
  values: { mutable: [string, string]; immutable: [string, string] };
  /** what the API shows for a mutable and an immutable value (the value itself unless said) */
  mutableField: (body: any, ws: Workspace, value: string) => Promise<[unknown, unknown]>;
  immutableField: (body: any) => unknown;
}

const RULES = `[
    { priority = 20, client_cidr = "10.71.0.0/16", access = "read-only" },
    { priority = 10, client_cidr = "10.71.1.0/24", access = "read-write" },
  ]`;

const NFS_RULES = `[{ priority = 1, client_cidr = "10.71.0.0/16", access = "read-write", root_squash = false }]`;

const CASES: Case[] = [
  {
    type: 'atonix_file_share',
    deps: NET,
    api: '/api/storage/file-shares',
    body: (m, i) =>
      `name = "fs"\n  vpc_id = atonix_vpc.net.id\n  size_gb = ${m}\n  protocol = "${i}"\n  export_rules = ${RULES}`,
    values: { mutable: ['10', '20'], immutable: ['NFS', 'SMB'] },
    mutableField: async (b, _ws, v) => [b.size_gb, Number(v)],
    immutableField: (b) => b.protocol,
  },
  {
    type: 'atonix_file_share_mount_target',
    deps: SHARE,
    api: '/api/storage/mount-targets',
    body: (m, i) =>
      `file_share_id = atonix_file_share.home.id\n  subnet_id = atonix_subnet.a.id\n  ip_address = "${i}"\n  security_group_ids = [atonix_security_group.${m}.id]`,
    values: { mutable: ['one', 'two'], immutable: ['10.71.1.10', '10.71.1.11'] },
    mutableField: async (b, ws, v) => [b.security_group_ids, [await ws.stateId(`atonix_security_group.${v}`)]],
    immutableField: (b) => b.ip_address,
  },
];

describe('terraform: file shares through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '200' });
  });
  after(() => app.close());

  for (const c of CASES) {
    it(`${c.type}: apply, re-plan empty, import, update in place, replace, out-of-band delete, destroy`, async () => {
      const ws = new Workspace(app.url, ADMIN_TOKEN);
      const [m0, m1] = c.values.mutable;
      const [i0, i1] = c.values.immutable;
      const config = (m: string, i: string) => `${c.deps}\nresource "${c.type}" "x" {\n  ${c.body(m, i)}\n}\n`;
      const read = async (id: string) => (await app.admin.get(`${c.api}/${id}`).expect(200)).body;
      try {
        ws.write(config(m0, i0));
        await ws.apply();
        await ws.plan(0);
        const id = await ws.stateId(`${c.type}.x`);
        expect(c.immutableField(await read(id))).to.equal(i0);
        expect((await read(id)).status).to.equal('available');
        await ws.must(['state', 'rm', `${c.type}.x`]);
        await ws.must(['import', '-no-color', `${c.type}.x`, id]);
        await ws.plan(0);

        ws.write(config(m1, i0));
        expect(await ws.plan(2)).to.contain('1 to change, 0 to destroy');
        await ws.apply();
        await ws.plan(0);
        const [shown, wanted] = await c.mutableField(await read(id), ws, m1);
        expect(shown).to.deep.equal(wanted);

        ws.write(config(m1, i1));
        const replace = await ws.plan(2);
        expect(replace).to.match(/must be replaced/);
        expect(replace).to.contain('1 to add, 0 to change, 1 to destroy');
        await ws.apply();
        await ws.plan(0);
        const newId = await ws.stateId(`${c.type}.x`);
        expect(newId).to.not.equal(id);
        expect(c.immutableField(await read(newId))).to.equal(i1);
        await app.admin.get(`${c.api}/${id}`).expect(404);

        await app.admin.delete(`${c.api}/${newId}`).expect(204);
        expect(await ws.plan(2)).to.contain(`${c.type}.x will be created`);
        await ws.destroy();
        await app.admin.get(`${c.api}/${newId}`).expect(404);
      } finally {
        ws.remove();
      }
    });
  }

  it('keeps export rules authoritative as a set, shows the mount command, finds the share as a data source, and refuses root squash on SMB by attribute', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    const config = (protocol: string, rules: string) =>
      `${NET}\nresource "atonix_file_share" "s" {\n  name = "s"\n  vpc_id = atonix_vpc.net.id\n  size_gb = 5\n  protocol = "${protocol}"\n  export_rules = ${rules}\n}\nresource "atonix_file_share_mount_target" "a" {\n  file_share_id = atonix_file_share.s.id\n  subnet_id = atonix_subnet.a.id\n}\noutput "mount" {\n  value = atonix_file_share_mount_target.a.mount_command\n}\n`;
    try {
      ws.write(config('NFS', NFS_RULES));
      const out = await ws.apply();
      const share = await ws.stateId('atonix_file_share.s');
      expect(out).to.contain(`mount = "sudo mount -t nfs4 -o nfsvers=4.1`);
      expect(out).to.contain(`10.71.1.4:/ /mnt/${share}`);
      await ws.plan(0);
      // A rule added outside Terraform is drift, and apply takes it away.
      await app.admin
        .patch(`/api/storage/file-shares/${share}`)
        .send({
          export_rules: [
            { priority: 1, client_cidr: '10.71.0.0/16', access: 'read-write', root_squash: false },
            { priority: 2, client_cidr: '0.0.0.0/0', access: 'read-only' },
          ],
        })
        .expect(200);
      expect(await ws.plan(2)).to.contain('atonix_file_share.s will be updated in-place');
      await ws.apply();
      await ws.plan(0);
      expect((await app.admin.get(`/api/storage/file-shares/${share}`).expect(200)).body.export_rules).to.have.length(
        1,
      );
      // The data source finds the share by name, its rules with it.
      const found = `data "atonix_file_share" "found" {\n  name = "s"\n  depends_on = [atonix_file_share.s]\n}\noutput "found" {\n  value = "\${data.atonix_file_share.found.id} \${data.atonix_file_share.found.status} \${one(data.atonix_file_share.found.export_rules).client_cidr}"\n}\n`;
      ws.write(`${config('NFS', NFS_RULES)}\n${found}`);
      expect(await ws.apply()).to.contain(`found = "${share} available 10.71.0.0/16"`);
      await ws.destroy();

      ws.write(
        config('SMB', `[{ priority = 1, client_cidr = "10.71.0.0/16", access = "read-write", root_squash = true }]`),
      );
      const refused = await ws.must(['apply', '-auto-approve', '-no-color'], 1);
      expect(refused).to.contain('root_squash');
      expect(refused).to.contain('applies to NFS shares only');
      await ws.destroy();
    } finally {
      ws.remove();
    }
  });
});
