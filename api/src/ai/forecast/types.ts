// The forecasting library's public shapes (the HTTP endpoint and the Terraform data source build on these).
export type ModelName = 'ets' | 'seasonal_naive' | 'lstm';

export interface ForecastInput {
  /** Evenly spaced values, oldest first; NaN marks a missing step (fill or skip as the model needs). */
  values: number[];
  /** Seconds between values. */
  stepSeconds: number;
  /** How many steps ahead to forecast. */
  horizon: number;
  model: ModelName | 'auto';
  /** CPU-time budget for training (the LSTM), ms; default 2000. Deterministic given the same input (seeded). */
  budgetMs?: number;
}

export interface Seasonality {
  kind: 'daily' | 'weekly' | 'none';
  /** In steps. */
  period: number | null;
  strength: number;
  method: string;
}

export interface ForecastPoint {
  mean: number;
  lower80: number;
  upper80: number;
  lower95: number;
  upper95: number;
}

export interface Candidate {
  model: ModelName;
  method: string;
  /** Mean over the origins; NaN (or Infinity) when the in-sample seasonal naive MAE is 0 (a constant series),
   *  where M4's MASE is undefined: the choice then falls to sMAPE. */
  mase: number;
  /** Percent, 0..200 (M4). */
  smape: number;
  origins: number;
}

export interface ForecastResult {
  model: ModelName;
  /** Human-readable: the model, its parameters, how it was fitted, and how the intervals were made. */
  method: string;
  seasonality: Seasonality;
  /** `horizon` entries, step i+1 after the last value. */
  points: ForecastPoint[];
  /** The backtest table (for model=auto; for a named model, its own backtest row). */
  candidates: Candidate[];
  /** Why this model (e.g. "lowest MASE over 4 rolling origins"). */
  selection: string;
}

/** Too few values for the model and horizon asked: the endpoint answers 422 with `needed` and `why`. */
export class InsufficientHistory extends Error {
  constructor(
    readonly needed: number,
    readonly have: number,
    readonly why: string,
  ) {
    super(`insufficient history: ${have} usable values, ${needed} needed (${why})`);
    this.name = 'InsufficientHistory';
  }
}
