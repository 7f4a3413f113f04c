// Prefer: wait=N on creates: one request that answers with the settled resource instead of a polling loop.
import { expect } from 'chai';
import { preferredWait } from '../../../api/src/platform/http/prefer.js';
import { catalogue, newUser, startApp, type TestApp } from '../../support/app.js';

describe('platform: Prefer: wait on creates', () => {
  it('reads the wait preference the way RFC 7240 writes it', () => {
    expect(preferredWait('wait=10')).to.equal(10);
    expect(preferredWait('respond-async, wait=5')).to.equal(5);
    expect(preferredWait('wait="7"; foo')).to.equal(7);
    expect(preferredWait('wait=3600')).to.equal(60);
    expect(preferredWait('respond-async')).to.equal(undefined);
    expect(preferredWait('nowait=5')).to.equal(undefined);
    expect(preferredWait(undefined)).to.equal(undefined);
  });

  describe('with a fast worker', () => {
    let app: TestApp;
    before(async () => {
      app = await startApp();
    });
    after(() => app.close());

    it('answers a VPC create once it is available, and an instance once it is running', async () => {
      const vpc = await app.admin
        .post('/api/networking/vpcs')
        .set('Prefer', 'wait=10')
        .send({ name: 'w', cidr_block: '10.0.0.0/16' })
        .expect(202);
      expect(vpc.body.state).to.equal('available');
      expect(vpc.headers['preference-applied']).to.equal('wait=10');
      expect(vpc.headers.etag).to.equal(vpc.body.etag);
      expect(vpc.headers.location).to.equal(`/api/networking/vpcs/${vpc.body.id}`);

      const { flavor, image } = await catalogue(app);
      const user = await newUser(app, 'waiter');
      const inst = await app
        .as(user.token)
        .post('/api/compute/instances')
        .set('Prefer', 'wait=10')
        .send({ name: 'w', flavor_id: flavor.id, image_id: image.id })
        .expect(202);
      expect(inst.body).to.include({ status: 'running', owner: user.id });
    });

    it('answers at once without the preference, and replays an idempotent create as it was first answered', async () => {
      const plain = await app.admin
        .post('/api/networking/vpcs')
        .send({ name: 'p', cidr_block: '10.0.0.0/16' })
        .expect(202);
      expect(plain.body.state).to.equal('pending');
      expect(plain.headers['preference-applied']).to.equal(undefined);
      const first = await app.admin
        .post('/api/networking/vpcs')
        .set('Idempotency-Key', 'wait-key')
        .send({ name: 'k', cidr_block: '10.0.0.0/16' })
        .expect(202);
      const again = await app.admin
        .post('/api/networking/vpcs')
        .set('Idempotency-Key', 'wait-key')
        .set('Prefer', 'wait=5')
        .send({ name: 'k', cidr_block: '10.0.0.0/16' })
        .expect(202);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(again.body).to.deep.equal(first.body);
    });
  });

  describe('with a slow worker', () => {
    let app: TestApp;
    before(async () => {
      app = await startApp({ ATONIX_PROVISION_DELAY_MS: '600000' });
    });
    after(() => app.close());

    it('answers with the resource still transitional when the wait runs out', async () => {
      const vpc = await app.admin
        .post('/api/networking/vpcs')
        .set('Prefer', 'wait=1')
        .send({ name: 's', cidr_block: '10.0.0.0/16' })
        .expect(202);
      expect(vpc.body.state).to.equal('pending');
      expect(vpc.headers['preference-applied']).to.equal('wait=1');
    });
  });
});
