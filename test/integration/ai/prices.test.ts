// The price catalogue: the default entries a fresh installation holds, read by every user; admin-only writes with
// the unit checked against what is priced and one entry per priced name.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

describe('ai: the price catalogue', function () {
  this.timeout(60_000);
  let app: TestApp;
  let user: { id: string; token: string };
  before(async () => {
    app = await startApp();
    user = await newUser(app, 'price-reader');
  });
  after(() => app.close());

  describe('listPrices / getPrice', () => {
    it('holds a default price for every seeded flavor, volume type and storage class, readable by any user', async () => {
      const all = (await app.as(user.token).get('/api/ai/prices?limit=100').expect(200)).body.items;
      const flavors = (await app.as(user.token).get('/api/compute/flavors?limit=100').expect(200)).body.items;
      for (const f of flavors)
        expect(
          all.find((p: any) => p.resource_type === 'flavor' && p.name === f.name),
          f.name,
        ).to.include({ unit: 'hour', currency: 'USD' });
      for (const t of ['ssd', 'hdd', 'nvme'])
        expect(
          all.find((p: any) => p.resource_type === 'volume_type' && p.name === t),
          t,
        ).to.include({ unit: 'GB-month' });
      for (const c of ['STANDARD', 'INFREQUENT', 'ARCHIVE'])
        expect(
          all.find((p: any) => p.resource_type === 'storage_class' && p.name === c),
          c,
        ).to.include({ unit: 'GB-month' });
      const one = all[0];
      expect((await app.as(user.token).get(`/api/ai/prices/${one.id}`).expect(200)).body).to.deep.equal(one);
    });

    it('filters by resource type and name', async () => {
      const r = await app.as(user.token).get('/api/ai/prices?resource_type=flavor&name=t1.small').expect(200);
      expect(r.body.items).to.have.length(1);
      expect(r.body.items[0]).to.include({ name: 't1.small', price: 0.0208 });
      await app.as(user.token).get('/api/ai/prices/prc-doesnotexist0').expect(404);
    });
  });

  describe('createPrice / updatePrice / deletePrice', () => {
    it('lets an admin add, change and remove an entry', async () => {
      const made = await app.admin
        .post('/api/ai/prices')
        .send({ resource_type: 'flavor', name: 'x9.custom', unit: 'hour', price: 1.5, currency: 'EUR' })
        .expect(201);
      expect(made.body).to.include({ name: 'x9.custom', price: 1.5, currency: 'EUR', description: '' });
      const changed = await app.admin.patch(`/api/ai/prices/${made.body.id}`).send({ price: 1.25 }).expect(200);
      expect(changed.body.price).to.equal(1.25);
      await app.admin.delete(`/api/ai/prices/${made.body.id}`).expect(204);
      await app.admin.get(`/api/ai/prices/${made.body.id}`).expect(404);
    });

    it('refuses a user every write (403), and leaves the catalogue as it was', async () => {
      const price = (await app.admin.get('/api/ai/prices?resource_type=flavor&name=t1.small').expect(200)).body
        .items[0];
      const body = { resource_type: 'flavor', name: 'mine', unit: 'hour', price: 0 };
      expect((await app.as(user.token).post('/api/ai/prices').send(body)).status).to.equal(403);
      expect((await app.as(user.token).patch(`/api/ai/prices/${price.id}`).send({ price: 0 })).status).to.equal(403);
      expect((await app.as(user.token).delete(`/api/ai/prices/${price.id}`)).status).to.equal(403);
      expect((await app.admin.get(`/api/ai/prices/${price.id}`).expect(200)).body.price).to.equal(0.0208);
    });

    it('refuses a unit that does not fit what is priced (422 naming unit) and a second entry for a name (409)', async () => {
      const bad = await app.admin
        .post('/api/ai/prices')
        .send({ resource_type: 'volume_type', name: 'fast', unit: 'hour', price: 1 })
        .expect(422);
      expect(bad.body.errors[0]).to.include({ pointer: '/unit', code: 'UnitMismatch' });
      const dup = await app.admin
        .post('/api/ai/prices')
        .send({ resource_type: 'storage_class', name: 'STANDARD', unit: 'GB-month', price: 1 })
        .expect(409);
      expect(dup.body.code).to.equal('AlreadyExists');
      const neg = await app.admin
        .post('/api/ai/prices')
        .send({ resource_type: 'flavor', name: 'neg', unit: 'hour', price: -1 })
        .expect(422);
      expect(JSON.stringify(neg.body.errors)).to.contain('/price');
    });

    it('refuses a change of what an entry prices (FieldImmutable)', async () => {
      const price = (await app.admin.get('/api/ai/prices?resource_type=flavor&name=t1.medium').expect(200)).body
        .items[0];
      const r = await app.admin.patch(`/api/ai/prices/${price.id}`).send({ name: 't1.other' }).expect(422);
      expect(r.body.code).to.equal('FieldImmutable');
    });
  });
});
