// Fitting ETS: initial states by a classical-decomposition heuristic on the first seasons, smoothing parameters
// by Nelder-Mead on the sum of squared one-step errors (bounded by a logistic reparametrisation:
// alpha in (0,1), beta in (0,alpha), gamma in (0,1-alpha), phi in (0.8,0.98)), the variant by AIC.
import {
  type EtsParams,
  type EtsSpec,
  type EtsState,
  etsLabel,
  runEts,
  type SeasonKind,
  type TrendKind,
} from './ets.js';
import { nelderMead } from './nelder-mead.js';

export interface EtsFit {
  spec: EtsSpec;
  params: EtsParams;
  init: EtsState;
  final: EtsState;
  n: number;
  sse: number;
  sigma2: number;
  aic: number;
  evals: number;
}

const PHI_LO = 0.8;
const PHI_HI = 0.98;
const sig = (u: number) => 1 / (1 + Math.exp(-u));
const logit = (p: number) => Math.log(p / (1 - p));

export function paramsFromU(spec: EtsSpec, u: number[]): EtsParams {
  const alpha = sig(u[0]);
  let k = 1;
  const beta = spec.trend === 'N' ? 0 : alpha * sig(u[k++]);
  const gamma = spec.season === 'N' ? 0 : (1 - alpha) * sig(u[k++]);
  const phi = spec.trend === 'Ad' ? PHI_LO + (PHI_HI - PHI_LO) * sig(u[k++]) : 1;
  return { alpha, beta, gamma, phi };
}

function uFromParams(spec: EtsSpec, p: EtsParams): number[] {
  const c = (x: number) => Math.min(1 - 1e-6, Math.max(1e-6, x));
  const u = [logit(c(p.alpha))];
  if (spec.trend !== 'N') u.push(logit(c(p.beta / p.alpha)));
  if (spec.season !== 'N') u.push(logit(c(p.gamma / (1 - p.alpha))));
  if (spec.trend === 'Ad') u.push(logit(c((p.phi - PHI_LO) / (PHI_HI - PHI_LO))));
  return u;
}

/**
 * Initial states. Seasonal: k = min(4, full seasons available) season means M_i; trend b0 = (M_{k-1} - M_0) /
 * ((k-1) m); seasonal index of phase j = mean over the k seasons of y minus (or divided by) the linear trend through
 * the season means, normalised to sum 0 (mean 1 for M); level l0 = M_0 - b0 (m+1)/2, the level one step before
 * y[0]. Non-seasonal: b0 = mean of the first (up to 10) differences, l0 = y[0] - b0, so the first one-step forecast
 * is y[0] (as in the NIST e-Handbook's single exponential smoothing, S_2 = y_1).
 */
export function initialStates(y: ArrayLike<number>, spec: EtsSpec): EtsState {
  const m = spec.period;
  const season = new Float64Array(Math.max(1, m)).fill(spec.season === 'M' ? 1 : 0);
  const trended = spec.trend !== 'N';
  if (spec.season === 'N') {
    const d = Math.min(10, y.length - 1);
    const b0 = trended && d > 0 ? (y[d] - y[0]) / d : 0;
    return { level: y[0] - b0, trend: b0, season };
  }
  const k = Math.min(4, Math.floor(y.length / m));
  const means: number[] = [];
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += y[i * m + j];
    means.push(s / m);
  }
  const b0 = trended && k > 1 ? (means[k - 1] - means[0]) / ((k - 1) * m) : 0;
  for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let i = 0; i < k; i++) {
      const trendAt = means[i] + (j - (m - 1) / 2) * b0;
      acc += spec.season === 'M' ? y[i * m + j] / trendAt : y[i * m + j] - trendAt;
    }
    season[j] = acc / k;
  }
  let norm = 0;
  for (let j = 0; j < m; j++) norm += season[j] / m;
  for (let j = 0; j < m; j++) season[j] = spec.season === 'M' ? season[j] / norm : season[j] - norm;
  return { level: means[0] - (b0 * (m + 1)) / 2, trend: b0, season };
}

