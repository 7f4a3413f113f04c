// `forecast` off the event loop: requests go to one worker thread per process (started at the first, unref'd so it
// never keeps a process alive), queued there in order. Its answers are the library's own: the result, or the same
// InsufficientHistory or RangeError the pure function throws. A thread that dies fails what it held and the next
// request starts another.
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../../platform/ts-worker.js';
import { InsufficientHistory, type ForecastInput, type ForecastResult } from './types.js';

export type ThreadAnswer =
  | { id: number; ok: true; result: ForecastResult }
  | { id: number; ok: false; insufficient: { needed: number; have: number; why: string } }
  | { id: number; ok: false; error: { name: string; message: string } };

interface Waiting {
  resolve(r: ForecastResult): void;
  reject(e: Error): void;
}

let worker: Worker | undefined;
const waiting = new Map<number, Waiting>();
let serial = 0;

function failAll(e: Error) {
  for (const w of waiting.values()) w.reject(e);
  waiting.clear();
  worker = undefined;
}

function started(): Worker {
  if (worker) return worker;
  const w = tsWorker(new URL('./thread.ts', import.meta.url));
  w.unref();
  w.on('message', (a: ThreadAnswer) => {
    const who = waiting.get(a.id);
    if (!who) return;
    waiting.delete(a.id);
    if (a.ok) who.resolve(a.result);
    else if ('insufficient' in a)
      who.reject(new InsufficientHistory(a.insufficient.needed, a.insufficient.have, a.insufficient.why));
    else
      who.reject(
        Object.assign(a.error.name === 'RangeError' ? new RangeError(a.error.message) : new Error(a.error.message)),
      );
  });
  w.on('error', (e) => failAll(e));
  w.on('exit', (code) => failAll(new Error(`the forecasting thread stopped (exit code ${code})`)));
  return (worker = w);
}

/** `forecast(input)`, computed on the forecasting thread. */
export function forecastOffLoop(input: ForecastInput): Promise<ForecastResult> {
  const id = ++serial;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    started().postMessage({ id, input });
  });
}
