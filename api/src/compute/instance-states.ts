// The instance state machine: which actions are legal from which status.
import { problems } from '../platform/problems.js';

export type InstanceStatus = 'building' | 'running' | 'stopped' | 'error';
export type PowerAction = 'start' | 'stop';

const TRANSITIONS: Record<PowerAction, { from: InstanceStatus[]; to: InstanceStatus }> = {
  start: { from: ['stopped'], to: 'running' },
  stop: { from: ['running'], to: 'stopped' },
};

/** The status after `action`, or a 409 naming the current status and the statuses that allow it. */
export function transition(id: string, action: PowerAction, current: InstanceStatus): InstanceStatus {
  const t = TRANSITIONS[action];
  if (!t.from.includes(current)) throw problems.invalidTransition('instance', id, action, current, t.from);
  return t.to;
}

export const actionFor = (power: 'running' | 'stopped'): PowerAction => (power === 'running' ? 'start' : 'stop');
