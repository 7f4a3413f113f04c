// The seed's LSTM: a small recurrent network trained on the series itself, in process. The series is
// de-seasonalised (minus the mean of its phase when a period was found) and standardised; the network learns
// one-step-ahead prediction on windows of WINDOW values by BPTT with Adam, and forecasts recursively.
// Determinism: the number of training steps is planned from the budget alone (STEPS_PER_MS, calibrated so the
// plan takes under half the budget on the benchmark machine: 0.44 ms CPU a step once compiled), and the PRNG is seeded from the data, so the same
// input gives the same forecast. process.cpuUsage() is a guard: if the plan overruns the budget (a slower or
// loaded machine), training stops there and `method` says so (and only then can results differ between runs).
import { seeded } from '../../platform/seeded-random.js';
import { createNet, type LstmNet, runAndExtend, windowLoss } from './lstm-net.js';

export const HIDDEN = 8;
export const WINDOW = 24;
export const BATCH = 8;
/** Planned Adam steps (of BATCH windows) per ms of budget. */
export const STEPS_PER_MS = 1;
/** Budget set aside for the first steps, which run before the JIT has compiled the loops (up to 2x slower). */
export const WARMUP_MS = 30;
export const LEARNING_RATE = 0.01;
/** The least training values: the window plus enough windows to learn from. */
export const LSTM_MIN_TRAIN = WINDOW + 40;

export interface LstmModel {
  net: LstmNet;
  period: number;
  profile: Float64Array;
  mu: number;
  sd: number;
  stepsPlanned: number;
  stepsDone: number;
  cpuMs: number;
  finalLoss: number;
}

function remainder(y: ArrayLike<number>, m: Model0): Float64Array {
  const x = new Float64Array(y.length);
  for (let t = 0; t < y.length; t++) x[t] = (y[t] - m.profile[t % m.period] - m.mu) / m.sd;
  return x;
}
type Model0 = Pick<LstmModel, 'period' | 'profile' | 'mu' | 'sd'>;

/** A seed from the data's bits, so equal inputs train equal networks. */
export function seedFrom(y: ArrayLike<number>): number {
  let hsh = 2166136261;
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < y.length; i += Math.max(1, Math.floor(y.length / 256))) {
    f[0] = y[i];
    hsh = Math.imul(hsh ^ u[0], 16777619) ^ u[1];
  }
  return (hsh ^ y.length) >>> 0;
}

export function trainLstm(y: ArrayLike<number>, period: number | null, budgetMs: number): LstmModel {
  const p = period ?? 1;
  const profile = new Float64Array(p);
  const counts = new Float64Array(p);
  for (let t = 0; t < y.length; t++) {
    profile[t % p] += y[t];
    counts[t % p]++;
  }
  for (let j = 0; j < p; j++) profile[j] /= counts[j] || 1;
  if (p === 1) profile[0] = 0;
  let mu = 0;
  for (let t = 0; t < y.length; t++) mu += y[t] - profile[t % p];
  mu /= y.length;
  let v = 0;
  for (let t = 0; t < y.length; t++) v += (y[t] - profile[t % p] - mu) ** 2;
  const sd = Math.sqrt(v / y.length) || 1;
  const base: Model0 = { period: p, profile, mu, sd };
  const x = remainder(y, base);

  const rand = seeded(seedFrom(y));
  const net = createNet(HIDDEN, WINDOW, rand);
  const P = net.params;
  const G = net.grad;
  const m1 = new Float64Array(P.length);
  const m2 = new Float64Array(P.length);
  const stepsPlanned = Math.max(1, Math.floor((budgetMs - WARMUP_MS) * STEPS_PER_MS));
  const starts = y.length - WINDOW; // valid window starts: [0, starts)
  const cpu0 = process.cpuUsage();
  const cpuMs = () => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / 1000;
  };
  let done = 0;
  let loss = 0;
  const b1 = 0.9;
  const b2 = 0.999;
  for (; done < stepsPlanned; done++) {
    if ((done & 15) === 0 && cpuMs() > budgetMs) break;
    G.fill(0);
    loss = 0;
    for (let k = 0; k < BATCH; k++) loss += windowLoss(net, x, Math.floor(rand() * starts), WINDOW, true) / BATCH;
    let norm = 0;
    for (let i = 0; i < G.length; i++) norm += G[i] * G[i];
    const clip = Math.sqrt(norm) / BATCH > 1 ? 1 / (Math.sqrt(norm) / BATCH) : 1;
    const c1 = 1 - Math.pow(b1, done + 1);
    const c2 = 1 - Math.pow(b2, done + 1);
    for (let i = 0; i < P.length; i++) {
      const g = (G[i] / BATCH) * clip;
      m1[i] = b1 * m1[i] + (1 - b1) * g;
      m2[i] = b2 * m2[i] + (1 - b2) * g * g;
      P[i] -= (LEARNING_RATE * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + 1e-8);
    }
  }
  return { net, ...base, stepsPlanned, stepsDone: done, cpuMs: cpuMs(), finalLoss: loss };
}

/**
 * Recursive forecast after the history y (which may run past the training data), warmed on its last WINDOW values.
 * `offset` is the index of y[0] in the series the model was trained on (it fixes the seasonal phases).
 */
export function lstmForecast(model: LstmModel, y: ArrayLike<number>, horizon: number, offset = 0): Float64Array {
  const n = y.length;
  const from = Math.max(0, n - WINDOW);
  const { profile, period: p, mu, sd } = model;
  const x = new Float64Array(n - from);
  for (let i = 0; i < x.length; i++) x[i] = (y[from + i] - profile[(offset + from + i) % p] - mu) / sd;
  const { ahead } = runAndExtend(model.net, x, horizon);
  const out = new Float64Array(horizon);
  for (let k = 0; k < horizon; k++) out[k] = ahead[k] * sd + mu + profile[(offset + n + k) % p];
  return out;
}

/** One-step-ahead residuals (actual - forecast) for t in [from, y.length), each from its own WINDOW of history. */
export function lstmOneStepResiduals(model: LstmModel, y: ArrayLike<number>, from: number): Float64Array {
  const out = new Float64Array(Math.max(0, y.length - from));
  for (let t = from; t < y.length; t++) {
    const start = Math.max(0, t - WINDOW);
    const f = lstmForecast(model, Array.prototype.slice.call(y, start, t) as number[], 1, start);
    out[t - from] = y[t] - f[0];
  }
  return out;
}

// The CPU time used is left out on purpose: the answer must be the same for the same input.
export function describeLstm(m: LstmModel): string {
  const stopped =
    m.stepsDone < m.stepsPlanned
      ? `, stopped by the CPU budget after ${m.stepsDone} of ${m.stepsPlanned} planned steps`
      : '';
  const season = m.period > 1 ? `de-seasonalised by the mean of each of ${m.period} phases, ` : '';
  return `LSTM (1 layer, ${HIDDEN} hidden units, windows of ${WINDOW}), ${season}standardised, trained by BPTT with Adam (lr ${LEARNING_RATE}, batches of ${BATCH}) for ${m.stepsDone} steps${stopped}, final loss ${m.finalLoss.toFixed(4)}, forecasting recursively`;
}
