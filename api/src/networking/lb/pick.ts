// Choosing where a request goes: a target group by weight (smooth weighted round robin, so shares are exact over
// any window, not only on average), then a healthy target by round robin or least outstanding requests.
import type { Row } from '../../platform/resources/repo.js';
import type { GroupState, ListenerState, ServedLb, TargetState } from './model.js';

/** The target group of a forward action (nginx's smooth weighted round robin; weight 0 never chosen). */
export function pickGroup(lb: ServedLb, listener: ListenerState, key: string, action: Row): GroupState | undefined {
  const entries: Row[] = action.target_groups;
  if (entries.length === 1) return lb.groups.get(entries[0]!.target_group_id);
  const weights = entries.map((e) => e.weight ?? 1);
  const spec = JSON.stringify(entries);
  let state = listener.weights.get(key);
  if (!state || state.spec !== spec) listener.weights.set(key, (state = { spec, current: weights.map(() => 0) }));
  const total = weights.reduce((a, b) => a + b, 0);
  let best = -1;
  for (let i = 0; i < weights.length; i++) {
    state.current[i]! += weights[i]!;
    if (weights[i]! > 0 && (best < 0 || state.current[i]! > state.current[best]!)) best = i;
  }
  if (best < 0) return undefined;
  state.current[best]! -= total;
  return lb.groups.get(entries[best]!.target_group_id);
}

/** Targets that take new traffic: `ip` targets that passed their checks and are not draining. */
export function routable(g: GroupState): TargetState[] {
  const out: TargetState[] = [];
  for (const t of g.targets.values()) if (!t.instance && t.health === 'healthy') out.push(t);
  return out;
}

export function pickTarget(g: GroupState, sticky?: string): TargetState | undefined {
  const ready = routable(g);
  if (!ready.length) return undefined;
  if (sticky) {
    const t = ready.find((x) => x.id === sticky);
    if (t) return t;
  }
  const start = g.rr++ % ready.length;
  if (g.row.load_balancing_algorithm !== 'least_outstanding_requests') return ready[start];
  // Least outstanding requests, ties broken in round robin order.
  let best = ready[start]!;
  for (let i = 1; i < ready.length; i++) {
    const t = ready[(start + i) % ready.length]!;
    if (t.outstanding < best.outstanding) best = t;
  }
  return best;
}
