// TCP connection load: `concurrency` loops that each connect, send a line, read its echo and close, as fast as they
// can; connections per second and the latency of each whole connection (connect to close), exact percentiles.
import { connect } from 'node:net';

export interface ConnMeasurement {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

function once(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, allowHalfOpen: true }, () => s.end('ping\n'));
    let got = 0;
    s.on('data', (d) => (got += d.length));
    s.on('end', () => (s.destroy(), resolve(got === 5)));
    s.on('error', () => resolve(false));
  });
}

async function run(endpoint: string, concurrency: number, seconds: number, out?: { lat: number[]; fails: number }) {
  const [host, port] = [endpoint.split(':')[0]!, Number(endpoint.split(':')[1])];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await once(host, port);
        if (!out) continue;
        if (ok) out.lat.push(performance.now() - t0);
        else out.fails++;
      }
    }),
  );
}

/** A B B A after a warm-up of each, as the HTTP cases are measured. */
export async function measureConnections(
  a: string,
  b: string,
  opts: { concurrency: number; seconds: number; warmupSeconds: number },
): Promise<[ConnMeasurement, ConnMeasurement]> {
  for (const e of [a, b]) await run(e, opts.concurrency, opts.warmupSeconds);
  const tallies = [
    { lat: [] as number[], fails: 0 },
    { lat: [] as number[], fails: 0 },
  ];
  for (const i of [0, 1, 1, 0]) await run(i ? b : a, opts.concurrency, opts.seconds / 2, tallies[i]);
  return tallies.map((t) => {
    const sorted = t.lat.sort((x, y) => x - y);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
    return { rps: sorted.length / opts.seconds, p50: pct(50), p99: pct(99), failures: t.fails };
  }) as [ConnMeasurement, ConnMeasurement];
}
