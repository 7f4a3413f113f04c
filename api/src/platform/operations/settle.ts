// `Prefer: wait=N` (RFC 7240) on a create, for every caller: the answer waits until the new resource leaves its
// transitional status, so a client that wants the finished resource needs one request instead of a polling loop.
// The wait ends on the resource's own change event (LISTEN/NOTIFY, so a worker in another process counts too).
import type { ChangeEvent, EventBus, Watch } from '../events/bus.js';
import type { ResourceMeta } from '../resources/registry-types.js';
import type { Result } from './context.js';

/** The longest wait a caller may ask for. */
export const MAX_WAIT_SECONDS = 60;

/**
 * Re-reads through `current` until the resource's status is ready or failed, or `seconds` pass. `known` is the
 * resource as its own writer just returned it, with the watch armed before that write committed: the answer stands
 * for the first read unless an event has already moved the resource on.
 */
export async function settle(
  events: EventBus,
  meta: ResourceMeta,
  id: string,
  seconds: number,
  current: () => Promise<Result>,
  known?: { answer: Result; watch: Watch },
): Promise<Result> {
  const field = meta.statusField!;
  const ends = new Set([...meta.readyStatus, ...meta.failedStatus]);
  const isSettled = (r: Result) => r.status !== 200 || ends.has((r.body as Record<string, unknown>)[field] as string);
  const settles = (ev: ChangeEvent) => ev.status === undefined || ends.has(ev.status) || ev.type === 'deleted';
  let wake!: () => void;
  const woke = new Promise<void>((resolve) => {
    wake = resolve;
  });
  // Subscribed before the first read, so a change between the read and the wait is not missed.
  const off = events.subscribeTo(id, (ev) => {
    if (settles(ev)) wake();
  });
  const timer = setTimeout(wake, seconds * 1000);
  try {
    const now = known && !known.watch.heard().some(settles) ? known.answer : await current();
    if (isSettled(now)) return now;
    await woke;
    return await current();
  } finally {
    off();
    clearTimeout(timer);
  }
}
