// Flavors and images, the catalogue instances are built from: admin-managed, readable by everyone, PROTECTed while
// instances use them.
import { expect } from 'chai';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';

describe('compute: flavors and images', () => {
  let app: TestApp;
  let flavor: any;
  let image: any;
  before(async () => {
    app = await startApp();
    ({ flavor, image } = await catalogue(app));
  });
  after(() => app.close());

  const create = (body: object = {}) =>
    app.admin.post('/api/compute/instances').send({ name: 'web', flavor_id: flavor.id, image_id: image.id, ...body });

  describe('createFlavor', () => {
    it('lets only admins manage flavors; everyone reads them', async () => {
      const user = await newUser(app, 'flavor-reader');
      await app.as(user.token).get(`/api/compute/flavors/${flavor.id}`).expect(200);
      const r = await app
        .as(user.token)
        .post('/api/compute/flavors')
        .send({ name: 'nope', vcpus: 1, ram_mb: 512, disk_gb: 5 })
        .expect(403);
      expect(r.body).to.include({ code: 'Forbidden', action: 'compute:CreateFlavor' });
      const dup = await app.admin
        .post('/api/compute/flavors')
        .send({ name: flavor.name, vcpus: 1, ram_mb: 512, disk_gb: 5 })
        .expect(409);
      expect(dup.body.code).to.equal('AlreadyExists');
    });
  });

  describe('deleteFlavor and deleteImage', () => {
    it('PROTECTs flavors and images in use: delete is a 409 naming the instance', async () => {
      const f = await app.admin
        .post('/api/compute/flavors')
        .send({ name: 'tiny.used', vcpus: 1, ram_mb: 512, disk_gb: 5 })
        .expect(201);
      const { id } = (await create({ flavor_id: f.body.id }).expect(202)).body;
      const r = await app.admin.delete(`/api/compute/flavors/${f.body.id}`).expect(409);
      expect(r.body).to.include({ code: 'ResourceInUse' });
      expect(r.body.blocked_by).to.deep.include({ kind: 'instance', id });
      await app.admin.delete(`/api/compute/instances/${id}`).expect(204);
      await app.admin.delete(`/api/compute/flavors/${f.body.id}`).expect(204);
      await app.admin.get(`/api/compute/flavors/${f.body.id}`).expect(404);
    });
  });
});
