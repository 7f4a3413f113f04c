// Stacks from the other template sources, by operation: CDKTF's synthesized Terraform JSON, the YAML and Terraform
// JSON examples, stored templates with numbered versions, and the preview of a new stack.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v) as Record<string, unknown>;
import { stackSettled, startApp, type TestApp } from '../../support/app.js';

describe('automation: stacks from Terraform JSON, YAML and stored templates', function () {
  this.timeout(90_000);
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '50' });
  });
  after(() => app.close());

  const settled = (id: string) => stackSettled(app.admin, id, 60_000);

  describe('createStack', () => {
    it("deploys the CDKTF example's synthesized cdk.tf.json (data sources, references, outputs)", async () => {
      const { execFileSync } = await import('node:child_process');
      const { readFileSync } = await import('node:fs');
      execFileSync(process.execPath, ['--import', 'tsx', 'examples/cdktf/main.ts'], {
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
        stdio: 'ignore',
      });
      const doc = JSON.parse(readFileSync('examples/cdktf/cdktf.out/stacks/atonix-example/cdk.tf.json', 'utf8'));
      const r = await app.admin.post('/api/automation/stacks').send({ name: 'cdktf', template: doc }).expect(202);
      const done = await settled(r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const res = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
      const vpc = res.find((x: any) => x.type === 'atonix_vpc');
      expect(done.outputs.vpc_id).to.equal(vpc.physical_id);
      const ips = JSON.parse(done.outputs.web_private_ips);
      expect(ips).to.have.length(3);
      for (const ip of ips) expect(ip).to.match(/^\d+\.\d+\.\d+\.\d+$/);
      const bastion = (await app.admin.get(`/api/compute/instances/${done.outputs.bastion_id}`).expect(200)).body;
      expect(bastion.status).to.equal('stopped');
      const noop = await app.admin.patch(`/api/automation/stacks/${r.body.id}`).send({ template: doc }).expect(200);
      expect(noop.body.status).to.equal('create_complete');
      await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
      expect((await settled(r.body.id)).status).to.equal('gone');
      await app.admin.get(`/api/networking/vpcs/${vpc.physical_id}`).expect(404);
    });
    it('deploys the native YAML example with lookups, a condition, Select and If', async () => {
      const { readFileSync } = await import('node:fs');
      const body = readFileSync('examples/stacks/network-with-instances.yaml', 'utf8');
      const r = await app.admin
        .post('/api/automation/stacks')
        .send({ name: 'yaml', template_body: body, parameters: { WithWorker: 'false' } })
        .expect(202);
      expect(r.body.template_body).to.equal(body);
      const done = await settled(r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      expect(done.outputs.Summary).to.equal('10.100.0.0/16 web-only');
      const ids = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items.map(
        (x: any) => x.logical_id,
      );
      expect(ids).to.deep.equal(['Net', 'SubnetA', 'SubnetB', 'Web']);
      await app.admin
        .patch(`/api/automation/stacks/${r.body.id}`)
        .send({ parameters: { WithWorker: 'true' } })
        .expect(202);
      const updated = await settled(r.body.id);
      expect(updated.outputs.Summary).to.equal('10.100.0.0/16 with-worker');
      const worker = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items.find(
        (x: any) => x.logical_id === 'Worker',
      );
      const inst = (await app.admin.get(`/api/compute/instances/${worker.physical_id}`).expect(200)).body;
      const subnetB = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`)).body.items.find(
        (x: any) => x.logical_id === 'SubnetB',
      );
      expect(inst).to.include({ subnet_id: subnetB.physical_id, status: 'stopped' });
      const bad = await app.admin
        .patch(`/api/automation/stacks/${r.body.id}`)
        .send({ parameters: { Flavor: 'huge' } })
        .expect(422);
      expect(bad.body.errors[0]).to.include({ pointer: '/parameters/Flavor', code: 'NotInEnum' });
      await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
      expect((await settled(r.body.id)).status).to.equal('gone');
    });
    it('deploys the Terraform JSON example with count, variables and data lookups', async () => {
      const { readFileSync } = await import('node:fs');
      const doc = JSON.parse(readFileSync('examples/stacks/network-with-instances.tf.json', 'utf8'));
      const r = await app.admin
        .post('/api/automation/stacks')
        .send({ name: 'tfjson', template: doc, parameters: { web_count: '3' } })
        .expect(202);
      const done = await settled(r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const rows = (await app.admin.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
      // The three instances are created in parallel, so which of them gets .4 is not fixed.
      const web0 = (await app.admin.get(`/api/compute/instances/${rows[0].physical_id}`).expect(200)).body;
      expect(done.outputs.first_web_ip)
        .to.equal(web0.private_ip)
        .and.to.match(/^10\.200\.1\.[4-6]$/);
      const names = rows.map((x: any) => x.logical_id);
      expect(names).to.deep.equal([
        'atonix_instance.web[0]',
        'atonix_instance.web[1]',
        'atonix_instance.web[2]',
        'atonix_subnet.a',
        'atonix_vpc.main',
      ]);
      await app.admin
        .patch(`/api/automation/stacks/${r.body.id}`)
        .send({ parameters: { web_count: '1' } })
        .expect(202);
      expect((await settled(r.body.id)).status).to.equal('update_complete');
      expect((await app.admin.get('/api/compute/instances?name=web-2').expect(200)).body.items).to.deep.equal([]);
      await app.admin.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
      await settled(r.body.id);
    });
  });

  describe('createTemplate and createTemplateVersion', () => {
    it('stores templates with immutable numbered versions and creates stacks from them', async () => {
      const v1 = {
        Resources: { N: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'v1', cidr_block: '10.110.0.0/16' } } },
      };
      const v2 = {
        Resources: { N: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'v2', cidr_block: '10.110.0.0/16' } } },
      };
      const t = await app.admin.post('/api/automation/templates').send({ name: 'net', template: v1 }).expect(201);
      expect(t.body.latest_version).to.equal(1);
      const second = await app.admin
        .post(`/api/automation/templates/${t.body.id}/versions`)
        .send({ template: v2 })
        .expect(201);
      expect(second.body.version).to.equal(2);
      const versions = (
        await app.admin.get(`/api/automation/templates/${t.body.id}/versions`).expect(200)
      ).body.items.map((v: any) => v.version);
      expect(versions).to.deep.equal([2, 1]);
      expect(
        (await app.admin.get(`/api/automation/templates/${t.body.id}/versions/1`).expect(200)).body.template,
      ).to.deep.equal(v1);
      const s = await app.admin
        .post('/api/automation/stacks')
        .send({ name: 'from-tpl', template_id: t.body.id, template_version: 1 })
        .expect(202);
      expect(s.body).to.include({ template_id: t.body.id, template_version: 1 });
      await settled(s.body.id);
      const vpcId = (await app.admin.get(`/api/automation/stacks/${s.body.id}/resources`)).body.items[0].physical_id;
      expect((await app.admin.get(`/api/networking/vpcs/${vpcId}`).expect(200)).body.name).to.equal('v1');
      await app.admin
        .patch(`/api/automation/stacks/${s.body.id}`)
        .send({ template_id: t.body.id, template_version: null })
        .expect(202);
      expect((await settled(s.body.id)).template_version).to.equal(2);
      expect((await app.admin.get(`/api/networking/vpcs/${vpcId}`).expect(200)).body.name).to.equal('v2');
      const missing = await app.admin
        .post('/api/automation/stacks')
        .send({ name: 'x', template_id: t.body.id, template_version: 9 })
        .expect(422);
      expect(missing.body.errors[0].pointer).to.equal('/template_version');
      await app.admin.delete(`/api/automation/stacks/${s.body.id}`).expect(202);
      await settled(s.body.id);
    });

    it('checks a template as a stack would when it is stored: one 422 with pointers, and nothing stored', async () => {
      const bad = await app.admin
        .post('/api/automation/templates')
        .send({ name: 'bad', template: { a: 1 } })
        .expect(422);
      expect(bad.body.code).to.equal('ValidationFailed');
      expect(bad.body.errors.length).to.be.greaterThan(0);
      expect((await app.admin.get('/api/automation/templates?name=bad').expect(200)).body.items).to.deep.equal([]);
      const wrongType = await app.admin
        .post('/api/automation/templates')
        .send({ name: 'bad2', template: { Resources: { X: { Type: 'Atonix::Nope::Thing', Properties: {} } } } })
        .expect(422);
      expect(wrongType.body.errors[0].pointer).to.match(/^\/template\/Resources\/X/);
      // A Terraform JSON count whose variable has no default is given by each stack later too.
      const tf = JSON.parse(readFileSync('examples/stacks/network-with-instances.tf.json', 'utf8'));
      delete first(tf.variable.web_count).default; // the web instances' count
      await app.admin.post('/api/automation/templates').send({ name: 'tf-later', template: tf }).expect(201);
      // A parameter without a default is given by each stack later, so it is no reason to refuse the template.
      await app.admin
        .post('/api/automation/templates')
        .send({
          name: 'later',
          template: {
            Parameters: { Cidr: { Type: 'String' } },
            Resources: {
              Net: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'n', cidr_block: { Ref: 'Cidr' } } },
            },
          },
        })
        .expect(201);
    });
  });

  describe('previewNewStack', () => {
    it('previews a new stack: every resource a create, values that wait on others marked', async () => {
      const t = {
        Resources: {
          N: { Type: 'Atonix::Networking::Vpc', Properties: { name: 'p', cidr_block: '10.120.0.0/16' } },
          S: {
            Type: 'Atonix::Networking::Subnet',
            Properties: { name: 's', vpc_id: { Ref: 'N' }, cidr_block: '10.120.1.0/24' },
          },
        },
      };
      const p = await app.admin.post('/api/automation/stacks/preview').send({ name: 'p', template: t }).expect(200);
      expect(p.body.changes.map((c: any) => [c.logical_id, c.action])).to.deep.equal([
        ['N', 'create'],
        ['S', 'create'],
      ]);
      expect(p.body.changes[1].after.vpc_id).to.equal('(known after apply)');
      expect((await app.admin.get('/api/networking/vpcs?name=p').expect(200)).body.items).to.deep.equal([]);
    });
  });
});
