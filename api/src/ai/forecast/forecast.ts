// forecast(): seasonality from the data, each candidate model scored by a rolling-origin backtest, the chosen (or
// named) model refitted on the whole series for the answer, with 80% and 95% prediction intervals.
import { backtest, type BacktestPlan, planBacktest } from './backtest.js';
import { etsPointForecast, etsVariances } from './ets.js';
import { describeEts, fitEts, selectEts } from './ets-fit.js';
import { countFinite, fillMissing } from './fill.js';
import { meanSquare, pointsFromVariances } from './intervals.js';
import { describeLstm, LSTM_MIN_TRAIN, lstmForecast, lstmOneStepResiduals, trainLstm } from './lstm.js';
import { seasonalNaiveForecast } from './seasonal-naive.js';
import { candidatePeriods, detectSeasonality } from './seasonality.js';
import type { Candidate, ForecastInput, ForecastPoint, ForecastResult, ModelName, Seasonality } from './types.js';
import { InsufficientHistory } from './types.js';

export const DEFAULT_BUDGET_MS = 2000;
export const MAX_ORIGINS = 4;
/** Below this budget the LSTM is not trained in model=auto (it could not learn anything). */
export const MIN_LSTM_BUDGET_MS = 50;
/** The least values each model fits on (before its backtest window). */
export const FIT_MIN: Record<ModelName, number> = { ets: 10, seasonal_naive: 2, lstm: LSTM_MIN_TRAIN };
const MODELS: ReadonlyArray<ModelName | 'auto'> = ['auto', 'ets', 'seasonal_naive', 'lstm'];

function validate(input: ForecastInput): void {
  if (!Array.isArray(input.values)) throw new RangeError('values: must be an array of numbers');
  if (!(Number.isFinite(input.stepSeconds) && input.stepSeconds > 0))
    throw new RangeError('stepSeconds: must be a positive number');
  if (!(Number.isInteger(input.horizon) && input.horizon >= 1))
    throw new RangeError('horizon: must be a positive integer');
  if (!MODELS.includes(input.model)) throw new RangeError(`model: must be one of ${MODELS.join(', ')}`);
  const b = input.budgetMs;
  if (b !== undefined && !(Number.isFinite(b) && b >= 0))
    throw new RangeError('budgetMs: must be a non-negative number');
}

/** The backtest window: min(horizon, one season); without a season, min(horizon, one day of steps). */
function windowFor(horizon: number, stepSeconds: number, period: number | null): number {
  return Math.min(horizon, period ?? candidatePeriods(stepSeconds).daily ?? horizon);
}

export function minimumHistory(model: ModelName | 'auto', stepSeconds: number, horizon: number): number {
  const fit = model === 'auto' ? FIT_MIN.ets : FIT_MIN[model];
  return fit + windowFor(horizon, stepSeconds, null);
}

interface Evaluated {
  candidate: Candidate;
  finalize: () => { method: string; points: ForecastPoint[] };
}

const slice = (y: Float64Array, to: number) => y.subarray(0, to);

function evalEts(y: Float64Array, seasonality: Seasonality, plan: BacktestPlan, m: number, horizon: number): Evaluated {
  const period = seasonality.period;
  const { best } = selectEts(y, period);
  const score = backtest(y, plan, m, (o, w) => {
    const f = fitEts(slice(y, o), best.spec, { start: best.params, maxEvals: 80 });
    return etsPointForecast(f.spec, f.params, f.final, o, w);
  });
  const method = describeEts(best, seasonality.kind);
  return {
    candidate: { model: 'ets', method, mase: score.mase, smape: score.smape, origins: score.origins },
    finalize: () => {
      const means = etsPointForecast(best.spec, best.params, best.final, y.length, horizon);
      const vars = etsVariances(best.spec, best.params, best.final, y.length, best.sigma2, horizon);
      const iv = `intervals Gaussian with the analytic ETS variance (Hyndman et al. 2008, classes 1-2${best.spec.season === 'M' ? ', scaled by the seasonal factor as an approximation' : ''}) from the in-sample one-step residual variance ${best.sigma2.toPrecision(4)}`;
      return { method: `${method}; ${iv}`, points: pointsFromVariances(means, vars) };
    },
  };
}

function evalNaive(y: Float64Array, plan: BacktestPlan, m: number, horizon: number): Evaluated {
  const score = backtest(y, plan, m, (o, w) => seasonalNaiveForecast(slice(y, o), m, w).mean);
  const method =
    m > 1
      ? `seasonal naive, period ${m} steps (the last season repeated)`
      : 'naive (the last value repeated; no season)';
  return {
    candidate: { model: 'seasonal_naive', method, mase: score.mase, smape: score.smape, origins: score.origins },
    finalize: () => {
      const f = seasonalNaiveForecast(y, m, horizon);
      const iv = `intervals Gaussian from the in-sample residual variance ${f.sigma2.toPrecision(4)}, sd scaled by sqrt(k) in the k-th season ahead`;
      return { method: `${method}; ${iv}`, points: pointsFromVariances(f.mean, f.variance) };
    },
  };
}

