// The WebSocket stream at /api/events: a watcher sees its own instance go building -> running, nobody else's.
import { expect } from 'chai';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { ADMIN_TOKEN, catalogue, newUser, startApp, advanceClock, type TestApp } from '../../support/app.js';
import { watch } from '../../support/events.js';

describe('platform: real-time events over WebSocket', () => {
  let app: TestApp;
  before(async () => {
    app = await startApp({ ATONIX_PROVISION_DELAY_MS: '300', ATONIX_CLOCK: 'manual' });
  });
  after(() => app.close());

  it("streams created and status_changed for the caller's instance, and deleted", async () => {
    const { flavor, image } = await catalogue(app);
    const user = await newUser(app, 'watcher');
    const w = await watch(app.url, user.token, '?kinds=instance');
    const { id } = (
      await app
        .as(user.token)
        .post('/api/compute/instances')
        .send({ name: 'w', flavor_id: flavor.id, image_id: image.id })
        .expect(202)
    ).body;
    const created = await w.until((e) => e.id === id && e.type === 'created');
    expect(created).to.include({ kind: 'instance', status: 'building', owner: user.id });
    const changed = await w.until((e) => e.id === id && e.type === 'status_changed');
    expect(changed.status).to.equal('running');
    await app.as(user.token).delete(`/api/compute/instances/${id}`).expect(204);
    await w.until((e) => e.id === id && e.type === 'deleted');
    const mine = w.events.filter((e) => e.id === id).map((e) => `${e.type}:${e.status}`);
    expect(mine).to.deep.equal(['created:building', 'status_changed:running', 'deleted:running']);
    w.ws.close();
  });

  it("does not show one user another user's changes; the admin sees all", async () => {
    const { flavor, image } = await catalogue(app);
    const a = await newUser(app, 'ws-a');
    const b = await newUser(app, 'ws-b');
    const wa = await watch(app.url, a.token);
    const admin = await watch(app.url, ADMIN_TOKEN);
    const { id } = (
      await app
        .as(b.token)
        .post('/api/compute/instances')
        .send({ name: 'b', flavor_id: flavor.id, image_id: image.id })
        .expect(202)
    ).body;
    await admin.until((e) => e.id === id && e.type === 'status_changed');
    const own = (
      await app.as(a.token).post('/api/networking/vpcs').send({ name: 'a', cidr_block: '10.0.0.0/16' }).expect(202)
    ).body;
    await wa.until((e) => e.id === own.id && e.type === 'status_changed');
    expect(wa.events.some((e) => e.id === id)).to.equal(false);
    wa.ws.close();
    admin.ws.close();
  });

  describe('a stream lives only as long as its credentials', () => {
    const closed = (ws: WebSocket) =>
      new Promise<{ code: number; reason: string }>((ok) =>
        ws.on('close', (code, reason) => ok({ code, reason: String(reason) })),
      );
    const tokenFor = async (userId: string, body: object = {}) =>
      (
        await app.admin
          .post(`/api/security/users/${userId}/tokens`)
          .send({ name: 'ws', ...body })
          .expect(201)
      ).body;

    it('closes with 4401 "token revoked" when its token is revoked, also through another process', async () => {
      const user = await newUser(app, 'ws-revoked');
      const t = await tokenFor(user.id);
      const other = await startApp({}, app.databaseUrl); // a second API process on the same database
      try {
        const here = await watch(app.url, t.token);
        const there = await watch(other.url, t.token);
        const [a, b] = [closed(here.ws), closed(there.ws)];
        await app.admin.delete(`/api/security/users/${user.id}/tokens/${t.id}`).expect(204);
        expect(await a).to.deep.equal({ code: 4401, reason: 'token revoked' });
        expect(await b).to.deep.equal({ code: 4401, reason: 'token revoked' });
      } finally {
        await other.close();
      }
    });

    it('stays open for a token that expires months ahead (past the longest timer node has)', async () => {
      const user = await newUser(app, 'ws-long');
      const t = await tokenFor(user.id, {
        expires_at: new Date(app.platform.clock.now() + 90 * 86_400_000).toISOString(),
      });
      const w = await watch(app.url, t.token, '?kinds=vpc');
      await advanceClock(app, 30 * 86_400);
      const vpc = (
        await app.as(t.token).post('/api/networking/vpcs').send({ name: 'l', cidr_block: '10.0.0.0/16' }).expect(202)
      ).body;
      await w.until((e) => e.id === vpc.id && e.type === 'status_changed');
      expect(w.ws.readyState).to.equal(WebSocket.OPEN);
      w.ws.close();
    });

    it('closes with 4401 "token expired" when its token expires', async () => {
      const user = await newUser(app, 'ws-expiring');
      const t = await tokenFor(user.id, { expires_at: new Date(app.platform.clock.now() + 3_600_000).toISOString() });
      const w = await watch(app.url, t.token);
      const ended = closed(w.ws);
      await advanceClock(app, 3600);
      expect(await ended).to.deep.equal({ code: 4401, reason: 'token expired' });
    });
  });

  it('survives clients that reset their socket while their token is being looked up', async () => {
    const uncaught: unknown[] = [];
    const onError = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onError);
    try {
      const port = Number(new URL(app.url).port);
      for (let i = 0; i < 20; i++) {
        const s = connect(port, '127.0.0.1');
        await new Promise((r) => s.on('connect', r));
        s.write(
          'GET /api/events HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer atx_nope_${i}\r\n\r\n`,
        );
        await new Promise((r) => setImmediate(r));
        s.resetAndDestroy();
      }
      // The lookups those upgrades started have finished once later requests on the same pool have.
      for (let i = 0; i < 5; i++) await app.admin.get('/api/compute/flavors').expect(200);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(uncaught.map(String)).to.deep.equal([]);
  });

  it('limits upgrades with bad tokens by source address: 401 until its burst is spent, then 429', async () => {
    const limited = await startApp({ ATONIX_RATE_LIMIT_PER_SECOND: '1', ATONIX_RATE_LIMIT_BURST: '3' });
    try {
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) {
        const err = await watch(limited.url, `atx_bad_${i}`).then(
          () => null,
          (e: Error) => e,
        );
        statuses.push(/upgrade refused: (\d+)/.exec(err?.message ?? '')?.[1] ?? 'open');
      }
      expect(statuses).to.deep.equal(['401', '401', '401', '429', '429']);
    } finally {
      await limited.close();
    }
  });

  it('refuses the upgrade without a valid token', async () => {
    const err = await watch(app.url, 'atx_bad').then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/401/);
  });
});