export function parameterCount(spec: EtsSpec): number {
  const smoothing = 1 + (spec.trend !== 'N' ? 1 : 0) + (spec.season !== 'N' ? 1 : 0) + (spec.trend === 'Ad' ? 1 : 0);
  const states = 1 + (spec.trend !== 'N' ? 1 : 0) + (spec.season !== 'N' ? spec.period - 1 : 0);
  return smoothing + states;
}

const DEFAULT_START: EtsParams = { alpha: 0.3, beta: 0.03, gamma: 0.05, phi: 0.95 };

/** Fits one variant; `start` warm-starts the optimiser (the backtest's refits start from the full-series fit). */
export function fitEts(
  y: ArrayLike<number>,
  spec: EtsSpec,
  opts: { start?: EtsParams; maxEvals?: number } = {},
): EtsFit {
  const init = initialStates(y, spec);
  const work: EtsState = { level: 0, trend: 0, season: new Float64Array(init.season.length) };
  const objective = (u: number[]) => runEts(y, spec, paramsFromU(spec, u), init, work).sse;
  const u0 = uFromParams(spec, opts.start ?? DEFAULT_START);
  const min = nelderMead(objective, u0, { step: 1, maxEvals: opts.maxEvals ?? 60 + 40 * u0.length });
  const params = paramsFromU(spec, min.x);
  const final: EtsState = { level: 0, trend: 0, season: new Float64Array(init.season.length) };
  const { sse, count } = runEts(y, spec, params, init, final);
  const n = Math.max(1, count);
  const sigma2 = sse / n;
  const aic = n * Math.log(Math.max(sigma2, 1e-300)) + 2 * parameterCount(spec);
  return { spec, params, init, final, n: y.length, sse, sigma2, aic, evals: min.evals };
}

/** The variants tried: every trend with no season, and with a period every season (M only for positive data). */
export function etsVariants(y: ArrayLike<number>, period: number | null): EtsSpec[] {
  const trends: TrendKind[] = ['N', 'A', 'Ad'];
  const seasons: SeasonKind[] = ['N'];
  if (period !== null && period >= 2) {
    seasons.push('A');
    let positive = true;
    for (let i = 0; i < y.length && positive; i++) if (!(y[i] > 0)) positive = false;
    if (positive) seasons.push('M');
  }
  const out: EtsSpec[] = [];
  for (const season of seasons)
    for (const trend of trends) out.push({ trend, season, period: season === 'N' ? 1 : (period as number) });
  return out;
}

/** Fits every variant and keeps the lowest AIC (all have additive errors, so their likelihoods compare). */
export function selectEts(y: ArrayLike<number>, period: number | null): { best: EtsFit; table: EtsFit[] } {
  const table = etsVariants(y, period).map((spec) => fitEts(y, spec));
  let best = table[0];
  for (const f of table) if (f.aic < best.aic) best = f;
  return { best, table };
}

/** `kind` names the season ("daily", "weekly") when the caller knows it. */
export function describeEts(fit: EtsFit, kind?: string): string {
  const p = fit.params;
  const parts = [`alpha=${p.alpha.toFixed(3)}`];
  if (fit.spec.trend !== 'N') parts.push(`beta=${p.beta.toFixed(3)}`);
  if (fit.spec.season !== 'N') parts.push(`gamma=${p.gamma.toFixed(3)}`);
  if (fit.spec.trend === 'Ad') parts.push(`phi=${p.phi.toFixed(3)}`);
  const period = fit.spec.season === 'N' ? 'no season' : `period ${fit.spec.period} steps${kind ? ` (${kind})` : ''}`;
  return `${etsLabel(fit.spec)}, ${period}, ${parts.join(' ')}, fitted by Nelder-Mead minimising the sum of squared one-step errors (${fit.evals} evaluations), chosen by AIC`;
}