function evalLstm(
  y: Float64Array,
  period: number | null,
  plan: BacktestPlan,
  m: number,
  horizon: number,
  budget: number,
): Evaluated {
  const trainEnd = plan.origins[0];
  const model = trainLstm(slice(y, trainEnd), period, budget);
  const score = backtest(y, plan, m, (o, w) => lstmForecast(model, slice(y, o), w));
  const method = `${describeLstm(model)}, trained on the ${trainEnd} values before the first backtest origin`;
  return {
    candidate: { model: 'lstm', method, mase: score.mase, smape: score.smape, origins: score.origins },
    finalize: () => {
      const means = lstmForecast(model, y, horizon);
      const s1 = meanSquare(lstmOneStepResiduals(model, y, trainEnd));
      const cap = Math.max(s1, model.sd * model.sd);
      const vars = new Float64Array(horizon);
      for (let h = 0; h < horizon; h++) vars[h] = Math.min(s1 * (h + 1), cap);
      const iv = `intervals Gaussian from the one-step residual variance ${s1.toPrecision(4)} on the ${y.length - trainEnd} held-out values, growing with h up to the series' own variance`;
      return { method: `${method}; ${iv}`, points: pointsFromVariances(means, vars) };
    },
  };
}

export function forecast(input: ForecastInput): ForecastResult {
  validate(input);
  const { stepSeconds, horizon, model } = input;
  const budget = input.budgetMs ?? DEFAULT_BUDGET_MS;
  const have = countFinite(input.values);
  const needed = minimumHistory(model, stepSeconds, horizon);
  if (have < needed) {
    const fit = model === 'auto' ? FIT_MIN.ets : FIT_MIN[model];
    throw new InsufficientHistory(
      needed,
      have,
      `${model === 'auto' ? 'model=auto (ets)' : model} fits on at least ${fit} values and backtests on ${needed - fit} more`,
    );
  }
  const y = fillMissing(input.values);
  const n = y.length;
  const fitBase = model === 'auto' ? FIT_MIN.ets : FIT_MIN[model];
  const seasonality = detectSeasonality(
    y,
    stepSeconds,
    (p) => n - windowFor(horizon, stepSeconds, p) >= Math.max(2 * p, fitBase),
  );
  const period = seasonality.period;
  const m = period ?? 1;
  const fitMin = Math.max(fitBase, period ? 2 * period : 0);
  const w = Math.max(1, Math.min(windowFor(horizon, stepSeconds, period), n - fitMin));
  const origins = Math.max(1, Math.min(MAX_ORIGINS, Math.floor((n - fitMin) / w)));
  const plan = planBacktest(n, w, origins);

  const notes: string[] = [];
  const evaluated: Evaluated[] = [];
  const wants = (name: ModelName) => model === 'auto' || model === name;
  if (wants('ets')) evaluated.push(evalEts(y, seasonality, plan, m, horizon));
  if (wants('seasonal_naive')) evaluated.push(evalNaive(y, plan, m, horizon));
  if (wants('lstm')) {
    if (model === 'auto' && budget < MIN_LSTM_BUDGET_MS)
      notes.push(`lstm skipped: budget ${budget} ms is under ${MIN_LSTM_BUDGET_MS} ms`);
    else if (model === 'auto' && plan.origins[0] < LSTM_MIN_TRAIN)
      notes.push(
        `lstm skipped: ${plan.origins[0]} values before the first origin, it trains on at least ${LSTM_MIN_TRAIN}`,
      );
    else evaluated.push(evalLstm(y, period, plan, m, horizon, budget));
  }
  const key = (e: Evaluated) => [Number.isFinite(e.candidate.mase) ? e.candidate.mase : Infinity, e.candidate.smape];
  let chosen = evaluated[0];
  for (const e of evaluated) {
    const [a, b] = key(e);
    const [c, d] = key(chosen);
    if (a < c || (a === c && b < d)) chosen = e;
  }
  const over = `${plan.origins.length} rolling origin${plan.origins.length > 1 ? 's' : ''} of ${w} steps`;
  const table = evaluated.map((e) => `${e.candidate.model} ${e.candidate.mase.toFixed(3)}`).join(', ');
  const selection =
    model === 'auto'
      ? `lowest MASE over ${over} (${table})${notes.length ? `; ${notes.join('; ')}` : ''}`
      : `asked for by name; its backtest over ${over} gives MASE ${chosen.candidate.mase.toFixed(3)}`;
  const final = chosen.finalize();
  return {
    model: chosen.candidate.model,
    method: final.method,
    seasonality,
    points: final.points,
    candidates: evaluated.map((e) => e.candidate),
    selection,
  };
}
