// Dashboards on the real app: every operation, the layout, query and time-range rules (each refusal named by its
// pointer), and the Overview every user is given once: at creation, at start for users who have none, never again
// once deleted; a user's dashboards go with the user.
import { expect } from 'chai';
import { newUser, stackSettled, startApp, type TestApp } from '../../support/app.js';
import { newId } from '../../../api/src/platform/resources/ids.js';

const BASE = '/api/monitoring/dashboards';
type Agent = TestApp['admin'];

const panel = (x: number, y: number, w: number, h: number, extra: Record<string, unknown> = {}) => ({
  type: 'timeseries',
  title: `at ${x},${y}`,
  queries: [{ expr: 'rate(http_requests_total[5m])', legend: '{{code}}' }],
  grid_pos: { x, y, w, h },
  ...extra,
});

/** The refusal's field errors as [pointer, code]. */
async function refused(req: ReturnType<Agent['post']>, body: object) {
  const r = await req.send(body);
  expect(r.status, JSON.stringify(r.body)).to.equal(422);
  expect(r.headers['content-type']).to.match(/application\/problem\+json/);
  return r.body.errors.map((e: { pointer: string; code: string }) => [e.pointer, e.code]);
}

describe('monitoring: dashboards', () => {
  let app: TestApp;
  let user: { id: string; token: string };
  let as: Agent;
  before(async () => {
    app = await startApp();
    user = await newUser(app, 'dash-owner');
    as = app.as(user.token);
  });
  after(() => app.close());

  describe('createDashboard, getDashboard, listDashboards', () => {
    it('creates with the defaults filled and keeps the panels exactly as sent', async () => {
      const panels = [panel(0, 0, 12, 8), panel(12, 0, 12, 8, { type: 'stat', reduction: 'max', unit: 'bytes' })];
      const r = await as.post(BASE).send({ name: 'web', panels }).expect(201);
      expect(r.headers.location).to.equal(`${BASE}/${r.body.id}`);
      expect(r.body).to.include({ name: 'web', description: '', refresh: 'off', owner: user.id });
      expect(r.body.id).to.match(/^dsh-/);
      expect(r.body.time_range).to.deep.equal({ from: 'now-6h', to: 'now' });
      expect(r.body.tags).to.deep.equal([]);
      expect(r.body.panels).to.deep.equal(panels);
      const got = await as.get(`${BASE}/${r.body.id}`).expect(200);
      expect(got.body).to.deep.equal(r.body);
      expect(got.headers.etag).to.equal(r.body.etag);
    });

    it("lists by exact name, and only the caller's own", async () => {
      await as
        .post(BASE)
        .send({ name: 'listed', tags: ['team-a'] })
        .expect(201);
      const mine = (await as.get(`${BASE}?name=listed`).expect(200)).body.items;
      expect(mine.map((d: { name: string }) => d.name)).to.deep.equal(['listed']);
      const other = await newUser(app, 'dash-stranger');
      const theirs = (await app.as(other.token).get(`${BASE}?name=listed`).expect(200)).body.items;
      expect(theirs).to.deep.equal([]);
    });

    it('accepts RFC 3339 ends and every relative unit', async () => {
      for (const time_range of [
        { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00+02:00' },
        { from: 'now-2w', to: 'now-30s' },
        { from: '2026-01-01T00:00:00Z', to: 'now' },
      ])
        await as.post(BASE).send({ name: 'ranges', time_range }).expect(201);
    });
  });

  describe('what a create refuses (422, named by pointer)', () => {
    it('a panel past the 24th column', async () => {
      expect(await refused(as.post(BASE), { name: 'x', panels: [panel(16, 0, 12, 4)] })).to.deep.equal([
        ['/panels/0/grid_pos/w', 'OutsideGrid'],
      ]);
    });

    it('overlapping panels, naming the later one and the panel it overlaps', async () => {
      const r = await as.post(BASE).send({ name: 'x', panels: [panel(0, 0, 12, 8), panel(6, 4, 12, 8)] });
      expect(r.status).to.equal(422);
      expect(r.body.errors).to.deep.equal([
        { pointer: '/panels/1/grid_pos', detail: 'overlaps panel 0 ("at 0,0")', code: 'PanelsOverlap' },
      ]);
      // Touching edges is not overlapping.
      await as
        .post(BASE)
        .send({ name: 'x', panels: [panel(0, 0, 12, 8), panel(12, 0, 12, 8), panel(0, 8, 24, 2)] })
        .expect(201);
    });

    it('PromQL that does not parse, or that the engine does not evaluate, naming the query', async () => {
      const bad = { ...panel(0, 0, 6, 4), queries: [{ expr: 'up' }, { expr: 'rate(http_requests_total[5m' }] };
      const unsupported = { ...panel(6, 0, 6, 4), queries: [{ expr: 'max_over_time(rate(x[5m])[1h:1m])' }] };
      const r = await as.post(BASE).send({ name: 'x', panels: [bad, unsupported] });
      expect(r.status).to.equal(422);
      expect(r.body.errors.map((e: { pointer: string }) => e.pointer)).to.deep.equal([
        '/panels/0/queries/1/expr',
        '/panels/1/queries/0/expr',
      ]);
      expect(r.body.errors[1].detail).to.match(/subquery/);
    });

    it('a reduction on a panel that is not a stat', async () => {
      expect(
        await refused(as.post(BASE), { name: 'x', panels: [panel(0, 0, 6, 4, { reduction: 'mean' })] }),
      ).to.deep.equal([['/panels/0/reduction', 'InvalidValue']]);
    });

    it('a time range end of another form, or a start not before its end', async () => {
      expect(await refused(as.post(BASE), { name: 'x', time_range: { from: 'yesterday', to: 'now' } })).to.deep.equal([
        ['/time_range/from', 'InvalidTimeRange'],
      ]);
      expect(await refused(as.post(BASE), { name: 'x', time_range: { from: 'now-1h', to: 'now-2h' } })).to.deep.equal([
        ['/time_range/from', 'InvalidTimeRange'],
      ]);
      expect(await refused(as.post(BASE), { name: 'x', time_range: { from: 'now', to: 'now' } })).to.have.length(1);
    });

    it('what the schema refuses: a panel type, an empty query list, a grid place out of range', async () => {
      const r = await as.post(BASE).send({
        name: 'x',
        panels: [{ ...panel(0, 0, 6, 4), type: 'heatmap' }, { ...panel(6, 0, 6, 4), queries: [] }, panel(0, 4, 0, 4)],
      });
      expect(r.status).to.equal(422);
      const pointers = r.body.errors.map((e: { pointer: string }) => e.pointer);
      expect(pointers).to.include.members(['/panels/0/type', '/panels/1/queries', '/panels/2/grid_pos/w']);
    });
  });

  describe('updateDashboard', () => {
    it('merges a patch, replaces the panels whole, and refuses what the rules refuse, changing nothing', async () => {
      const d = (
        await as
          .post(BASE)
          .send({ name: 'patched', panels: [panel(0, 0, 12, 8)] })
          .expect(201)
      ).body;
      const r = await as
        .patch(`${BASE}/${d.id}`)
        .set('If-Match', d.etag)
        .send({ time_range: { from: 'now-24h', to: 'now' }, refresh: '30s', panels: [panel(0, 0, 24, 8)] })
        .expect(200);
      expect(r.body).to.include({ name: 'patched', refresh: '30s' });
      expect(r.body.time_range).to.deep.equal({ from: 'now-24h', to: 'now' });
      expect(r.body.panels).to.deep.equal([panel(0, 0, 24, 8)]);
      expect(
        await refused(as.patch(`${BASE}/${d.id}`), { panels: [panel(0, 0, 24, 8), panel(0, 7, 6, 2)] }),
      ).to.deep.equal([['/panels/1/grid_pos', 'PanelsOverlap']]);
      expect(await refused(as.patch(`${BASE}/${d.id}`), { time_range: { from: 'now', to: 'now-2d' } })).to.deep.equal([
        ['/time_range/from', 'InvalidTimeRange'],
      ]);
      const after = (await as.get(`${BASE}/${d.id}`).expect(200)).body;
      expect(after).to.deep.equal(r.body);
    });

    it('resets a field sent as null to its default', async () => {
      const d = (
        await as
          .post(BASE)
          .send({ name: 'reset', refresh: '10s', tags: ['a'] })
          .expect(201)
      ).body;
      const r = await as.patch(`${BASE}/${d.id}`).send({ refresh: null, tags: null }).expect(200);
      expect(r.body).to.include({ refresh: 'off' });
      expect(r.body.tags).to.deep.equal([]);
    });
  });

  describe('deleteDashboard', () => {
    it('deletes; the dashboard is then a 404', async () => {
      const d = (await as.post(BASE).send({ name: 'gone' }).expect(201)).body;
      await as.delete(`${BASE}/${d.id}`).expect(204);
      const r = await as.get(`${BASE}/${d.id}`).expect(404);
      expect(r.body.code).to.equal('NotFound');
    });
  });

  describe('in a stack', () => {
    it('is deployed by the stack engine from a native template, and deleted with the stack', async () => {
      const template = {
        Resources: {
          Board: {
            Type: 'Atonix::Monitoring::Dashboard',
            Properties: { name: 'from-stack', refresh: '10s', panels: [panel(0, 0, 24, 6)] },
          },
        },
      };
      const r = await as.post('/api/automation/stacks').send({ name: 'boards', template }).expect(202);
      const done = await stackSettled(as, r.body.id);
      expect(done.status, done.status_reason).to.equal('create_complete');
      const [res] = (await as.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
      const board = (await as.get(`${BASE}/${res.physical_id}`).expect(200)).body;
      expect(board).to.include({ name: 'from-stack', refresh: '10s', owner: user.id });
      expect(board.panels).to.deep.equal([panel(0, 0, 24, 6)]);
      await as.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
      expect((await stackSettled(as, r.body.id)).status).to.equal('gone');
      await as.get(`${BASE}/${res.physical_id}`).expect(404);
    });

    it('takes the panels as JSON text from Terraform JSON (what CDKTF synthesizes), and a re-apply changes nothing', async () => {
      const panels = [panel(0, 0, 12, 6), panel(12, 0, 12, 6)];
      const template = {
        resource: { atonix_dashboard: { ops: { name: 'synthesized', panels: JSON.stringify(panels) } } },
      };
      const r = await as.post('/api/automation/stacks').send({ name: 'cdktf-boards', template }).expect(202);
      expect((await stackSettled(as, r.body.id)).status).to.equal('create_complete');
      const [res] = (await as.get(`/api/automation/stacks/${r.body.id}/resources`).expect(200)).body.items;
      const board = (await as.get(`${BASE}/${res.physical_id}`).expect(200)).body;
      expect(board.panels).to.deep.equal(panels);
      const again = await as.patch(`/api/automation/stacks/${r.body.id}`).send({ template }).expect(200);
      expect(again.body.status).to.equal('create_complete');
      expect((await as.get(`${BASE}/${res.physical_id}`).expect(200)).body.etag).to.equal(board.etag);
      await as.delete(`/api/automation/stacks/${r.body.id}`).expect(202);
      expect((await stackSettled(as, r.body.id)).status).to.equal('gone');
    });
  });

  describe('the Overview', () => {
    it('is given to a new user: their traffic, latency, instances and buckets, with queries the rules accept', async () => {
      const fresh = await newUser(app, 'dash-fresh');
      const mine = (await app.as(fresh.token).get(`${BASE}?name=Overview`).expect(200)).body.items;
      expect(mine).to.have.length(1);
      const o = mine[0];
      expect(o).to.include({ owner: fresh.id, refresh: '1m' });
      expect(o.tags).to.deep.equal(['overview']);
      const exprs = o.panels.flatMap((p: { queries: { expr: string }[] }) => p.queries.map((q) => q.expr)).join('\n');
      for (const series of [
        'atonix_api_requests_total',
        'atonix_api_request_duration_seconds_bucket',
        'atonix_instance_cpu_utilization_percent',
        'atonix_bucket_size_bytes',
      ])
        expect(exprs).to.include(series);
      expect(new Set(o.panels.map((p: { type: string }) => p.type))).to.deep.equal(
        new Set(['stat', 'timeseries', 'table']),
      );
      // Its panels pass the same rules as anyone's.
      await app.as(fresh.token).post(BASE).send({ name: 'copy', panels: o.panels }).expect(201);
    });

    it('is given to the first admin at the first start', async () => {
      const mine = (await app.admin.get(`${BASE}?name=Overview&limit=1000`).expect(200)).body.items;
      const admin = await app.platform.db('users').where({ name: 'admin' }).first('id');
      expect(mine.filter((d: { owner: string }) => d.owner === admin.id)).to.have.length(1);
    });

    it('goes with its user (the user is deleted, not refused for owning dashboards)', async () => {
      const leaving = await newUser(app, 'dash-leaving');
      await app.as(leaving.token).post(BASE).send({ name: 'mine' }).expect(201);
      await app.admin.delete(`/api/security/users/${leaving.id}`).expect(204);
      expect(await app.platform.db('dashboards').where({ owner: leaving.id }).count()).to.deep.equal([{ count: 0 }]);
    });
  });
});

describe('monitoring: the Overview at start', () => {
  it('is given at start to users who never had one, once, and not again once deleted', async () => {
    let app = await startApp();
    const dbUrl = app.databaseUrl;
    // A user made before dashboards existed: a row with no Overview and no record of one.
    const oldId = newId('usr');
    await app.platform.db('users').insert({ id: oldId, name: 'from-before' });
    const kept = await newUser(app, 'dash-keeps');
    const dropper = await newUser(app, 'dash-drops');
    const dropped = (await app.as(dropper.token).get(`${BASE}?name=Overview`).expect(200)).body.items[0];
    await app.as(dropper.token).delete(`${BASE}/${dropped.id}`).expect(204);
    await app.close();

    for (let start = 0; start < 2; start++) {
      app = await startApp({}, dbUrl);
      const overviews = async (owner: string) =>
        (await app.platform.db('dashboards').where({ owner, name: 'Overview' }).count())[0]!.count;
      expect(await overviews(oldId), 'the user from before').to.equal(1);
      expect(await overviews(kept.id), 'a user given one at creation').to.equal(1);
      expect(await overviews(dropper.id), 'a user who deleted theirs').to.equal(0);
      await app.close();
    }
  });
});
