// A one-layer LSTM with a scalar input and a linear scalar read-out at every step, in float64, with its exact
// gradient by backpropagation through time. Parameters are one flat Float64Array:
//   W: 4H x (1+H) (rows: gates i, f, g, o; columns: input, then h_{t-1}), then b: 4H, then V: H, then c: 1.
// Loss over a window x[0..L] (L+1 values): (1/2L) sum_{t<L} (V.h_t + c - x[t+1])^2, a many-to-one-step-ahead fit.
// The work buffers are allocated once per network, so training allocates nothing per window.
export interface LstmNet {
  hidden: number;
  params: Float64Array;
  grad: Float64Array;
  /** Scratch for one window up to `maxLen` steps. */
  cache: {
    gates: Float64Array;
    c: Float64Array;
    h: Float64Array;
    tc: Float64Array;
    dz: Float64Array;
    dh: Float64Array;
    preds: Float64Array;
  };
  maxLen: number;
}

export function paramCount(hidden: number): number {
  return 4 * hidden * (1 + hidden) + 4 * hidden + hidden + 1;
}

export function createNet(hidden: number, maxLen: number, rand: () => number): LstmNet {
  const params = new Float64Array(paramCount(hidden));
  const scale = 1 / Math.sqrt(hidden);
  for (let i = 0; i < params.length; i++) params[i] = (rand() * 2 - 1) * scale;
  const bOff = 4 * hidden * (1 + hidden);
  for (let k = 0; k < 4 * hidden; k++) params[bOff + k] = k >= hidden && k < 2 * hidden ? 1 : 0; // forget bias 1
  const H = hidden;
  return {
    hidden,
    params,
    grad: new Float64Array(params.length),
    maxLen,
    cache: {
      gates: new Float64Array(maxLen * 4 * H),
      c: new Float64Array((maxLen + 1) * H),
      h: new Float64Array((maxLen + 1) * H),
      tc: new Float64Array(maxLen * H),
      dz: new Float64Array(4 * H),
      dh: new Float64Array(2 * H),
      preds: new Float64Array(maxLen),
    },
  };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** One step: from h,c at slot t to slot t+1 in the cache, with input x. Returns the read-out V.h_{t+1} + c. */
function step(net: LstmNet, t: number, x: number): number {
  const H = net.hidden;
  const P = net.params;
  const { gates, c, h, tc } = net.cache;
  const cols = 1 + H;
  const bOff = 4 * H * cols;
  const hPrev = t * H;
  for (let k = 0; k < 4 * H; k++) {
    const row = k * cols;
    let z = P[bOff + k] + P[row] * x;
    for (let j = 0; j < H; j++) z += P[row + 1 + j] * h[hPrev + j];
    gates[t * 4 * H + k] = k >= 2 * H && k < 3 * H ? Math.tanh(z) : sigmoid(z);
  }
  const vOff = bOff + 4 * H;
  let y = P[vOff + H];
  for (let j = 0; j < H; j++) {
    const g = t * 4 * H;
    const cn = gates[g + H + j] * c[hPrev + j] + gates[g + j] * gates[g + 2 * H + j];
    c[hPrev + H + j] = cn;
    const tcn = Math.tanh(cn);
    tc[t * H + j] = tcn;
    const hn = gates[g + 3 * H + j] * tcn;
    h[hPrev + H + j] = hn;
    y += P[vOff + j] * hn;
  }
  return y;
}

/** Loss of one window x[from..from+len] and, if `withGrad`, its gradient added into net.grad. */
export function windowLoss(net: LstmNet, x: ArrayLike<number>, from: number, len: number, withGrad: boolean): number {
  const H = net.hidden;
  const P = net.params;
  const G = net.grad;
  const { gates, c, h, tc, dz, dh, preds } = net.cache;
  if (len > net.maxLen) throw new RangeError(`window of ${len} exceeds the network's ${net.maxLen}`);
  c.fill(0, 0, H);
  h.fill(0, 0, H);
  let loss = 0;
  for (let t = 0; t < len; t++) {
    preds[t] = step(net, t, x[from + t]);
    const e = preds[t] - x[from + t + 1];
    loss += (e * e) / (2 * len);
  }
  if (!withGrad) return loss;
  const cols = 1 + H;
  const bOff = 4 * H * cols;
  const vOff = bOff + 4 * H;
  // dh[0..H): gradient reaching h_t from later steps; dh[H..2H): reaching c_t from later steps.
  dh.fill(0);
  for (let t = len - 1; t >= 0; t--) {
    const dy = (preds[t] - x[from + t + 1]) / len;
    G[vOff + H] += dy;
    const g = t * 4 * H;
    for (let j = 0; j < H; j++) {
      const hj = h[(t + 1) * H + j];
      G[vOff + j] += dy * hj;
      const dhj = dy * P[vOff + j] + dh[j];
      const o = gates[g + 3 * H + j];
      const tcj = tc[t * H + j];
      const dc = dhj * o * (1 - tcj * tcj) + dh[H + j];
      const i = gates[g + j];
      const f = gates[g + H + j];
      const gg = gates[g + 2 * H + j];
      dz[j] = dc * gg * i * (1 - i);
      dz[H + j] = dc * c[t * H + j] * f * (1 - f);
      dz[2 * H + j] = dc * i * (1 - gg * gg);
      dz[3 * H + j] = dhj * tcj * o * (1 - o);
      dh[H + j] = dc * f; // to c_{t-1}
    }
    const xin = x[from + t];
    for (let j = 0; j < H; j++) dh[j] = 0;
    for (let k = 0; k < 4 * H; k++) {
      const d = dz[k];
      const row = k * cols;
      G[bOff + k] += d;
      G[row] += d * xin;
      for (let j = 0; j < H; j++) {
        G[row + 1 + j] += d * h[t * H + j];
        dh[j] += d * P[row + 1 + j];
      }
    }
  }
  return loss;
}

/** Runs the network over x[0..n) from a zero state and then `horizon` steps on its own predictions. */
export function runAndExtend(
  net: LstmNet,
  x: ArrayLike<number>,
  horizon: number,
): { oneStep: Float64Array; ahead: Float64Array } {
  const H = net.hidden;
  const { c, h } = net.cache;
  const oneStep = new Float64Array(x.length); // oneStep[t]: prediction of x[t+1]
  const ahead = new Float64Array(horizon);
  c.fill(0, 0, H);
  h.fill(0, 0, H);
  let y = 0;
  const carry = () => {
    c.copyWithin(0, H, 2 * H);
    h.copyWithin(0, H, 2 * H);
  };
  for (let t = 0; t < x.length; t++) {
    y = step(net, 0, x[t]);
    oneStep[t] = y;
    carry();
  }
  for (let k = 0; k < horizon; k++) {
    ahead[k] = y;
    y = step(net, 0, y);
    carry();
  }
  return { oneStep, ahead };
}
