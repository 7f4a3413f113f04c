// The stack engine deploys file shares and their mount targets through the registry, like every other kind, and
// takes them down in reverse order (a share goes only once its mount targets have).
import { expect } from 'chai';
import { stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('storage: file shares in a stack', function () {
  this.timeout(60_000);
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  it('creates a VPC, a subnet, a share and a mount target in dependency order, and deletes them in reverse', async () => {
    const template = {
      Resources: {
        Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'fs-net', cidr_block: '10.44.0.0/16' } },
        A: {
          Type: 'Atonix::Networking::Subnet',
          Properties: { name: 'a', vpc_id: { Ref: 'Net' }, cidr_block: '10.44.1.0/24' },
        },
        Share: {
          Type: 'Atonix::Storage::FileShare',
          Properties: {
            name: 'stacked',
            vpc_id: { Ref: 'Net' },
            size_gb: 50,
            protocol: 'SMB',
            export_rules: [{ priority: 1, client_cidr: '10.44.0.0/16', access: 'read-write' }],
          },
        },
        Mount: {
          Type: 'Atonix::Storage::FileShareMountTarget',
          Properties: { file_share_id: { Ref: 'Share' }, subnet_id: { Ref: 'A' } },
        },
      },
      Outputs: { Mount: { Value: { Ref: 'Mount' } }, Share: { Value: { Ref: 'Share' } } },
    };
    const r = await app.admin.post('/api/automation/stacks').send({ name: 'fs-stack', template });
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    const done = await stackSettled(app.admin, r.body.id);
    expect(done.status, JSON.stringify(done)).to.equal('create_complete');
    const mt = (await app.admin.get(`/api/storage/mount-targets/${done.outputs.Mount}`).expect(200)).body;
    expect(mt).to.include({ status: 'available', ip_address: '10.44.1.4', file_share_id: done.outputs.Share });
    expect(mt.mount_command).to.match(/^sudo mount -t cifs \/\/10\.44\.1\.4\//);
    await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
    expect((await stackSettled(app.admin, r.body.id)).status).to.match(/gone|delete_complete/);
    await app.admin.get(`/api/storage/file-shares/${done.outputs.Share}`).expect(404);
  });
});
