// What GET /api/ai/predictions refuses, and to whom: bad parameters are a 400 naming each, too little history a
// 422 with the numbers, no series a 404, too many a 422; another user's series are invisible; IAM denies it.
import { expect } from 'chai';
import { minimumHistory } from '../../../api/src/ai/forecast/index.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { platformNow, writeSeries } from './predictions-fixture.js';

const PATH = '/api/ai/predictions';

describe('ai: predictions refused', function () {
  this.timeout(60_000);
  let app: TestApp;
  let a: { id: string; token: string };
  let b: { id: string; token: string };

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    a = await newUser(app, 'predict-a');
    b = await newUser(app, 'predict-b');
    const now = await platformNow(app);
    await writeSeries(app, a.token, { name: 'mem_used', labels: { instance_id: 'i-a' }, now, steps: 7 * 24 });
    await writeSeries(app, a.token, { name: 'young_metric', labels: { instance_id: 'i-a' }, now, steps: 10 });
    for (let i = 0; i < 11; i++)
      await writeSeries(app, a.token, { name: 'many', labels: { instance_id: `i-${i}` }, now, steps: 3 });
  });
  after(() => app.close());

  const pointers = (body: { errors?: { pointer: string }[] }) => (body.errors ?? []).map((e) => e.pointer).sort();

  describe('parameters', () => {
    const bad: [string, string[]][] = [
      ['', ['metric']],
      ['metric=9bad', ['metric']],
      ['metric=mem_used&model=prophet', ['model']],
      ['metric=mem_used&transform=increase', ['transform']],
      ['metric=mem_used&horizon=soon', ['horizon']],
      ['metric=mem_used&step=0s', ['step']],
      ['metric=mem_used&step=500ms', ['step']],
      ['metric=mem_used&step=1h&horizon=90m', ['horizon']],
      ['metric=mem_used&step=1m&horizon=3d&history=1d', ['horizon']],
      ['metric=mem_used&step=1m&history=30d', ['history']],
      ['metric=mem_used&step=1h&history=30m', ['history']],
      ['metric=mem_used&labels=instance_id="i-a"', ['labels']],
      ['metric=mem_used&labels={instance_id=~"("}', ['labels']],
      ['metric=mem_used&labels={__name__="other"}', ['labels']],
      ['metric=mem_used&horizon=x&step=y&history=z', ['history', 'horizon', 'step']],
    ];
    for (const [query, named] of bad) {
      it(`?${query} is a 400 naming ${named.join(', ')}`, async () => {
        const r = await app
          .as(a.token)
          .get(`${PATH}?${encodeURI(query)}`)
          .expect(400);
        expect(r.headers['content-type']).to.match(/^application\/problem\+json/);
        expect(r.body.code).to.equal('InvalidParameter');
        expect(pointers(r.body)).to.deep.equal(named);
      });
    }
  });

  describe('history', () => {
    it('a series too young to forecast is a 422 saying how much is needed and how much there is', async () => {
      const needed = minimumHistory('auto', 3600, 24);
      expect(needed).to.be.greaterThan(10);
      const r = await app.as(a.token).get(`${PATH}?metric=young_metric&step=1h&horizon=1d`).expect(422);
      expect(r.body).to.include({
        code: 'InsufficientHistory',
        needed_points: needed,
        have_points: 10,
        step_seconds: 3600,
      });
      expect(r.body.detail).to.contain(`at least ${needed} points`);
      expect(r.body.detail).to.contain('it has 10');
      expect(r.body.detail).to.contain('instance_id="i-a"');
    });

    it('a history window shorter than the model needs is a 400 naming history, with the number of steps needed', async () => {
      const needed = minimumHistory('ets', 3600, 6);
      const hours = Math.max(1, needed - 1);
      const r = await app.as(a.token).get(`${PATH}?metric=mem_used&model=ets&step=1h&horizon=6h&history=${hours}h`);
      expect(r.status).to.equal(400);
      expect(pointers(r.body)).to.deep.equal(['history']);
      expect(r.body.detail).to.contain(`needs at least ${needed}`);
    });
  });

  describe('series', () => {
    it('no matching series is a 404 that says what was looked for', async () => {
      const r = await app.as(a.token).get(`${PATH}?metric=mem_used&labels={instance_id="i-zzz"}`).expect(404);
      expect(r.body.code).to.equal('NoSeries');
      expect(r.body.detail).to.contain('mem_used{instance_id="i-zzz"}');
    });

    it('more than 10 matching series is a 422 asking for narrower labels', async () => {
      const history = `${minimumHistory('auto', 3600, 1)}h`;
      const r = await app.as(a.token).get(`${PATH}?metric=many&step=1h&history=${history}&horizon=1h`).expect(422);
      expect(r.body.code).to.equal('TooManySeries');
      expect(r.body.detail).to.contain('11 series');
      expect(pointers(r.body)).to.deep.equal(['labels']);
    });
  });

  describe('tenancy and IAM', () => {
    it("another user's series are invisible (a 404), the admin's view holds them", async () => {
      const r = await app.as(b.token).get(`${PATH}?metric=mem_used&horizon=6h`).expect(404);
      expect(r.body.code).to.equal('NoSeries');
      const admin = await app.admin.get(`${PATH}?metric=mem_used&horizon=6h&model=seasonal_naive`).expect(200);
      expect(admin.body.series.map((s: { labels: { owner: string } }) => s.labels.owner)).to.deep.equal([a.id]);
    });

    it('a policy denying ai:GetPredictions is a 403 naming the action, and is audited', async () => {
      const u = await newUser(app, 'predict-denied');
      const policy = await app.admin
        .post('/api/security/policies')
        .send({
          name: 'no-predictions',
          document: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'ai:GetPredictions', Resource: '*' }],
          },
        })
        .expect(201);
      await app.admin.post(`/api/security/users/${u.id}/policies`).send({ policy_id: policy.body.id }).expect(201);
      const r = await app.as(u.token).get(`${PATH}?metric=mem_used`).expect(403);
      expect(r.body).to.include({ code: 'AccessDenied', action: 'ai:GetPredictions' });
      const audit = await app.admin
        .get(`/api/security/audit-logs?user_id=${u.id}&action=ai:GetPredictions`)
        .expect(200);
      expect(audit.body.items.map((i: { status: string }) => i.status)).to.deep.equal(['failure']);
    });
  });
});
