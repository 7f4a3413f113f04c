// Nothing lost: a kill -9 mid-build, and two API processes sharing one database and one job queue.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../support/app.js';
import { freshDatabase } from '../../support/postgres.js';
import { api, startApiProcess, type ApiProcess } from '../../support/process.js';

async function catalogueOf(url: string) {
  const flavor = (await api(url, 'GET', '/api/compute/flavors?name=t1.small')).body.items[0].id;
  const image = (await api(url, 'GET', '/api/compute/images?name=debian-12')).body.items[0].id;
  return { flavor, image };
}

async function allReady(url: string, ids: string[], timeoutMs = 30_000) {
  return eventually(
    async () => {
      const rows = await Promise.all(
        ids.map(async (id) => (await api(url, 'GET', `/api/compute/instances/${id}`)).body),
      );
      return rows.every((r) => r.status === 'running') && rows;
    },
    'every instance running',
    timeoutMs,
  );
}

describe('platform: durability', function () {
  this.timeout(120_000);
  const procs: ApiProcess[] = [];
  afterEach(async () => {
    for (const p of procs.splice(0)) await p.stop('SIGKILL');
  });

  it('after a kill -9 while instances build, a restart brings every one of them to running, once', async () => {
    const db = await freshDatabase();
    const first = await startApiProcess(db, { ATONIX_PROVISION_DELAY_MS: '1500' });
    procs.push(first);
    const { flavor, image } = await catalogueOf(first.url);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await api(first.url, 'POST', '/api/compute/instances', {
        name: `crash-${i}`,
        flavor_id: flavor,
        image_id: image,
      });
      expect(r.status).to.equal(202);
      ids.push(r.body.id);
    }
    await first.stop('SIGKILL');
    const second = await startApiProcess(db, { ATONIX_PROVISION_DELAY_MS: '1500' });
    procs.push(second);
    const before = (await api(second.url, 'GET', '/api/compute/instances?limit=100')).body.items;
    expect(before.filter((i: any) => ids.includes(i.id))).to.have.length(8);
    const rows = await allReady(second.url, ids);
    // rev 1 at create, rev 2 at placement: a second transition would show as r3.
    expect(rows.map((r: any) => r.etag)).to.deep.equal(ids.map(() => '"r2"'));
    const cap = (await api(second.url, 'GET', '/api/compute/capacity')).body;
    expect(cap.allocated.vcpus).to.equal(8);
  });

  it('serves the same data from two processes on one database and shares the jobs without double transitions', async () => {
    const db = await freshDatabase();
    const [a, b] = [
      await startApiProcess(db, { ATONIX_PROVISION_DELAY_MS: '200' }),
      await startApiProcess(db, { ATONIX_PROVISION_DELAY_MS: '200' }),
    ];
    procs.push(a, b);
    const { flavor, image } = await catalogueOf(a.url);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const via = i % 2 ? a : b;
      const r = await api(via.url, 'POST', '/api/compute/instances', {
        name: `pair-${i}`,
        flavor_id: flavor,
        image_id: image,
      });
      expect(r.status).to.equal(202);
      ids.push(r.body.id);
    }
    const seenByA = await allReady(a.url, ids);
    const seenByB = await allReady(b.url, ids);
    expect(seenByA.map((r: any) => r.etag)).to.deep.equal(ids.map(() => '"r2"'));
    expect(seenByB.map((r: any) => r.updated_at)).to.deep.equal(seenByA.map((r: any) => r.updated_at));
    const completed = async (p: ApiProcess) => {
      const m = await (await fetch(`${p.url}/metrics`)).text();
      return Number(/atonix_jobs_total\{queue="provision-instance",state="completed"\} (\d+)/.exec(m)?.[1] ?? 0);
    };
    expect((await completed(a)) + (await completed(b))).to.equal(20);
  });

  it('runs on the embedded PostgreSQL with no setup: admin token printed once, Ctrl-C stops all, rows survive, kill -9 too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atonix-embedded-'));
    try {
      const env = { DATABASE_URL: '', ATONIX_DATA_DIR: dir, ATONIX_ADMIN_TOKEN: '' };
      const first = await startApiProcess('', env);
      procs.push(first);
      const token = /Admin token \(shown once, store it now\): (atx_[a-z2-7]+)/.exec(first.output())?.[1];
      expect(token, first.output()).to.be.a('string');
      const call = (url: string, method: string, path: string, body?: unknown) =>
        fetch(`${url}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const created = await (
        await call(first.url, 'POST', '/api/networking/vpcs', { name: 'kept', cidr_block: '10.0.0.0/16' })
      ).json();
      const pgPid = Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      expect(await first.stop('SIGINT')).to.equal(0);
      expect(existsSync(join(dir, 'pg', 'postmaster.pid')), 'PostgreSQL stopped with the API').to.equal(false);
      expect(() => process.kill(pgPid, 0)).to.throw();

      const second = await startApiProcess('', env);
      procs.push(second);
      expect(second.output()).to.not.contain('Admin token');
      expect((await call(second.url, 'GET', `/api/networking/vpcs/${created.id}`)).status).to.equal(200);
      // A second API on the same data dir is refused, and the first one keeps its database.
      const clash = await startApiProcess('', env).then(
        () => 'started',
        (e: Error) => e.message,
      );
      expect(clash).to.match(/is in use by process \d+/);
      expect((await call(second.url, 'GET', `/api/networking/vpcs/${created.id}`)).status).to.equal(200);
      await second.stop('SIGKILL'); // leaves an orphaned postmaster holding the data dir
      const third = await startApiProcess('', env);
      procs.push(third);
      expect((await call(third.url, 'GET', `/api/networking/vpcs/${created.id}`)).status).to.equal(200);
      expect(await third.stop('SIGTERM')).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a worker-only process that answers probes and metrics, beside an API-only one', async () => {
    const db = await freshDatabase();
    const apiOnly = await startApiProcess(db, { ATONIX_ROLE: 'api', ATONIX_PROVISION_DELAY_MS: '0' });
    const worker = await startApiProcess(db, { ATONIX_ROLE: 'worker' });
    procs.push(apiOnly, worker);
    const { flavor, image } = await catalogueOf(apiOnly.url);
    const r = await api(apiOnly.url, 'POST', '/api/compute/instances', {
      name: 'split',
      flavor_id: flavor,
      image_id: image,
    });
    await allReady(apiOnly.url, [r.body.id]);
    expect((await fetch(`${worker.url}/healthz`)).status).to.equal(200);
    expect(await (await fetch(`${worker.url}/metrics`)).text()).to.match(
      /atonix_jobs_total\{queue="provision-instance",state="completed"\} 1/,
    );
    expect((await fetch(`${worker.url}/api/compute/instances`)).status).to.equal(404);
  });

  it('wakes the worker in another process or thread the moment a job is due, without waiting for its poll', async () => {
    const db = await freshDatabase();
    // Workers poll only once a minute here, so an instance reaches running before the deadline only through the wake-up.
    const slowPoll = { ATONIX_JOB_POLL_SECONDS: '60', ATONIX_PROVISION_DELAY_MS: '0' };
    const apiOnly = await startApiProcess(db, { ...slowPoll, ATONIX_ROLE: 'api' });
    const worker = await startApiProcess(db, { ...slowPoll, ATONIX_ROLE: 'worker' });
    procs.push(apiOnly, worker);
    const { flavor, image } = await catalogueOf(apiOnly.url);
    // Past the first poll of each worker loop, which runs as it starts.
    await new Promise((r) => setTimeout(r, 1000));
    const split = await api(apiOnly.url, 'POST', '/api/compute/instances', {
      name: 'woken',
      flavor_id: flavor,
      image_id: image,
    });
    await allReady(apiOnly.url, [split.body.id], 10_000);
    await worker.stop('SIGTERM');
    // role=all: the API on the main thread, the worker on its own thread.
    const both = await startApiProcess(db, slowPoll);
    procs.push(both);
    await new Promise((r) => setTimeout(r, 1000));
    const threaded = await api(both.url, 'POST', '/api/compute/instances', {
      name: 'woken-2',
      flavor_id: flavor,
      image_id: image,
    });
    await allReady(both.url, [threaded.body.id], 10_000);
  });

  it('stops cleanly on SIGTERM', async () => {
    const db = await freshDatabase();
    const p = await startApiProcess(db);
    expect(await p.stop('SIGTERM')).to.equal(0);
  });
});
