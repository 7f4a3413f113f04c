// Exponential smoothing state-space models with additive errors (Hyndman et al., "Forecasting with Exponential
// Smoothing", 2008; FPP3 ch. 8), in error-correction form:
//   trend N | A | Ad (damped), season N | A | M (multiplicative), e_t = y_t - yhat_t,
//   base = l + phi*b;  yhat = base (+ s | * s)
//   l' = base + alpha*e (/ s for M);  b' = phi*b + beta*e (/ s for M);  s' = s + gamma*e (/ base for M)
// beta here is the error-correction coefficient (Holt's alpha*beta*), so 0 < beta < alpha.
// The seasonal states live in a ring buffer indexed by phase (t mod m): the inner loop allocates nothing.
export type TrendKind = 'N' | 'A' | 'Ad';
export type SeasonKind = 'N' | 'A' | 'M';

export interface EtsSpec {
  trend: TrendKind;
  season: SeasonKind;
  /** Season length in steps; 1 when season is N. */
  period: number;
}
export interface EtsParams {
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
}
export interface EtsState {
  level: number;
  trend: number;
  /** season[j]: the seasonal state for the steps t with t mod period == j (length period; [0] or [1] when N). */
  season: Float64Array;
}

export function etsLabel(spec: EtsSpec): string {
  return `ETS(A,${spec.trend},${spec.season})`;
}

/**
 * Runs the recursions over y from `init` (states before y[0]); NaN values propagate the state without an update.
 * Writes the final states into `out` (its season buffer is overwritten), the one-step forecasts into `fitted` if
 * given, and returns the sum of squared one-step errors (Infinity if a multiplicative model leaves its domain).
 */
export function runEts(
  y: ArrayLike<number>,
  spec: EtsSpec,
  p: EtsParams,
  init: EtsState,
  out: EtsState,
  fitted?: Float64Array,
): { sse: number; count: number } {
  const m = spec.period;
  const s = out.season;
  if (s !== init.season) s.set(init.season);
  const hasTrend = spec.trend !== 'N';
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  const beta = hasTrend ? p.beta : 0;
  const { alpha, gamma } = p;
  const mult = spec.season === 'M';
  const seasonal = spec.season !== 'N';
  let l = init.level;
  let b = hasTrend ? init.trend : 0;
  let sse = 0;
  let count = 0;
  let j = 0; // t mod m, kept incrementally
  for (let t = 0; t < y.length; t++) {
    const base = l + phi * b;
    const sj = seasonal ? s[j] : mult ? 1 : 0;
    const yhat = mult ? base * sj : base + sj;
    if (fitted) fitted[t] = yhat;
    const v = y[t];
    if (v === v) {
      const e = v - yhat;
      sse += e * e;
      count++;
      if (mult) {
        if (!(sj > 0) || !(base > 0)) return { sse: Infinity, count };
        l = base + (alpha * e) / sj;
        b = phi * b + (beta * e) / sj;
        s[j] = sj + (gamma * e) / base;
      } else {
        l = base + alpha * e;
        b = phi * b + beta * e;
        if (seasonal) s[j] = sj + gamma * e;
      }
    } else {
      l = base;
      b = phi * b;
    }
    if (++j === m) j = 0;
  }
  out.level = l;
  out.trend = b;
  // Rotate nothing: the caller knows y.length, so the phase of the next step is y.length mod m.
  return { sse, count };
}

/** Point forecasts for h = 1..horizon from the final state after n observations. */
export function etsPointForecast(spec: EtsSpec, p: EtsParams, st: EtsState, n: number, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  const b = spec.trend === 'N' ? 0 : st.trend;
  const m = spec.period;
  let damp = 0; // phi + phi^2 + ... + phi^h
  let pw = 1;
  for (let h = 1; h <= horizon; h++) {
    pw *= phi;
    damp += pw;
    const base = st.level + damp * b;
    const sj = st.season[(n + h - 1) % m];
    out[h - 1] = spec.season === 'N' ? base : spec.season === 'A' ? base + sj : base * sj;
  }
  return out;
}

/**
 * Forecast error variances: sigma^2 * (1 + sum_{j=1}^{h-1} c_j^2), c_j = alpha + beta*(phi+...+phi^j) + gamma*[j mod
 * m = 0] (Hyndman et al. 2008, table 6.1, classes 1-2: exact for the linear models ETS(A,N|A|Ad,N|A)). For a
 * multiplicative season it is an approximation: the same formula with each c_j scaled by the seasonal factor.
 */
export function etsVariances(spec: EtsSpec, p: EtsParams, st: EtsState, n: number, sigma2: number, horizon: number) {
  const out = new Float64Array(horizon);
  const phi = spec.trend === 'Ad' ? p.phi : 1;
  const beta = spec.trend === 'N' ? 0 : p.beta;
  const gamma = spec.season === 'N' ? 0 : p.gamma;
  const m = spec.period;
  let acc = 1;
  let damp = 0;
  let pw = 1;
  for (let h = 1; h <= horizon; h++) {
    const factor = spec.season === 'M' ? st.season[(n + h - 1) % m] : 1;
    out[h - 1] = sigma2 * acc * factor * factor;
    // c_h for the next horizon step
    pw *= phi;
    damp += pw;
    const c = p.alpha + beta * damp + (spec.season !== 'N' && h % m === 0 ? gamma : 0);
    acc += c * c;
  }
  return out;
}
