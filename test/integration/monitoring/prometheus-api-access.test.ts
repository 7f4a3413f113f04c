// Who may use the Prometheus HTTP API and what it records: IAM on monitoring:QueryMetrics, no audit record for a
// query POSTed as a form (x-safe), the token as a bearer or as a Basic password, problems for a missing token.
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { API, fixture, send } from '../../support/prometheus-fixture.js';

describe('monitoring: Prometheus HTTP API access', () => {
  let app: TestApp;
  let a: { id: string; token: string };
  let b: { id: string; token: string };

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    a = await newUser(app, 'prom-access-a');
    b = await newUser(app, 'prom-access-b');
    const now = Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
    await send(app, a.token, fixture(a.id, now, ['x', 'y'], 0));
  });
  after(() => app.close());

  describe('authorization and audit', () => {
    it('denies a query to a user whose policy denies monitoring:QueryMetrics, and still lets them list labels', async () => {
      const u = await newUser(app, 'prom-denied');
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-promql',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'monitoring:QueryMetrics', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const r = await app.as(u.token).post(`${API}/query`).type('form').send({ query: '1' }).expect(403);
      expect(r.body).to.include({ code: 'AccessDenied', action: 'monitoring:QueryMetrics' });
      await app.as(u.token).get(`${API}/labels`).expect(200);
      const denied = await app.admin
        .get(`/api/security/audit-logs?user_id=${u.id}&action=monitoring:QueryMetrics`)
        .expect(200);
      expect(denied.body.items.map((i: { status: string }) => i.status)).to.deep.equal(['failure']);
    });

    it('writes no audit record for a query sent as a POST form (x-safe: it only reads)', async () => {
      await app.as(b.token).post(`${API}/query`).type('form').send({ query: 'count(node_temp_celsius)' }).expect(200);
      const logs = await app.admin
        .get(`/api/security/audit-logs?user_id=${b.id}&action=monitoring:QueryMetrics`)
        .expect(200);
      expect(logs.body.items).to.deep.equal([]);
    });
  });

  describe('authentication', () => {
    it('takes the token as a Basic password, and refuses a call without one with a problem', async () => {
      const basic = Buffer.from(`anyone:${a.token}`).toString('base64');
      const r = await app.as('').get(`${API}/label/instance/values`).set('Authorization', `Basic ${basic}`).expect(200);
      expect(r.body.data).to.deep.equal(['x', 'y']);
      const wrong = Buffer.from('anyone:not-a-token').toString('base64');
      await app.as('').get(`${API}/labels`).set('Authorization', `Basic ${wrong}`).expect(401);
      const none = await app.as('').post(`${API}/query`).type('form').send({ query: '1' }).expect(401);
      expect(none.headers['content-type']).to.match(/^application\/problem\+json/);
    });
  });
});
