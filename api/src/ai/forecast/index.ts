// The forecasting library of the AI service: pure functions, no I/O. `forecast` is what the predictions
// endpoint calls; the pieces are exported for their tests and for the other AI families.
export * from './types.js';
export { forecastOffLoop } from './off-loop.js';
export { forecast, minimumHistory, DEFAULT_BUDGET_MS, FIT_MIN, MAX_ORIGINS, MIN_LSTM_BUDGET_MS } from './forecast.js';
export * as ets from './ets.js';
export * as etsFit from './ets-fit.js';
export * as seasonality from './seasonality.js';
export * as seasonalNaive from './seasonal-naive.js';
export * as lstm from './lstm.js';
export * as lstmNet from './lstm-net.js';
export * as backtest from './backtest.js';
export * as intervals from './intervals.js';
export * as fill from './fill.js';
export * as nelderMead from './nelder-mead.js';
