// What a pass works through: the journal of what it already did (steps, each written with its history event) and
// the effects it has on the world (the clock, the API as the owner, whether the execution was cancelled).
import type { Json } from './paths.js';

export interface Step {
  key: string;
  status: 'entered' | 'waiting' | 'done' | 'failed';
  output?: Json;
  error?: string | null;
  cause?: string | null;
  wakeAt?: number | null;
}

export interface HistoryEvent {
  type: string;
  state?: string;
  path?: string;
  details?: Record<string, Json>;
}

/** Where the pass keeps what it did: read from memory, written through to the database with the event it makes. */
export interface Journal {
  get(key: string): Step | undefined;
  put(step: Step, event?: HistoryEvent): Promise<void>;
}

export interface TaskCall {
  operationId: string;
  params: Record<string, string>;
  body: Json | undefined;
  /** the attempt's journal key: the idempotency key is made from it */
  key: string;
  timeoutSeconds: number;
  waitForReady: boolean;
}

/** What the pass does to the world: the clock, the API (as the owner), and whether it was cancelled. */
export interface Effects {
  now(): number;
  call(c: TaskCall): Promise<Json>;
  aborted(): Promise<boolean>;
}

export interface RunInfo {
  executionId: string;
  input: Json;
  startTime: string;
  redriveCount: number;
}
