// The time-series store through its own interface (tsdb(deps): sink and source) on real PostgreSQL: owner labels,
// matchers as Prometheus applies them, tenancy, all-or-nothing writes, overwrites, NaN and infinities, metadata.
import { expect } from 'chai';
import { startApp, type TestApp } from '../../support/app.js';
import { tsdb, type Store } from '../../../api/src/monitoring/tsdb/index.js';
import type { Matcher } from '../../../api/src/monitoring/types.js';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });

describe('monitoring: the time-series store', () => {
  let app: TestApp;
  let store: Store;

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    store = tsdb(app.platform);
    await store.sink.write('usr-a', [
      { name: 'cpu', labels: { host: 'h1', dc: 'eu' }, value: 1, timestamp: T0 },
      { name: 'cpu', labels: { host: 'h1', dc: 'eu' }, value: 2, timestamp: T0 + 1000 },
      { name: 'cpu', labels: { host: 'h2', dc: 'us' }, value: 3, timestamp: T0 },
      { name: 'mem', labels: { host: 'h1', owner: 'someone-else' }, value: NaN, timestamp: T0 },
      { name: 'mem', labels: { host: 'h2' }, value: Infinity, timestamp: T0 },
    ]);
    await store.sink.write('usr-b', [{ name: 'cpu', labels: { host: 'h9' }, value: 9, timestamp: T0 }]);
  });
  after(() => app.close());

  it('is one store per platform', () => {
    expect(tsdb(app.platform)).to.equal(store);
  });

  it('gives every series its owner label and keeps a clashing one as exported_owner', async () => {
    const got = await store.source.select({ owner: 'usr-a' }, [eq('__name__', 'mem')], T0, T0);
    const byHost = Object.fromEntries(got.map((s) => [s.labels.host, s]));
    expect(byHost.h1!.labels).to.deep.equal({
      __name__: 'mem',
      host: 'h1',
      owner: 'usr-a',
      exported_owner: 'someone-else',
    });
    expect(byHost.h1!.samples[0]!.v).to.be.NaN;
    expect(byHost.h2!.samples[0]!.v).to.equal(Infinity);
  });

  it('returns samples in time order within [start, end], inclusive', async () => {
    const got = await store.source.select({ owner: 'usr-a' }, [eq('__name__', 'cpu'), eq('host', 'h1')], T0, T0 + 1000);
    expect(got).to.have.length(1);
    expect(got[0]!.samples).to.deep.equal([
      { t: T0, v: 1 },
      { t: T0 + 1000, v: 2 },
    ]);
    const first = await store.source.select({ owner: 'usr-a' }, [eq('host', 'h1'), eq('__name__', 'cpu')], T0, T0);
    expect(first[0]!.samples).to.have.length(1);
  });

  it('applies !=, =~ and !~ fully anchored, a missing label matching the empty string', async () => {
    const hosts = async (ms: Matcher[]) =>
      (await store.source.select({ owner: 'usr-a' }, ms, T0, T0 + 1000)).map((s) => s.labels.host).sort();
    expect(await hosts([eq('__name__', 'cpu'), { name: 'host', op: '=~', value: 'h' }])).to.deep.equal([]);
    expect(await hosts([eq('__name__', 'cpu'), { name: 'host', op: '=~', value: 'h.' }])).to.deep.equal(['h1', 'h2']);
    expect(await hosts([eq('__name__', 'cpu'), { name: 'dc', op: '!=', value: 'eu' }])).to.deep.equal(['h2']);
    expect(await hosts([eq('__name__', 'cpu'), { name: 'dc', op: '!~', value: 'e.|x' }])).to.deep.equal(['h2']);
    expect(await hosts([eq('__name__', 'mem'), eq('dc', '')])).to.deep.equal(['h1', 'h2']);
    expect(await hosts([{ name: '__name__', op: '=~', value: 'cpu|mem' }, eq('host', 'h2')])).to.deep.equal([
      'h2',
      'h2',
    ]);
  });

  it("confines reads to the scope's owner; the admin's scope sees every owner", async () => {
    const hostsOf = async (owner: string | null) =>
      (await store.source.select({ owner }, [eq('__name__', 'cpu')], T0, T0)).map((s) => s.labels.host).sort();
    expect(await hostsOf('usr-a')).to.deep.equal(['h1', 'h2']);
    expect(await hostsOf('usr-b')).to.deep.equal(['h9']);
    expect(await hostsOf(null)).to.deep.equal(['h1', 'h2', 'h9']);
    expect(await store.source.labelValues({ owner: 'usr-b' }, 'host', [], T0, T0)).to.deep.equal(['h9']);
  });

  it('lists series, label names and values seen in the window', async () => {
    const s = await store.source.series({ owner: 'usr-a' }, [[eq('__name__', 'cpu')]], T0 + 1000, T0 + 5000);
    expect(s).to.deep.equal([{ __name__: 'cpu', dc: 'eu', host: 'h1', owner: 'usr-a' }]);
    expect(await store.source.labelNames({ owner: 'usr-a' }, [], T0, T0)).to.deep.equal([
      '__name__',
      'dc',
      'exported_owner',
      'host',
      'owner',
    ]);
    expect(await store.source.labelValues({ owner: 'usr-a' }, '__name__', [], T0, T0)).to.deep.equal(['cpu', 'mem']);
    expect(await store.source.series({ owner: 'usr-a' }, [], T0 + 10_000, T0 + 20_000)).to.deep.equal([]);
  });

  it('overwrites a sample re-sent for the same series and time (the last of a batch wins)', async () => {
    await store.sink.write('usr-c', [
      { name: 'g', labels: {}, value: 1, timestamp: T0 },
      { name: 'g', labels: {}, value: 2, timestamp: T0 },
    ]);
    await store.sink.write('usr-c', [{ name: 'g', labels: {}, value: 5, timestamp: T0 }]);
    const got = await store.source.select({ owner: 'usr-c' }, [eq('__name__', 'g')], T0, T0);
    expect(got[0]!.samples).to.deep.equal([{ t: T0, v: 5 }]);
  });

  it('writes a batch all or none', async () => {
    const trx = await app.platform.db.transaction();
    await store.writeIn(trx, 'usr-d', [{ name: 'x', labels: {}, value: 1, timestamp: T0 }]);
    await trx.rollback();
    expect(await store.source.select({ owner: 'usr-d' }, [eq('__name__', 'x')], T0, T0)).to.deep.equal([]);
    // The series id cached from the rolled-back batch still names a committed series: a later write lands.
    await store.sink.write('usr-d', [{ name: 'x', labels: {}, value: 7, timestamp: T0 }]);
    expect((await store.source.select({ owner: 'usr-d' }, [eq('__name__', 'x')], T0, T0))[0]!.samples).to.deep.equal([
      { t: T0, v: 7 },
    ]);
  });

  it('keeps metric metadata per owner', async () => {
    await store.sink.write('usr-e', [], { reqs: { type: 'counter', help: 'Requests.', unit: '' } });
    expect(await store.source.metadata({ owner: 'usr-e' })).to.deep.equal({
      reqs: [{ type: 'counter', help: 'Requests.', unit: '' }],
    });
    expect(await store.source.metadata({ owner: 'usr-a' }, 'reqs')).to.deep.equal({});
  });
});
