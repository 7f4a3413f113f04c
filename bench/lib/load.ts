// Load cases: a warm-up run that is thrown away, then measured autocannon runs. Latencies are collected per
// response (autocannon's own histogram has 1 ms resolution), so p50 and p99 are exact. Two cases that are
// compared with each other can be measured interleaved (A B B A), so drifting background load hits both alike.
import autocannon, { type Options, type Result } from 'autocannon';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  /** the status every response must have */
  expectStatus: number;
}

export interface Measurement {
  requests: number;
  seconds: number;
  /** completed requests with the expected status per second over the measured run */
  rps: number;
  p50: number;
  p99: number;
  /** responses with another status, connection errors and timeouts */
  failures: number;
  statuses: Record<string, number>;
}

/** Runs just before and just after each measured stretch (not the warm-up), e.g. to meter CPU time. */
export interface Around {
  before(): void;
  after(): void;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The responses of one case, possibly over several stretches. */
class Tally {
  private latencies = new Float64Array(1 << 16);
  private n = 0;
  private seconds = 0;
  private failures = 0;
  private statuses: Record<string, number> = {};
  constructor(private expectStatus: number) {}

  record = (status: number, ms: number) => {
    if (status !== this.expectStatus) return;
    if (this.n === this.latencies.length) {
      const grown = new Float64Array(this.n * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.n++] = ms;
  };

  add(result: Result) {
    this.seconds += result.duration;
    for (const [code, { count }] of Object.entries(result.statusCodeStats)) {
      this.statuses[code] = (this.statuses[code] ?? 0) + count;
      if (Number(code) !== this.expectStatus) this.failures += count;
    }
    this.failures += result.errors + result.timeouts;
  }

  measurement(): Measurement {
    const sorted = this.latencies.subarray(0, this.n).sort();
    return {
      requests: this.n,
      seconds: this.seconds,
      rps: this.n / this.seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      failures: this.failures,
      statuses: this.statuses,
    };
  }
}

async function run(spec: LoadSpec, seconds: number, record?: (status: number, ms: number) => void) {
  const opts: Options = {
    url: spec.url,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
  };
  const instance = autocannon(opts);
  if (record)
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => record(status, ms));
  return await instance;
}

async function stretch(spec: LoadSpec, seconds: number, tally: Tally, around?: Around) {
  around?.before();
  const result = await run(spec, seconds, tally.record);
  around?.after();
  tally.add(result);
}

export async function measure(spec: LoadSpec, around?: Around): Promise<Measurement> {
  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
  const tally = new Tally(spec.expectStatus);
  await stretch(spec, spec.seconds, tally, around);
  return tally.measurement();
}

/** Two cases in the order A B B A, each stretch half of `seconds`, after a warm-up of each. */
export async function measureInterleaved(
  a: LoadSpec,
  b: LoadSpec,
  aroundA?: Around,
  aroundB?: Around,
): Promise<[Measurement, Measurement]> {
  for (const s of [a, b]) if (s.warmupSeconds > 0) await run(s, s.warmupSeconds);
  const ta = new Tally(a.expectStatus);
  const tb = new Tally(b.expectStatus);
  await stretch(a, a.seconds / 2, ta, aroundA);
  await stretch(b, b.seconds / 2, tb, aroundB);
  await stretch(b, b.seconds / 2, tb, aroundB);
  await stretch(a, a.seconds / 2, ta, aroundA);
  return [ta.measurement(), tb.measurement()];
}
