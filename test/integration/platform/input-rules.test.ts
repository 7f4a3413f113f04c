// The rules every request's input obeys, whatever the operation: strings without NUL or lone surrogates (bodies,
// queries and paths alike), only declared parameters and each once, UTF-8 bodies, and no blank Idempotency-Key.
import { expect } from 'chai';
import { request } from 'node:http';
import { ADMIN_TOKEN, catalogue, startApp, type TestApp } from '../../support/app.js';

describe('platform: input rules for every operation', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp();
  });
  after(() => app.close());

  describe('strings', () => {
    it('refuses a NUL in a query filter with 400 naming the parameter', async () => {
      const r = await app.admin.get('/api/compute/flavors?name=%00').expect(400);
      expect(r.body.errors[0]).to.include({ pointer: 'name', code: 'InvalidString' });
    });

    it('refuses a NUL in a body string with 422 and its pointer, where the schema has no pattern', async () => {
      const image = await app.admin
        .post('/api/compute/images')
        .send({ name: 'nul', os: 'de\u0000bian', version: '1' })
        .expect(422);
      expect(image.body.errors[0]).to.include({ pointer: '/os', code: 'InvalidString' });
      const tpl = await app.admin
        .post('/api/automation/templates')
        .send({ name: 't', description: 'a\u0000b', template: { Resources: {} } })
        .expect(422);
      expect(tpl.body.errors[0].pointer).to.equal('/description');
      const { flavor, image: img } = await catalogue(app);
      const inst = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'n', flavor_id: flavor.id, image_id: img.id, subnet_id: '\u0000' })
        .expect(422);
      expect(inst.body.errors[0].pointer).to.equal('/subnet_id');
    });

    it('refuses a lone surrogate in a body string or member name with 422, on every kind alike', async () => {
      const raw = (body: string) =>
        app.admin.post('/api/networking/vpcs').set('Content-Type', 'application/json').send(body);
      const value = await raw('{"name":"x\\ud800","cidr_block":"10.0.0.0/16"}').expect(422);
      expect(value.body.errors[0]).to.include({ pointer: '/name', code: 'InvalidString' });
      const key = await raw('{"name":"x","cidr_block":"10.0.0.0/16","\\udc00":1}').expect(422);
      expect(key.body.errors[0]).to.include({ pointer: '/\udc00', code: 'InvalidString' });
      const user = await app.admin
        .post('/api/security/users')
        .set('Content-Type', 'application/json')
        .send('{"name":"\\udfff"}')
        .expect(422);
      expect(user.body.errors[0].pointer).to.equal('/name');
      expect((await app.admin.get('/api/networking/vpcs?limit=1000').expect(200)).body.items).to.deep.equal([]);
    });

    it('refuses a number parameter too large to be finite, naming it (not a page without a limit)', async () => {
      const r = await app.admin.get('/api/compute/flavors?limit=1e309').expect(400);
      expect(r.body.errors[0]).to.include({ pointer: 'limit', code: 'InvalidNumber' });
    });

    it('refuses a body that is not UTF-8, and a query that is not percent-encoded UTF-8, with 400', async () => {
      const bytes = Buffer.from('{"name":"\xff","cidr_block":"10.0.0.0/16"}', 'latin1');
      const body = await new Promise<{ status: number; detail: string }>((resolve, reject) => {
        const req = request(`${app.url}/api/networking/vpcs`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, detail: JSON.parse(text).detail }));
        });
        req.on('error', reject);
        req.end(bytes);
      });
      expect(body.status).to.equal(400);
      expect(body.detail).to.match(/not valid UTF-8/);
      const query = await app.admin.get('/api/compute/flavors?name=%ED%A0%80').expect(400);
      expect(query.body.errors[0].pointer).to.equal('name');
    });
  });

  describe('constraints the database enforces', () => {
    it('answers a reference the database refuses (an empty subnet_id) as 422 naming the field, not a 500', async () => {
      const { flavor, image } = await catalogue(app);
      const r = await app.admin
        .post('/api/compute/instances')
        .send({ name: 'n', flavor_id: flavor.id, image_id: image.id, subnet_id: '' })
        .expect(422);
      expect(r.body.errors[0]).to.include({ pointer: '/subnet_id', code: 'ReferenceNotFound' });
      expect((await app.admin.get('/api/compute/instances?name=n').expect(200)).body.items).to.deep.equal([]);
    });
  });

  describe('parameters', () => {
    for (const [url, name] of [
      ['/api/compute/instances?nmae=zzz', 'nmae'],
      ['/api/compute/instances?state=zzz', 'state'],
      ['/api/networking/vpcs?owner=usr-abcd1234', 'owner'],
      ['/api/compute/flavors?name[]=t1.small', 'name[]'],
    ] as const) {
      it(`refuses the unknown parameter ${name} with 400 naming it and the accepted ones (${url})`, async () => {
        const r = await app.admin.get(url).expect(400);
        expect(r.body.errors[0]).to.include({ pointer: name, code: 'UnknownParameter' });
        expect(r.body.errors[0].detail).to.match(/it takes: limit, cursor/);
      });
    }

    it('refuses a path parameter given again in the query with 400, instead of ignoring one of them', async () => {
      const r = await app.admin.get('/api/compute/flavors/flv-abcd1234?id=flv-other0000').expect(400);
      expect(r.body.errors[0]).to.include({ pointer: 'id', code: 'RepeatedParameter' });
    });

    it('refuses a parameter given twice with 400 naming it', async () => {
      const r = await app.admin.get('/api/compute/flavors?name=a&name=b').expect(400);
      expect(r.body.errors[0]).to.include({ pointer: 'name', code: 'RepeatedParameter' });
    });

    for (const key of ['', '   ']) {
      it(`refuses a blank Idempotency-Key ${JSON.stringify(key)} with 400, creating nothing`, async () => {
        const r = await app.admin
          .post('/api/networking/vpcs')
          .set('Idempotency-Key', key)
          .send({ name: 'keyed', cidr_block: '10.9.0.0/16' })
          .expect(400);
        expect(r.body.errors[0]).to.include({ pointer: 'Idempotency-Key', code: 'Blank' });
        expect((await app.admin.get('/api/networking/vpcs?name=keyed').expect(200)).body.items).to.deep.equal([]);
      });
    }
  });
});
