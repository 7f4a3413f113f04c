// The metrics query cache in Redis (REDIS_URL): a real redis-server on a loopback port, two API replicas on one
// database sharing it. An answer cached by one replica is what the other serves, under the seed's key
// `metrics:{resource_id}:{duration}`, until 5 minutes of platform time have passed.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { advanceClock, eventually, newUser, startApp, type TestApp } from '../../support/app.js';
import { freePort } from '../../support/process.js';

const BASE = '/api/monitoring/metrics';

describe('monitoring: the metrics cache in Redis', function () {
  this.timeout(60_000);
  let server: ChildProcess;
  let redis: Redis;
  let one: TestApp;
  let two: TestApp;
  let user: { id: string; token: string };

  before(async () => {
    const port = await freePort();
    server = spawn(
      '/usr/bin/redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
    redis.on('error', () => {}); // refused until the server listens
    await eventually(
      () =>
        redis.connect().then(
          () => true,
          () => false,
        ),
      'redis-server to listen',
    );
    const env = { ATONIX_CLOCK: 'manual', REDIS_URL: `redis://127.0.0.1:${port}` };
    one = await startApp(env);
    two = await startApp(env, one.databaseUrl);
    user = await newUser(one, 'cached');
  });
  after(async () => {
    await two?.close();
    await one?.close();
    redis?.disconnect();
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
  });

  it("serves one replica's cached answer from the other until it expires by the platform clock", async () => {
    // One platform time on both replicas (each manual clock started at its own start): set on one, signalled to two.
    const clockOf = async (app: TestApp) => Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
    const t = Math.max(await clockOf(one), await clockOf(two)) + 1000;
    await one.admin
      .post('/api/admin/clock')
      .send({ now: new Date(t).toISOString() })
      .expect(200);
    await eventually(async () => (await clockOf(two)) === t, 'the second replica clock to follow');
    const write = (value: number) =>
      one
        .as(user.token)
        .post(BASE)
        .send({ points: [{ name: 'disk_pct', labels: { resource_id: 'vol-9' }, value, timestamp: t - 1000 }] })
        .expect(204);
    const q = `${BASE}?name=disk_pct&labels=resource_id=vol-9&start=${t - 3600_000}&stat=max`;
    await write(10);
    const first = (await one.as(user.token).get(q).expect(200)).body;
    expect(first.cached).to.equal(false);
    expect(first.series[0].points[0].max).to.equal(10);
    const keys = await redis.keys('metrics:vol-9:*');
    expect(keys).to.have.length(1);
    expect(keys[0]).to.match(/^metrics:vol-9:3600s:/);

    await write(50); // overwrites the sample: a fresh computation would answer 50
    const fromOther = (await two.as(user.token).get(q).expect(200)).body;
    expect(fromOther.cached).to.equal(true);
    expect(fromOther.series[0].points[0].max).to.equal(10);

    // Both replicas' clocks move (the move reaches the other through the event bus).
    await advanceClock(one, 301);
    await eventually(async () => (await clockOf(two)) >= t + 301_000, 'the second replica clock to move');
    const after = (await two.as(user.token).get(q).expect(200)).body;
    expect(after.cached).to.equal(false);
    expect(after.series[0].points[0].max).to.equal(50);
  });
});
