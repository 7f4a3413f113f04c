// Invalidations: CloudFront's path rules, caller_reference idempotency, and completion only once every live edge
// has acknowledged (through the invalidation bus the edges use); a dead edge (no heartbeat on the platform clock)
// is not waited on.
import { expect } from 'chai';
import {
  acknowledge,
  announcesInvalidation,
  EDGE_LIVE_SECONDS,
  heartbeat,
  leave,
  pendingInvalidations,
  waitingOn,
} from '../../../api/src/cdn/invalidation-bus.js';
import type { ChangeEvent } from '../../../api/src/platform/events/bus.js';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';

describe('cdn: invalidations', function () {
  this.timeout(30_000);
  let app: TestApp;
  let alice: TestApp['admin'];
  let bob: TestApp['admin'];
  let dist: string;
  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    alice = app.as((await newUser(app, 'ci-alice')).token);
    bob = app.as((await newUser(app, 'ci-bob')).token);
    const d = await alice
      .post('/api/networking/cdn/distributions')
      .send({
        name: 'inv',
        origins: [{ id: 'o', url: 'http://127.0.0.1:9' }],
        default_cache_behavior: { target_origin_id: 'o', cache_policy_id: 'cp-cachingoptimized' },
      })
      .expect(202);
    dist = d.body.id;
  });
  after(async () => {
    await leave(app.platform.db, 'edge-test-a');
    await leave(app.platform.db, 'edge-test-b');
    await app.close();
  });
  const create = (body: object, as = alice, id = dist) =>
    as.post(`/api/networking/cdn/distributions/${id}/invalidations`).send(body);
  const completed = (id: string) =>
    eventually(async () => {
      const r = await alice.get(`/api/networking/cdn/invalidations/${id}`).expect(200);
      return r.body.status === 'completed' && r.body;
    }, `${id} completed`);
  let ref = 0;
  const nextRef = () => `ref-${++ref}`;

  describe('createCdnInvalidation', () => {
    it('refuses paths without a leading / or with * before the end, pointing at the path', async () => {
      for (const [paths, pointer] of [
        [['/ok', 'no-slash'], '/paths/1'],
        [['/a*b'], '/paths/0'],
        [['/*/x'], '/paths/0'],
      ] as const) {
        const r = await create({ paths, caller_reference: nextRef() });
        expect(r.status, JSON.stringify(r.body)).to.equal(422);
        expect(r.body.errors[0]).to.include({ pointer, code: 'InvalidPath' });
      }
      const many = await create({
        paths: Array.from({ length: 3001 }, (_, i) => `/p${i}`),
        caller_reference: nextRef(),
      });
      expect(many.status).to.equal(422);
      expect(many.body.errors[0].pointer).to.equal('/paths');
      await create({ paths: Array.from({ length: 3000 }, (_, i) => `/p${i}`), caller_reference: nextRef() }).expect(
        202,
      );
    });

    it('completes at once when no edge is alive', async () => {
      const r = await create({ paths: ['/*'], caller_reference: nextRef() }).expect(202);
      expect(r.body).to.include({ status: 'in_progress', distribution_id: dist });
      expect((await completed(r.body.id)).paths).to.deep.equal(['/*']);
    });

    it('answers the first invalidation for a repeated caller_reference, and 409 for other paths', async () => {
      const ref1 = nextRef();
      const a = await create({ paths: ['/a', '/b'], caller_reference: ref1 }).expect(202);
      const b = await create({ paths: ['/b', '/a'], caller_reference: ref1 }).expect(202);
      expect(b.body.id).to.equal(a.body.id);
      const c = await create({ paths: ['/c'], caller_reference: ref1 });
      expect(c.status).to.equal(409);
      expect(c.body.errors[0]).to.include({ pointer: '/caller_reference', code: 'InvalidationBatchAlreadyExists' });
      expect(c.body.conflicts_with).to.equal(a.body.id);
    });

    it("is a 404 on another owner's distribution", async () => {
      const r = await create({ paths: ['/x'], caller_reference: nextRef() }, bob);
      expect(r.status).to.equal(404);
    });
  });

  describe('completion through the edges', () => {
    it('waits for every live edge to acknowledge; a dead edge is not waited on', async () => {
      const { db, clock, events } = app.platform;
      const heard: ChangeEvent[] = [];
      const stop = events.subscribe((ev) => announcesInvalidation(ev) && heard.push(ev));
      await heartbeat(db, clock, 'edge-test-a');
      await heartbeat(db, clock, 'edge-test-b');
      const r = await create({ paths: ['/img/*'], caller_reference: nextRef() }).expect(202);
      await eventually(async () => heard.some((e) => e.id === r.body.id), 'the created event');
      stop();
      const pending = await pendingInvalidations(db, 'edge-test-a');
      expect(pending.map((p) => p.id)).to.include(r.body.id);
      expect(pending.find((p) => p.id === r.body.id)).to.deep.equal({
        id: r.body.id,
        distribution_id: dist,
        paths: ['/img/*'],
      });
      await acknowledge(db, clock, r.body.id, 'edge-test-a');
      // the app's own edge (cdn/edge/sync.ts) is live too: it acknowledges as soon as it hears the event
      await eventually(
        async () => (await waitingOn(db, clock, r.body.id)).join() === 'edge-test-b',
        'only b waited on',
      );
      expect((await alice.get(`/api/networking/cdn/invalidations/${r.body.id}`).expect(200)).body.status).to.equal(
        'in_progress',
      );
      expect((await pendingInvalidations(db, 'edge-test-a')).map((p) => p.id)).to.not.include(r.body.id);
      // edge b stops heartbeating: once it is past EDGE_LIVE_SECONDS the invalidation no longer waits for it.
      await heartbeat(db, clock, 'edge-test-a');
      await advanceClock(app, EDGE_LIVE_SECONDS + 1);
      await heartbeat(db, clock, 'edge-test-a');
      await completed(r.body.id);
    });

    it('completes when the last live edge acknowledges', async () => {
      const { db, clock } = app.platform;
      await heartbeat(db, clock, 'edge-test-a');
      const r = await create({ paths: ['/index.html'], caller_reference: nextRef() }).expect(202);
      await eventually(
        async () => (await waitingOn(db, clock, r.body.id)).join() === 'edge-test-a',
        'only a waited on',
      );
      await acknowledge(db, clock, r.body.id, 'edge-test-a');
      expect((await alice.get(`/api/networking/cdn/invalidations/${r.body.id}`).expect(200)).body.status).to.equal(
        'completed',
      );
    });
  });

  describe('getCdnDistributionInvalidation', () => {
    it('reads an invalidation under its own distribution only', async () => {
      const r = await create({ paths: ['/one'], caller_reference: nextRef() }).expect(202);
      const got = await alice.get(`/api/networking/cdn/distributions/${dist}/invalidations/${r.body.id}`).expect(200);
      expect(got.body).to.include({ id: r.body.id, distribution_id: dist });
      const other = await alice
        .post('/api/networking/cdn/distributions')
        .send({
          name: 'other',
          origins: [{ id: 'o', url: 'http://127.0.0.1:9' }],
          default_cache_behavior: { target_origin_id: 'o', cache_policy_id: 'cp-cachingoptimized' },
        })
        .expect(202);
      const wrong = await alice.get(`/api/networking/cdn/distributions/${other.body.id}/invalidations/${r.body.id}`);
      expect(wrong.status).to.equal(404);
      await bob.get(`/api/networking/cdn/distributions/${dist}/invalidations/${r.body.id}`).expect(404);
    });
  });

  describe('listing', () => {
    it("lists a distribution's invalidations, and filters the whole list by distribution and status", async () => {
      const under = await alice.get(`/api/networking/cdn/distributions/${dist}/invalidations?limit=100`).expect(200);
      expect(under.body.items.length).to.be.greaterThan(3);
      expect(under.body.items.every((i: any) => i.distribution_id === dist)).to.equal(true);
      const done = await alice
        .get(`/api/networking/cdn/invalidations?distribution_id=${dist}&status=completed`)
        .expect(200);
      expect(done.body.items.length).to.be.greaterThan(0);
      expect(done.body.items.every((i: any) => i.status === 'completed')).to.equal(true);
      await bob.get(`/api/networking/cdn/distributions/${dist}/invalidations`).expect(404);
      expect((await bob.get('/api/networking/cdn/invalidations').expect(200)).body.items).to.deep.equal([]);
    });
  });
});
