// Series for the forecast tests, written through POST /api/monitoring/metrics at chosen timestamps: one sample in
// the middle of each step (so each step's avg_over_time is that sample), a daily cycle plus seeded noise.
import type { TestApp } from '../../support/app.js';

export const HOUR = 3_600_000;

/** A small deterministic generator (an LCG), so every run writes the same series. */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** The platform clock's now (the app runs with ATONIX_CLOCK=manual). */
export async function platformNow(app: TestApp): Promise<number> {
  return Date.parse((await app.admin.get('/api/admin/clock').expect(200)).body.now);
}

/** The value of the daily cycle at `t`: 50 ± 20 over the day, plus noise of ±`jitter`. */
export const daily = (t: number, rnd: () => number, jitter = 4) =>
  50 + 20 * Math.sin((2 * Math.PI * (t % (24 * HOUR))) / (24 * HOUR)) + jitter * rnd();

/**
 * Writes `steps` samples of `name{labels}` as `token`, one per step of `stepMs`, each in the middle of its step and
 * the last in the step that ends at the last step boundary at or before `now`.
 */
export async function writeSeries(
  app: TestApp,
  token: string,
  opts: {
    name: string;
    labels: Record<string, string>;
    now: number;
    steps: number;
    stepMs?: number;
    value?: (t: number) => number;
  },
): Promise<number[]> {
  const step = opts.stepMs ?? HOUR;
  const end = Math.floor(opts.now / step) * step;
  const rnd = noise(opts.steps);
  const value = opts.value ?? ((t: number) => daily(t, rnd));
  const times = Array.from({ length: opts.steps }, (_, i) => end - (opts.steps - 1 - i) * step - step / 2);
  const points = times.map((t) => ({ name: opts.name, labels: opts.labels, value: value(t), timestamp: t }));
  for (let i = 0; i < points.length; i += 1000)
    await app
      .as(token)
      .post('/api/monitoring/metrics')
      .send({ points: points.slice(i, i + 1000) })
      .expect(204);
  return times;
}

export interface Point {
  timestamp: string;
  mean: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

/** Every point's five values in order, as prediction intervals must be. */
export const ordered = (p: Point) =>
  p.lower95 <= p.lower80 && p.lower80 <= p.mean && p.mean <= p.upper80 && p.upper80 <= p.upper95;
