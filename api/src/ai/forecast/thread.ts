// The forecasting thread's entry: answers `forecast` requests from the process's main thread, one at a time, so a
// fit (ETS's optimiser, the LSTM's training: hundreds of milliseconds of CPU each) never holds the HTTP event loop.
import { parentPort } from 'node:worker_threads';
import { forecast } from './forecast.js';
import { InsufficientHistory, type ForecastInput } from './types.js';
import type { ThreadAnswer } from './off-loop.js';

const port = parentPort!;
port.on('message', ({ id, input }: { id: number; input: ForecastInput }) => {
  let answer: ThreadAnswer;
  try {
    answer = { id, ok: true, result: forecast(input) };
  } catch (e) {
    answer =
      e instanceof InsufficientHistory
        ? { id, ok: false, insufficient: { needed: e.needed, have: e.have, why: e.why } }
        : { id, ok: false, error: { name: (e as Error).name, message: (e as Error).message } };
  }
  port.postMessage(answer);
});
