// The platform's one notion of "now". Real mode follows the system clock; manual mode (ATONIX_CLOCK=manual, for
// tests and demos) starts at the real time and moves only when an admin sets it, so deletion windows, schedules
// and expiries are tested by moving time, never by sleeping through it. Work that becomes due as time passes
// (sweepers) registers with onTick: it runs when the clock is moved, and on an interval in real mode.

/** node's timers hold at most 2^31-1 ms (~24.8 days); a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type TickHandler = (nowMs: number) => Promise<void> | void;

export interface Timer {
  cancel(): void;
}

export class Clock {
  private manualNow: number | undefined;
  private handlers = new Set<TickHandler>();
  /** timers armed in manual mode: they fire when the clock reaches them */
  private due = new Set<{ at: number; fn: () => void }>();
  private interval?: NodeJS.Timeout;

  constructor(
    readonly manual: boolean,
    private onError: (e: unknown) => void = () => {},
  ) {
    if (manual) this.manualNow = Date.now();
  }

  /** Milliseconds since the epoch, platform time. */
  now(): number {
    return this.manualNow ?? Date.now();
  }

  date(): Date {
    return new Date(this.now());
  }

  /**
   * Moves a manual clock to `ms` (never backwards: what fired cannot be unfired), fires the timers that became
   * due and runs the tick handlers; resolves once they have run.
   */
  async set(ms: number): Promise<void> {
    if (this.manualNow === undefined) throw new Error('the clock is not manual');
    if (ms > this.manualNow) this.manualNow = ms;
    for (const t of [...this.due]) {
      if (t.at > this.manualNow) continue;
      this.due.delete(t);
      t.fn();
    }
    await this.tick();
  }

  /** Work to run whenever time moves; returns its removal. */
  onTick(fn: TickHandler): () => void {
    this.handlers.add(fn);
    return () => this.handlers.delete(fn);
  }

  /** Runs every tick handler once, one after another; a failing one is reported and does not stop the rest. */
  async tick(): Promise<void> {
    const now = this.now();
    for (const fn of [...this.handlers]) {
      try {
        await fn(now);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  /** Real mode: tick every `seconds` (where workers run). Manual mode ticks only when moved. */
  startTicking(seconds: number): void {
    if (this.manual || this.interval) return;
    this.interval = setInterval(() => void this.tick(), seconds * 1000);
    this.interval.unref();
  }

  stop(): void {
    clearInterval(this.interval);
    this.interval = undefined;
    this.due.clear();
  }

  /** Runs `fn` at platform time `at` (ms), however far ahead; unref'd, cancellable. */
  at(at: number, fn: () => void): Timer {
    if (this.manual) {
      const entry = { at, fn };
      if (at <= this.now()) {
        queueMicrotask(fn);
        return { cancel: () => {} };
      }
      this.due.add(entry);
      return { cancel: () => this.due.delete(entry) };
    }
    let timer: NodeJS.Timeout;
    const arm = () => {
      const left = at - Date.now();
      timer = setTimeout(left > MAX_TIMER_MS ? arm : fn, Math.max(0, Math.min(left, MAX_TIMER_MS)));
      timer.unref();
    };
    arm();
    return { cancel: () => clearTimeout(timer) };
  }
}
