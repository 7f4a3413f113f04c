// The instance state machine: which actions are legal from which status.
import { problems } from '../platform/problems.js';
import type { Schemas } from '../platform/resources/repo.js';

export type InstanceStatus = Schemas['InstanceStatus'];
export type PowerAction = 'start' | 'stop';
type PowerState = Schemas['Instance']['power_state'];

const TRANSITIONS: Record<PowerAction, { from: InstanceStatus[]; to: PowerState }> = {
  start: { from: ['stopped'], to: 'running' },
  stop: { from: ['running'], to: 'stopped' },
};

/** The status after `action`, or a 409 naming the current status and the statuses that allow it. */
export function transition(id: string, action: PowerAction, current: InstanceStatus): PowerState {
  const t = TRANSITIONS[action];
  if (!t.from.includes(current)) throw problems.invalidTransition('instance', id, action, current, t.from);
  return t.to;
}

export const actionFor = (power: 'running' | 'stopped'): PowerAction => (power === 'running' ? 'start' : 'stop');
