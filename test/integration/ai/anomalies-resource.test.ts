// Resource mode: one instance's CPU, memory, network counters and its volume's operation counters (joined on
// resource_id / instance_id, counters as rates) scored together by the isolation forest. A joint spike of CPU and
// memory with the network and disk rates is an episode on the resource, delivered once as a WebSocket event, with
// its drivers (the features furthest from their medians) most deviant first.
import { expect } from 'chai';
import { FOREST_THRESHOLDS, minimumBaselinePoints } from '../../../api/src/ai/anomalies/detectors.js';
import { newUser, startApp, type TestApp } from '../../support/app.js';
import { watch } from '../../support/events.js';

const MIN = 60_000;
const R = 'inst-forest01';
const VOL = 'vol-forest001';

/** Deterministic noise in [-1, 1) per minute and stream. */
const noise = (k: number, s: number) => (((k * 9301 + s * 49297) % 233280) / 233280 - 0.5) * 2;

describe('ai: anomalies of a resource as a whole', function () {
  this.timeout(120_000);
  let app: TestApp;
  let owner: { id: string; token: string };
  let now: number;
  let k = 0;

  const setClock = async (ms: number) => {
    await app.admin
      .post('/api/admin/clock')
      .send({ now: new Date(ms).toISOString() })
      .expect(200);
    now = ms;
  };
  /** Minute k's points of the resource (counters accumulate), `spike` added to CPU and memory. */
  const counters = { rx: 0, tx: 0, rd: 0, wr: 0 };
  const pointsAt = (t: number, spike: number) => {
    k++;
    // a surge: CPU and memory up, and the network and the disk with them
    const surge = spike ? 4 : 1;
    counters.rx += 60 * surge * (5000 + 300 * noise(k, 3));
    counters.tx += 60 * surge * (3000 + 200 * noise(k, 4));
    counters.rd += 60 * surge * (40 + 4 * noise(k, 5));
    counters.wr += 60 * surge * (25 + 3 * noise(k, 6));
    const inst = { resource_id: R, kind: 'instance' };
    const vol = { resource_id: VOL, kind: 'volume', instance_id: R };
    return [
      {
        name: 'atonix_instance_cpu_utilization_percent',
        labels: inst,
        value: 30 + 2 * noise(k, 1) + spike,
        timestamp: t,
      },
      {
        name: 'atonix_instance_memory_utilization_percent',
        labels: inst,
        value: 50 + noise(k, 2) + spike / 2,
        timestamp: t,
      },
      { name: 'atonix_instance_network_receive_bytes_total', labels: inst, value: counters.rx, timestamp: t },
      { name: 'atonix_instance_network_transmit_bytes_total', labels: inst, value: counters.tx, timestamp: t },
      { name: 'atonix_volume_read_ops_total', labels: vol, value: counters.rd, timestamp: t },
      { name: 'atonix_volume_write_ops_total', labels: vol, value: counters.wr, timestamp: t },
    ];
  };
  const write = async (points: ReturnType<typeof pointsAt>) => {
    for (let i = 0; i < points.length; i += 1000)
      await app
        .as(owner.token)
        .post('/api/monitoring/metrics')
        .send({ points: points.slice(i, i + 1000) })
        .expect(204);
  };
  const minute = async (spike = 0) => {
    const t = now + MIN;
    await write(pointsAt(t, spike));
    await setClock(t);
  };

  before(async () => {
    app = await startApp({ ATONIX_CLOCK: 'manual' });
    owner = await newUser(app, 'forest-owner');
    await setClock(Math.ceil(Date.now() / MIN) * MIN + MIN);
  });
  after(() => app.close());

  it('learns the resource, then delivers a joint surge once, with the series that drove it', async () => {
    const sub = (
      await app
        .as(owner.token)
        .post('/api/ai/anomalies/subscribe')
        .send({
          name: 'fleet',
          selector: `atonix_instance_cpu_utilization_percent{resource_id="${R}"}`,
          mode: 'resource',
          sensitivity: 'medium',
          min_duration: '3m',
          channel: { type: 'websocket' },
        })
        .expect(201)
    ).body;
    expect(sub.threshold).to.equal(FOREST_THRESHOLDS.medium);
    const n = minimumBaselinePoints(60) + 20;
    const history = [];
    for (let i = n; i >= 1; i--) history.push(...pointsAt(now - i * MIN, 0));
    await write(history);
    await minute();
    expect((await app.as(owner.token).get(`/api/ai/anomalies/subscriptions/${sub.id}`).expect(200)).body).to.include({
      status: 'active',
    });
    for (let i = 0; i < 3; i++) await minute();
    const stream = await watch(app.url, owner.token, '?kinds=anomaly_subscription');
    try {
      const spikeFrom = now + MIN;
      for (let i = 0; i < 4; i++) await minute(40);
      const ev = await stream.until((e) => e.type === 'anomaly_subscription.episode' && e.id === sub.id);
      const eps = (await app.as(owner.token).get(`/api/ai/anomalies/episodes?subscription_id=${sub.id}`).expect(200))
        .body.items;
      const spike = eps.find((e: any) => Date.parse(e.start) >= spikeFrom);
      expect(spike, JSON.stringify(eps)).to.not.equal(undefined);
      expect(spike).to.deep.include({ delivered: true, labels: { resource_id: R } });
      expect(spike.points).to.be.at.least(3);
      expect(spike.peak_score).to.be.greaterThan(FOREST_THRESHOLDS.medium);
      const scores = spike.drivers.map((d: any) => d.score);
      expect(scores).to.deep.equal([...scores].sort((a: number, b: number) => b - a));
      expect(spike.drivers[0].score).to.be.greaterThan(3);
      expect(spike.drivers.map((d: any) => d.labels.__name__)).to.have.length(6);
      expect(stream.events.filter((e) => e.episode_id === spike.id)).to.have.length(1);
      expect([ev.episode_id]).to.satisfy((ids: string[]) => eps.some((e: any) => e.id === ids[0]));
    } finally {
      stream.ws.close();
    }
  });
});
