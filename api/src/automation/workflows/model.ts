// The workflow language's shapes (a subset of Amazon States Language) and the errors and signals the interpreter
// throws: a Failure is an ASL error a Retry or Catch can match; a Suspend ends a pass until its wake time.
import type { ChoiceRule } from './choice.js';
import type { Json } from './paths.js';

export type { Json };

export interface Machine {
  StartAt: string;
  States: Record<string, State>;
  Comment?: string;
  /** the whole execution's limit (platform time); only on the top-level machine */
  TimeoutSeconds?: number;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

export type StateType = 'Task' | 'Choice' | 'Wait' | 'Parallel' | 'Map' | 'Pass' | 'Succeed' | 'Fail';

export interface State {
  Type: StateType;
  Comment?: string;
  Next?: string;
  End?: boolean;
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
  Parameters?: Json;
  ResultSelector?: Json;
  Retry?: Retrier[];
  Catch?: Catcher[];
  // Task
  Resource?: string;
  TimeoutSeconds?: number;
  WaitForReady?: boolean;
  // Pass
  Result?: Json;
  // Choice
  Choices?: ChoiceRule[];
  Default?: string;
  // Wait
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  // Parallel
  Branches?: Machine[];
  // Map
  ItemsPath?: string;
  ItemSelector?: Json;
  ItemProcessor?: Machine;
  MaxConcurrency?: number;
  // Fail
  Error?: string;
  Cause?: string;
}

/** The fields each state type may have, besides Type and Comment. */
export const FIELDS: Record<StateType, readonly string[]> = {
  Task: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'ResultPath',
    'Parameters',
    'ResultSelector',
    'Retry',
    'Catch',
    'Resource',
    'TimeoutSeconds',
    'WaitForReady',
  ],
  Pass: ['Next', 'End', 'InputPath', 'OutputPath', 'ResultPath', 'Parameters', 'Result'],
  Choice: ['Choices', 'Default', 'InputPath', 'OutputPath'],
  Wait: ['Next', 'End', 'InputPath', 'OutputPath', 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Succeed: ['InputPath', 'OutputPath'],
  Fail: ['Error', 'Cause'],
  Parallel: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'ResultPath',
    'Parameters',
    'ResultSelector',
    'Retry',
    'Catch',
    'Branches',
  ],
  Map: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'ResultPath',
    'ItemsPath',
    'ItemSelector',
    'ResultSelector',
    'Retry',
    'Catch',
    'ItemProcessor',
    'MaxConcurrency',
  ],
};

/** States that end a machine by themselves; the others need Next or End (Choice needs neither). */
export const TERMINAL: ReadonlySet<StateType> = new Set(['Succeed', 'Fail']);

/** The most concurrent Map iterations one execution runs at once (MaxConcurrency 0 means this many). */
export const MAP_CONCURRENCY_CAP = 40;
/** State transitions an execution may make before it fails (a loop that never ends). */
export const MAX_TRANSITIONS = 25_000;

/** An ASL error: States.Timeout, States.TaskFailed, a problem code of the API (Conflict, NotFound, ...), or a Fail's. */
export class Failure extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** Not an error: the pass stops here and the execution is advanced again at `wakeAt` (platform ms). */
export class Suspend extends Error {
  constructor(readonly wakeAt: number) {
    super(`suspended until ${new Date(wakeAt).toISOString()}`);
  }
}

/** The execution was cancelled while the pass ran: nothing more starts. */
export class Aborted extends Error {}

/** Whether a Retry's or Catch's ErrorEquals matches `error` (States.ALL matches all but States.Runtime). */
export function matches(errorEquals: string[], error: string): boolean {
  return errorEquals.some(
    (e) =>
      e === error ||
      (e === 'States.ALL' && error !== 'States.Runtime') ||
      (e === 'States.TaskFailed' && !error.startsWith('States.')) ||
      (e === 'States.TaskFailed' && error === 'States.Permissions'),
  );
}
