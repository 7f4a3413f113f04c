// Whose series and permissions an alert rule evaluates with: its owner's, through the operation pipeline as the
// owner (the Prometheus API's query): another owner's series with the same labels are invisible to it, and an owner
// whom IAM denies monitoring:QueryMetrics gets an error on the rule (audited as theirs), never alerts.
import { expect } from 'chai';
import { tsdb } from '../../../api/src/monitoring/tsdb/index.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';

const BUCKET = 'bkt-tenancy00001';

describe('monitoring: alert rules act as their owner', function () {
  this.timeout(60_000);
  let app: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };
  let as: TestApp['admin'];

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    owner = await newUser(app, 'alert-owner');
    other = await newUser(app, 'alert-other');
    as = app.as(owner.token);
  });
  after(() => app.close());

  const setClock = (ms: number) =>
    app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(ms).toISOString() })
      .expect(200);
  const sizeAt = async (t: number, bytes: number) => {
    const labels = { resource_id: BUCKET, kind: 'bucket' };
    await tsdb(app.platform).sink.write(owner.id, [
      { name: 'atonix_bucket_size_bytes', labels, value: bytes, timestamp: t },
    ]);
    await tsdb(app.platform).sink.write(other.id, [
      { name: 'atonix_bucket_size_bytes', labels, value: 10 ** 12, timestamp: t },
    ]);
  };
  const rule = async (id: string) => (await as.get(`/api/monitoring/alerts/${id}`).expect(200)).body;

  it("reads only its owner's series: another owner's rule on the same labels sees its own", async () => {
    const mine = await app
      .as(other.token)
      .post('/api/monitoring/alerts')
      .send({ name: 'OtherSees', expr: `atonix_bucket_size_bytes{resource_id="${BUCKET}"} > 0` })
      .expect(201);
    const theirs = await as
      .post('/api/monitoring/alerts')
      .send({ name: 'OwnerSees', expr: `atonix_bucket_size_bytes{resource_id="${BUCKET}"} > 0` })
      .expect(201);
    const t = Date.parse(theirs.body.next_evaluation_at);
    await sizeAt(t, 42);
    await setClock(t);
    const a = (await app.as(other.token).get(`/api/monitoring/alerts/${mine.body.id}`).expect(200)).body;
    const b = (await rule(theirs.body.id)).alerts;
    expect(a.alerts.map((x: any) => [x.labels.owner, x.value])).to.deep.equal([[other.id, 10 ** 12]]);
    expect(b.map((x: any) => [x.labels.owner, x.value])).to.deep.equal([[owner.id, 42]]);
  });

  it('evaluates as the owner through the pipeline: a rule whose owner IAM denies monitoring:QueryMetrics fires nothing', async () => {
    const deny = await app.admin
      .post('/api/security/policies')
      .send({
        name: 'no-metric-queries',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: 'monitoring:QueryMetrics', Resource: '*' }],
        },
      })
      .expect(201);
    const u = await newUser(app, 'alert-denied');
    await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: deny.body.id }).expect(201);
    const r = await app
      .as(u.token)
      .post('/api/monitoring/alerts')
      .send({ name: 'Always', expr: 'vector(1)' })
      .expect(201);
    await setClock(Date.parse(r.body.next_evaluation_at));
    const after = (await app.as(u.token).get(`/api/monitoring/alerts/${r.body.id}`).expect(200)).body;
    expect(after).to.deep.include({ state: 'inactive', alerts: [] });
    expect(after.last_error).to.contain('AccessDenied');
    expect(after.last_error).to.contain('monitoring:QueryMetrics');
    const audit = (await app.admin.get('/api/security/audit-logs?limit=50').expect(200)).body.items;
    expect(audit.find((a: any) => a.user_id === u.id && a.action === 'monitoring:QueryMetrics')).to.include({
      status: 'failure',
    });
    // Allowed (another owner, same expression), it fires at once.
    const ok = await as.post('/api/monitoring/alerts').send({ name: 'Always', expr: 'vector(1)' }).expect(201);
    await setClock(Date.parse(ok.body.next_evaluation_at));
    expect((await rule(ok.body.id)).state).to.equal('firing');
  });
});
