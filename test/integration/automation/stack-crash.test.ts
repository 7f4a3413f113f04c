// A kill -9 in the middle of a stack create: after a restart the stack finishes, with no duplicate or orphaned resources.
import { expect } from 'chai';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';

describe('automation: stack resume after kill -9', function () {
  this.timeout(120_000);
  const procs: ApiProcess[] = [];
  after(async () => {
    for (const p of procs) await p.stop('SIGKILL');
  });

  it("ends create_complete with exactly the template's resources", async () => {
    const db = await freshDatabase();
    const env = { ATONIX_PROVISION_DELAY_MS: '400' };
    const first = await startApiProcess(db, env);
    procs.push(first);
    const flavor = (await api(first.url, 'GET', '/api/compute/flavors?name=t1.small')).body.items[0].id;
    const image = (await api(first.url, 'GET', '/api/compute/images?name=debian-12')).body.items[0].id;
    const Resources: Record<string, unknown> = {
      Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'crash', cidr_block: '10.77.0.0/16' } },
    };
    for (let i = 0; i < 12; i++)
      Resources[`Vm${i}`] = {
        Type: 'Atonix::Compute::Instance',
        DependsOn: 'Net',
        Properties: { name: `vm${i}`, flavor_id: flavor, image_id: image },
      };
    const created = await api(first.url, 'POST', '/api/automation/stacks', { name: 'crash', template: { Resources } });
    expect(created.status).to.equal(202);
    const id = created.body.id;
    // Kill it once some, not all, instances exist.
    await eventually(
      async () => (await api(first.url, 'GET', '/api/compute/instances?limit=100')).body.items.length >= 3,
      'some instances',
      30_000,
    );
    await first.stop('SIGKILL');

    const second = await startApiProcess(db, env);
    procs.push(second);
    const done = await eventually(
      async () => {
        const s = (await api(second.url, 'GET', `/api/automation/stacks/${id}`)).body;
        return !/_in_progress|_pending$/.test(s.status) && s;
      },
      'stack to settle',
      60_000,
    );
    expect(done.status, done.status_reason).to.equal('create_complete');
    const rows = (await api(second.url, 'GET', `/api/automation/stacks/${id}/resources`)).body.items;
    const instances = (await api(second.url, 'GET', '/api/compute/instances?limit=100')).body.items;
    expect(instances).to.have.length(12);
    expect(instances.map((i: any) => i.id).sort()).to.deep.equal(
      rows
        .filter((r: any) => r.kind === 'instance')
        .map((r: any) => r.physical_id)
        .sort(),
    );
    expect(instances.every((i: any) => i.status === 'running')).to.equal(true);
    expect((await api(second.url, 'GET', '/api/networking/vpcs')).body.items).to.have.length(1);
  });
});
