// Idle resources read from the kinds' own records (no series needed): access keys unused for 90 days (and not one
// used since), load balancers with no healthy target (and not one serving a healthy target), deactivating a key
// through the API on apply; and the refusals of the list and the refresh.
import { expect } from 'chai';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { activeLb, forward, healthOf, listener, targetGroup, webTarget, type WebTarget } from '../../support/lb.js';
import { s3As } from '../../support/s3.js';

type Rec = Record<string, any>;

describe('ai: idle keys and load balancers', function () {
  this.timeout(120_000);
  let app: TestApp;
  let carol: { id: string; token: string };
  let web: WebTarget;
  let stale: string;
  let fresh: string;
  let empty: string;
  let serving: string;
  let refreshed: Rec;

  const admins = async (query = ''): Promise<Rec[]> =>
    (await app.admin.get(`/api/ai/recommendations?type=idle_resource&limit=100${query}`).expect(200)).body.items;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    carol = await newUser(app, 'carol');
    stale = (await app.as(carol.token).post(`/api/security/users/${carol.id}/access-keys`).send({}).expect(201)).body
      .access_key_id;
    web = await webTarget('healthy');
    empty = (await activeLb(app, 'application', 'empty')).lb;
    serving = (await activeLb(app, 'application', 'serving')).lb;
    const { tg } = await targetGroup(app, serving, [web.port]);
    await listener(app, serving, { port: 80, default_action: forward(tg) });
    await healthOf(app, tg, 'healthy');
    await app.admin
      .post('/api/admin/clock')
      .send({ advance_seconds: 91 * 86_400 })
      .expect(200);
    // A key made and used after the jump is not idle; the SDK learns the platform clock from its first refusal.
    const user = await s3As(app, carol);
    fresh = user.accessKeyId;
    await user.s3.send(new ListBucketsCommand({}));
    await eventually(
      async () => (await app.as(carol.token).get(`/api/security/access-keys/${fresh}`).expect(200)).body.last_used_at,
      'the key to be used',
    );
    refreshed = (await app.as(carol.token).post('/api/ai/recommendations/refresh').expect(200)).body;
  });
  after(async () => {
    await app.close();
    await web.close();
  });

  it('finds the access key unused for 90 days, and not the one used since', async () => {
    const recs: Rec[] = (await app.as(carol.token).get('/api/ai/recommendations?type=idle_resource').expect(200)).body
      .items;
    expect(recs.map((r) => r.resource_id)).to.deep.equal([stale]);
    expect(refreshed.created).to.deep.equal([recs[0]!.id]);
    const r = recs[0]!;
    expect(r.resource_kind).to.equal('access_key');
    expect(r.evidence.last_used_at).to.equal(null);
    expect(r.evidence.unused_days).to.be.at.least(91);
    expect(r.monthly_savings).to.equal(null);
    expect(r.savings.reason).to.contain('security');
  });

  it('deactivates the key on apply, as its owner', async () => {
    const [r] = (await app.as(carol.token).get(`/api/ai/recommendations?resource_id=${stale}`).expect(200)).body.items;
    const applied = await app.as(carol.token).post(`/api/ai/recommendations/${r.id}/apply`).expect(200);
    expect(applied.body.result.steps[0]).to.include({ operation_id: 'updateAccessKey', status: 200 });
    const key = (await app.as(carol.token).get(`/api/security/access-keys/${stale}`).expect(200)).body;
    expect(key.status).to.equal('Inactive');
  });

  it('finds the load balancer with no healthy target, and not the one with a healthy target', async () => {
    await app.admin.post('/api/ai/recommendations/refresh').expect(200);
    const ids = (await admins()).map((r) => r.resource_id);
    expect(ids).to.include(empty);
    expect(ids).to.not.include(serving);
    const [r] = await admins(`&resource_id=${empty}`);
    expect(r!.evidence).to.deep.include({ targets: 0, healthy: 0 });
    expect(r!.action.steps).to.deep.equal([{ operation_id: 'deleteLoadBalancer', params: { id: empty } }]);
    expect(r!.savings.reason).to.contain('load balancers');
  });

  it('refuses an unknown filter value (400) and an anonymous refresh (401)', async () => {
    const bad = await app.as(carol.token).get('/api/ai/recommendations?state=forgotten').expect(400);
    expect(JSON.stringify(bad.body.errors)).to.contain('state');
    const anonymous = await app.as('').post('/api/ai/recommendations/refresh');
    expect(anonymous.status).to.equal(401);
  });
});
