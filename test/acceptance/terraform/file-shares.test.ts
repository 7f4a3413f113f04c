// File shares through the real terraform binary beyond the shared lifecycle (resources.test.ts): export rules as an
// authoritative nested set, the mount command as an output, the data source, and root squash refused on SMB.
import { expect } from 'chai';
import { ADMIN_TOKEN, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, Workspace } from './workspace.js';
import { FILE_SHARE_NET } from './file-share-deps.js';

const NFS_RULES = `[{ priority = 1, client_cidr = "10.71.0.0/16", access = "read-write", root_squash = false }]`;

describe('terraform: file shares through the real binary', function () {
  this.timeout(300_000);
  let app: TestApp;
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '200' });
  });
  after(() => app.close());

  it('keeps export rules authoritative as a set, shows the mount command, finds the share as a data source, and refuses root squash on SMB by attribute', async () => {
    const ws = new Workspace(app.url, ADMIN_TOKEN);
    const config = (protocol: string, rules: string) =>
      `${FILE_SHARE_NET}\nresource "atonix_file_share" "s" {\n  name = "s"\n  vpc_id = atonix_vpc.net.id\n  size_gb = 5\n  protocol = "${protocol}"\n  export_rules = ${rules}\n}\nresource "atonix_file_share_mount_target" "a" {\n  file_share_id = atonix_file_share.s.id\n  subnet_id = atonix_subnet.a.id\n}\noutput "mount" {\n  value = atonix_file_share_mount_target.a.mount_command\n}\n`;
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
