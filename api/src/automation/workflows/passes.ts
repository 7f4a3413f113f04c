// The interpreter's two mechanisms that are not states: run-time path problems turned into ASL errors, and the
// bounded pool that Map and Parallel run their iterations in.
import { Failure, Suspend } from './model.js';
import { PathError } from './paths.js';

/** A path or intrinsic problem at run time, as the ASL error it is. */
export function runtime<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    const error =
      e.code === 'IntrinsicFailure'
        ? 'States.IntrinsicFailure'
        : e.code === 'NoChoiceMatched'
          ? 'States.NoChoiceMatched'
          : 'States.Runtime';
    throw new Failure(error, e.message);
  }
}

/**
 * Runs `work` for each index, at most `limit` at once. An index that suspends keeps its slot for the rest of the
 * pass (it is still in flight), so MaxConcurrency holds across waits; a failure stops new starts.
 */
export async function pool(todo: number[], limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  let wake: number | undefined;
  const worker = async () => {
    while (next < todo.length && failure === undefined) {
      const i = todo[next++]!;
      try {
        await work(i);
      } catch (e) {
        if (e instanceof Suspend) wake = Math.min(wake ?? Infinity, e.wakeAt);
        else failure ??= e;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, todo.length) }, worker));
  if (failure !== undefined) throw failure;
  if (wake !== undefined) throw new Suspend(wake);
}
