// What users rely on beyond the lifecycle: data sources, clear diagnostics, import blocks, the mirror, the example.
import { expect } from 'chai';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { installMirror } from '../../../scripts/provider-install.js';
import { ADMIN_TOKEN, newUser, startApp, type TestApp } from '../../support/app.js';
import { prepareProvider, ROOT, Workspace } from './workspace.js';

describe('terraform: provider behaviour', function () {
  this.timeout(300_000);
  let app: TestApp;
  const workspaces: Workspace[] = [];
  const ws = (token = ADMIN_TOKEN, cli?: string) => {
    const w = new Workspace(app.url, token, cli);
    workspaces.push(w);
    return w;
  };
  before(async () => {
    await prepareProvider();
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '200', ATONIX_CAPACITY_GPUS: '2' });
  });
  after(async () => {
    for (const w of workspaces) w.remove();
    await app.close();
  });

  it('looks up flavors and images by name and VPCs by id or name', async () => {
    const vpc = (
      await app.admin.post('/api/networking/vpcs').send({ name: 'shared', cidr_block: '10.70.0.0/16' }).expect(202)
    ).body;
    const w = ws().write(`
data "atonix_flavor" "f" {
  name = "m1.large"
}
data "atonix_image" "i" {
  name = "ubuntu-24.04"
}
data "atonix_vpc" "by_name" {
  name = "shared"
}
data "atonix_vpc" "by_id" {
  id = "${vpc.id}"
}
output "f" { value = "\${data.atonix_flavor.f.vcpus}/\${data.atonix_flavor.f.ram_mb}" }
output "i" { value = data.atonix_image.i.os }
output "same" { value = data.atonix_vpc.by_name.id == data.atonix_vpc.by_id.id }
output "cidr" { value = data.atonix_vpc.by_id.cidr_block }
`);
    const out = await w.apply();
    expect(out)
      .to.contain('f = "4/16384"')
      .and.contain('i = "ubuntu"')
      .and.contain('same = true')
      .and.contain('cidr = "10.70.0.0/16"');
    w.write('data "atonix_flavor" "f" {\n  name = "no-such-flavor"\n}\n');
    const miss = await w.must(['plan', '-no-color'], 1);
    expect(miss).to.contain('No atonix_flavor matches').and.contain('name = "no-such-flavor"');
  });

  it('reports a missing or refused token and an unreachable endpoint at plan time', async () => {
    const bad = await ws('atx_wrong')
      .write('data "atonix_flavor" "f" {\n  name = "t1.small"\n}\n')
      .must(['plan', '-no-color'], 1);
    expect(bad).to.contain('The AtonixCorp API refused the token');
    const none = await ws('')
      .write('data "atonix_flavor" "f" {\n  name = "t1.small"\n}\n')
      .must(['plan', '-no-color'], 1);
    expect(none).to.contain('No AtonixCorp token');
    const down = await ws()
      .write(
        'provider "atonix" {\n  endpoint = "http://127.0.0.1:9"\n}\ndata "atonix_flavor" "f" {\n  name = "t1.small"\n}\n',
      )
      .must(['plan', '-no-color'], 1);
    expect(down).to.contain('Cannot reach the AtonixCorp API');
    expect(down).to.not.match(/panic|stack trace|plugin did not respond/i);
  });

  it('turns an API problem into a diagnostic on the offending attribute', async () => {
    const out = await ws()
      .write('resource "atonix_vpc" "bad" {\n  name       = "bad"\n  cidr_block = "10.0.0.1/16"\n}\n')
      .must(['apply', '-auto-approve', '-no-color'], 1);
    expect(out).to.contain('Cannot create atonix_vpc: The request is not valid');
    expect(out).to.contain('cidr_block must be a network address: 10.0.0.0/16');
    expect(out).to.match(/with atonix_vpc\.bad,[\s\S]*cidr_block = "10\.0\.0\.1\/16"/);
  });

  it('reports an instance that ends in error with its status_reason, and keeps it in state (tainted)', async () => {
    const w = ws().write(`
data "atonix_flavor" "gpu" {
  name = "g1.gpu4"
}
data "atonix_image" "i" {
  name = "debian-12"
}
resource "atonix_instance" "big" {
  name      = "big"
  flavor_id = data.atonix_flavor.gpu.id
  image_id  = data.atonix_image.i.id
}
`);
    const out = await w.must(['apply', '-auto-approve', '-no-color'], 1);
    expect(out).to.match(/atonix_instance inst-[a-z2-7]+ failed: error/);
    expect(out).to.contain('InsufficientCapacity: needs 32 vCPU');
    const state = await w.must(['state', 'list']);
    expect(state).to.contain('atonix_instance.big');
    expect(await w.plan(2)).to.match(/is tainted, so must be replaced/);
    await w.destroy();
  });

  it('imports through an import block, with an empty plan afterwards', async () => {
    const v = (
      await app.admin.post('/api/networking/vpcs').send({ name: 'imported', cidr_block: '10.80.0.0/16' }).expect(202)
    ).body;
    const w = ws().write(`
import {
  to = atonix_vpc.imported
  id = "${v.id}"
}
resource "atonix_vpc" "imported" {
  name       = "imported"
  cidr_block = "10.80.0.0/16"
}
`);
    expect(await w.plan(2)).to.contain('1 to import, 0 to add, 0 to change, 0 to destroy');
    await w.apply();
    await w.plan(0);
  });

  it("treats another user's resource as absent, like the API does", async () => {
    const owner = await newUser(app, 'tf-owner');
    const other = await newUser(app, 'tf-other');
    const v = (
      await app
        .as(owner.token)
        .post('/api/networking/vpcs')
        .send({ name: 'mine', cidr_block: '10.90.0.0/16' })
        .expect(202)
    ).body;
    const out = await ws(other.token)
      .write(`data "atonix_vpc" "x" {\n  id = "${v.id}"\n}\n`)
      .must(['plan', '-no-color'], 1);
    expect(out).to.contain(`No atonix_vpc with id ${v.id}`);
  });

  it('installs into a filesystem mirror; the example inits with no registry, applies, re-plans empty and destroys', async () => {
    const w = ws();
    const { cliConfig } = installMirror(join(w.dir, 'mirror'));
    const example = new Workspace(app.url, ADMIN_TOKEN, cliConfig);
    workspaces.push(example);
    cpSync(join(ROOT, 'examples/terraform/network-and-instances/main.tf'), join(example.dir, 'main.tf'));
    const init = await example.must(['init', '-no-color']);
    expect(init).to.match(/Installed atonixcorp\/atonix v0\.1\.0/);
    const applied = await example.apply();
    expect(applied).to.contain('Apply complete! Resources: 7 added');
    // web-0 and worker-a share subnet a (web-1 and worker-b subnet b) and are created in parallel: .4 or .5.
    expect(applied).to.match(/web_ips = \[\s*"10\.20\.1\.[45]",\s*"10\.20\.2\.[45]",\s*\]/);
    await example.plan(0);
    const workers = (
      await app.admin.get('/api/compute/instances?status=stopped&limit=100').expect(200)
    ).body.items.filter((i: any) => i.name.startsWith('worker-'));
    expect(workers).to.have.length(2);
    await example.destroy();
    expect((await app.admin.get('/api/networking/vpcs?name=example').expect(200)).body.items).to.deep.equal([]);
    expect(
      (await app.admin.get('/api/compute/instances?limit=100').expect(200)).body.items.filter((i: any) =>
        /^(web|worker)-/.test(i.name),
      ),
    ).to.deep.equal([]);
  });
});
