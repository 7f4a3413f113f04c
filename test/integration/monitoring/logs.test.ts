// Logs: pushing batches (all or none, pointers per problem), reading them back with every filter, full text with
// stemming, keyset cursors that hold while lines are added, and tenancy (a user reads their own; the admin all).
import { expect } from 'chai';
import { newUser, startApp, type TestApp } from '../../support/app.js';

type Agent = TestApp['admin'];
const LOGS = '/api/monitoring/logs';

describe('monitoring: logs', function () {
  this.timeout(60_000);
  let app: TestApp;
  let alice: Agent;
  let bob: Agent;
  let aliceId: string;
  let bobId: string;
  const T0 = Date.parse('2026-12-01T10:00:00Z');
  const at = (s: number) => new Date(T0 + s * 1000).toISOString();

  before(async () => {
    app = await startApp();
    const a = await newUser(app, 'alice');
    const b = await newUser(app, 'bob');
    ({ id: aliceId } = a);
    ({ id: bobId } = b);
    alice = app.as(a.token);
    bob = app.as(b.token);
    await alice
      .post(LOGS)
      .send({
        entries: [
          { time: at(1), level: 'debug', message: 'cache warmed', resource_id: 'inst-a', kind: 'instance' },
          {
            time: at(2),
            level: 'info',
            source: 'web',
            message: 'GET /health answered',
            resource_id: 'inst-a',
            kind: 'instance',
            fields: { http: { status: 200, method: 'GET' } },
          },
          {
            time: at(3),
            level: 'error',
            source: 'web',
            message: 'the upstream connection failed',
            resource_id: 'inst-b',
            kind: 'instance',
            fields: { http: { status: 500, method: 'POST' }, 'user.name': 'carol' },
          },
          { time: at(4), level: 'fatal', message: 'out of memory, restarting', resource_id: 'vol-c', kind: 'volume' },
          { time: at(5), level: 'warn', message: 'disk nearly full', fields: { mount: '/var', percent: 93 } },
        ],
      })
      .expect(201, { written: 5 });
    await bob
      .post(LOGS)
      .send({ entries: [{ time: at(3), level: 'error', message: "bob's own failure", resource_id: 'inst-a' }] })
      .expect(201);
  });
  after(() => app.close());

  /** The messages of a query, within the pushed lines' minute unless it says otherwise (audit lines come at now). */
  const messages = async (query: string, as: Agent = alice) =>
    (await as.get(`${LOGS}?${query}${query.includes('end=') ? '' : `&end=${at(60)}`}`).expect(200)).body.items.map(
      (l: any) => l.message,
    );

  describe('putLogEntries', () => {
    it('stores a line with its defaults: level info, source user, the owner and a microsecond time', async () => {
      const u = await newUser(app, 'dora');
      const dora = app.as(u.token);
      await dora
        .post(LOGS)
        .send({ entries: [{ message: 'hello', time: '2026-12-01T10:00:00.123456Z' }] })
        .expect(201);
      const [line] = (await dora.get(LOGS).expect(200)).body.items;
      expect(line).to.include({
        owner: u.id,
        level: 'info',
        source: 'user',
        message: 'hello',
        resource_id: null,
        kind: null,
        time: '2026-12-01T10:00:00.123456Z',
      });
      expect(line.fields).to.deep.equal({});
      expect(line.id).to.match(/^\d+$/);
    });

    it('refuses a batch with bad entries as a whole, naming each one by pointer', async () => {
      const r = await alice
        .post(LOGS)
        .send({
          entries: [
            { message: 'fine' },
            { message: 'bad level', level: 'loud' },
            { message: 'posing as the platform', source: 'audit' },
            { message: 'from the future', time: new Date(Date.now() + 3 * 86_400_000).toISOString() },
            { message: 'huge fields', fields: { blob: 'x'.repeat(17 * 1024) } },
          ],
        })
        .expect(422);
      expect(r.headers['content-type']).to.match(/problem\+json/);
      const pointers = r.body.errors.map((e: any) => e.pointer);
      expect(pointers).to.include('/entries/1/level');
      const second = await alice
        .post(LOGS)
        .send({
          entries: [
            { message: 'fine' },
            { message: 'posing as the platform', source: 'audit' },
            { message: 'from the future', time: new Date(Date.now() + 3 * 86_400_000).toISOString() },
            { message: 'huge fields', fields: { blob: 'x'.repeat(17 * 1024) } },
          ],
        })
        .expect(422);
      expect(second.body.errors.map((e: any) => e.pointer)).to.deep.equal([
        '/entries/1/source',
        '/entries/2/time',
        '/entries/3/fields',
      ]);
      expect(await messages('q=fine')).to.deep.equal([]);
    });

    it('takes 1,000 lines in one batch and refuses 1,001', async () => {
      const entries = Array.from({ length: 1000 }, (_, i) => ({ message: `bulk line ${i}`, source: 'bulk' }));
      const u = await newUser(app, 'bulk');
      const who = app.as(u.token);
      await who.post(LOGS).send({ entries }).expect(201, { written: 1000 });
      const r = await who
        .post(LOGS)
        .send({ entries: [...entries, { message: 'one too many' }] })
        .expect(422);
      expect(r.body.errors[0].pointer).to.equal('/entries');
    });
  });

  describe('listLogEntries', () => {
    it('answers newest first', async () => {
      expect(await messages('start=' + at(0))).to.deep.equal([
        'disk nearly full',
        'out of memory, restarting',
        'the upstream connection failed',
        'GET /health answered',
        'cache warmed',
      ]);
    });

    it('filters by resource, kind, source and time', async () => {
      expect(await messages('resource_id=inst-a')).to.deep.equal(['GET /health answered', 'cache warmed']);
      expect(await messages('kind=volume')).to.deep.equal(['out of memory, restarting']);
      expect(await messages('source=web')).to.deep.equal(['the upstream connection failed', 'GET /health answered']);
      expect(await messages(`start=${at(2)}&end=${at(4)}`)).to.deep.equal([
        'the upstream connection failed',
        'GET /health answered',
      ]);
    });

    it('filters by a least level', async () => {
      expect(await messages(`level=error&start=${at(0)}`)).to.deep.equal([
        'out of memory, restarting',
        'the upstream connection failed',
      ]);
      expect(await messages(`level=warn&start=${at(0)}`)).to.have.length(3);
      expect(await messages(`level=trace&start=${at(0)}`)).to.have.length(5);
    });

    it('filters by fields: nested paths, keys with dots, several at once, numbers as text', async () => {
      expect(await messages('fields=http.status:500')).to.deep.equal(['the upstream connection failed']);
      expect(await messages('fields=http.method:GET')).to.deep.equal(['GET /health answered']);
      expect(await messages('fields=user.name:carol')).to.deep.equal(['the upstream connection failed']);
      expect(await messages('fields=http.status:500,http.method:GET')).to.deep.equal([]);
      expect(await messages('fields=mount:/var,percent:93')).to.deep.equal(['disk nearly full']);
      const r = await alice.get(`${LOGS}?fields=nonsense`).expect(400);
      expect(r.body.errors[0]).to.include({ pointer: 'fields', code: 'InvalidFieldFilter' });
    });

    it('searches full text over message and field values, with English stemming', async () => {
      expect(await messages('q=failing')).to.deep.equal(['the upstream connection failed']);
      expect(await messages('q=restart')).to.deep.equal(['out of memory, restarting']);
      expect(await messages('q=carol')).to.deep.equal(['the upstream connection failed']);
      expect(await messages('q=' + encodeURIComponent('"nearly full"'))).to.deep.equal(['disk nearly full']);
      expect(await messages('q=' + encodeURIComponent('memory or cache'))).to.deep.equal([
        'out of memory, restarting',
        'cache warmed',
      ]);
      expect(await messages('q=' + encodeURIComponent('connection -upstream'))).to.deep.equal([]);
    });

    it('pages with cursors that hold while lines are added in between', async () => {
      const u = await newUser(app, 'pager');
      const who = app.as(u.token);
      const push = (from: number, n: number, s: number) =>
        who
          .post(LOGS)
          .send({
            entries: Array.from({ length: n }, (_, i) => ({ time: at(s), message: `line ${from + i}` })),
          })
          .expect(201);
      // Ten lines sharing one timestamp: the id breaks the tie, so no line is lost or doubled between pages.
      await push(0, 10, 100);
      const seen: string[] = [];
      let r = await who.get(`${LOGS}?limit=4`).expect(200);
      seen.push(...r.body.items.map((l: any) => l.message));
      await push(10, 3, 200); // newer: before the first page, never in a later one
      await push(13, 2, 50); // older: still ahead of the cursor, so found on a later page
      while (r.body.next_cursor) {
        r = await who.get(`${LOGS}?limit=4&cursor=${r.body.next_cursor}`).expect(200);
        seen.push(...r.body.items.map((l: any) => l.message));
      }
      expect(seen).to.have.length(12);
      expect(new Set(seen).size).to.equal(12);
      expect(seen.slice(0, 10).sort()).to.deep.equal(Array.from({ length: 10 }, (_, i) => `line ${i}`).sort());
      expect(seen.slice(10).sort()).to.deep.equal(['line 13', 'line 14']);
      await who.get(`${LOGS}?cursor=bm9wZQ`).expect(400);
    });

    it('confines a user to their own lines; the admin reads all, or one owner', async () => {
      expect(await messages('resource_id=inst-a', bob)).to.deep.equal(["bob's own failure"]);
      const all = await messages('resource_id=inst-a', app.admin);
      expect(all).to.include.members(["bob's own failure", 'GET /health answered', 'cache warmed']);
      expect(await messages(`resource_id=inst-a&owner=${bobId}`, app.admin)).to.deep.equal(["bob's own failure"]);
      const r = await bob.get(`${LOGS}?owner=${aliceId}`).expect(400);
      expect(r.body.errors[0]).to.include({ pointer: 'owner' });
      expect(await messages(`owner=${bobId}&resource_id=inst-a`, bob)).to.have.length(1);
    });

    it('refuses a bad level or an unknown parameter by name', async () => {
      const r = await alice.get(`${LOGS}?level=loud`).expect(400);
      expect(r.body.errors[0].pointer).to.equal('level');
      const u = await alice.get(`${LOGS}?resource=inst-a`).expect(400);
      expect(u.body.errors[0]).to.include({ pointer: 'resource', code: 'UnknownParameter' });
    });
  });

  describe('log settings', () => {
    it("reads the default retention until set, then the owner's own", async () => {
      expect((await alice.get(`${LOGS}/settings`).expect(200)).body).to.deep.equal({ retention_days: 30 });
      await alice.put(`${LOGS}/settings`).send({ retention_days: 7 }).expect(200, { retention_days: 7 });
      expect((await alice.get(`${LOGS}/settings`).expect(200)).body).to.deep.equal({ retention_days: 7 });
      expect((await bob.get(`${LOGS}/settings`).expect(200)).body).to.deep.equal({ retention_days: 30 });
      const r = await alice.put(`${LOGS}/settings`).send({ retention_days: 0 }).expect(422);
      expect(r.body.errors[0].pointer).to.equal('/retention_days');
      const p = await alice.get(`${LOGS}/settings?owner=x`).expect(400);
      expect(p.body.errors[0]).to.include({ pointer: 'owner', code: 'UnknownParameter' });
    });
  });
});
