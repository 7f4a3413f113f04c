// One evaluation of a rule, as Prometheus's alerting rule does it: each series of the result is an alert, pending
// from the first evaluation its condition holds, firing once it has held for `for`; an alert whose series is gone
// is resolved (if it fired) or dropped (if it was pending). Pure: the evaluator (evaluator.ts) reads and writes.
import type { Labels } from '../types.js';
import { fingerprint, type NotifiedAlert } from './payload.js';
import { silencing, type SilenceRow } from './silences-match.js';
import { expandAll } from './templates.js';

export interface LiveAlert {
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  /** null: NaN or infinite (JSON has neither) */
  value: number | null;
  active_at: string;
  fired_at: string | null;
  silenced_by: string[];
}

export interface Transition {
  fingerprint: string;
  labels: Labels;
  from: 'inactive' | 'pending' | 'firing';
  to: 'pending' | 'firing' | 'resolved' | 'inactive';
  value: number | null;
  silenced: boolean;
}

export interface RuleShape {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  forMs: number;
  generatorURL: string;
}

export interface Outcome {
  alerts: LiveAlert[];
  state: 'inactive' | 'pending' | 'firing';
  transitions: Transition[];
  /** what the channels are told, or empty when nothing they would hear of changed */
  notify: NotifiedAlert[];
}

export class EvaluationError extends Error {}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** The alerts' labels: the series' without `__name__`, the rule's (templated) over them, and `alertname`. */
function alertLabels(rule: RuleShape, series: Labels, value: number): Labels {
  const { __name__: _dropped, ...rest } = series;
  return { ...rest, ...expandAll(rule.labels, series, value), alertname: rule.name };
}

export function evaluate(
  rule: RuleShape,
  previous: LiveAlert[],
  result: { labels: Labels; v: number }[],
  now: number,
  silences: SilenceRow[],
): Outcome {
  const at = new Date(now).toISOString();
  const before = new Map(previous.map((a) => [a.fingerprint, a]));
  const alerts: LiveAlert[] = [];
  const transitions: Transition[] = [];
  const changed: { alert: LiveAlert; status: 'firing' | 'resolved' }[] = [];
  const seen = new Set<string>();
  for (const sample of result) {
    const labels = alertLabels(rule, sample.labels, sample.v);
    const fp = fingerprint(labels);
    if (seen.has(fp))
      throw new EvaluationError('the result has two series with the same labels once the alert labels are applied');
    seen.add(fp);
    const old = before.get(fp);
    const silenced_by = silencing(silences, labels, now);
    const alert: LiveAlert = {
      fingerprint: fp,
      labels,
      annotations: expandAll(rule.annotations, sample.labels, sample.v),
      state: old?.state ?? 'pending',
      value: finite(sample.v),
      active_at: old?.active_at ?? at,
      fired_at: old?.fired_at ?? null,
      silenced_by,
    };
    const step = (from: Transition['from'], to: Transition['to']) =>
      transitions.push({ fingerprint: fp, labels, from, to, value: alert.value, silenced: silenced_by.length > 0 });
    if (alert.state === 'pending' && now - new Date(alert.active_at).getTime() >= rule.forMs) {
      alert.state = 'firing';
      alert.fired_at = at;
      step(old ? 'pending' : 'inactive', 'firing');
      changed.push({ alert, status: 'firing' });
    } else if (!old) step('inactive', 'pending');
    alerts.push(alert);
  }
  for (const old of previous) {
    if (seen.has(old.fingerprint)) continue;
    const silenced_by = silencing(silences, old.labels, now);
    transitions.push({
      fingerprint: old.fingerprint,
      labels: old.labels,
      from: old.state,
      to: old.state === 'firing' ? 'resolved' : 'inactive',
      value: null,
      silenced: silenced_by.length > 0,
    });
    if (old.state === 'firing') changed.push({ alert: { ...old, silenced_by }, status: 'resolved' });
  }
  const audible = (a: LiveAlert) => a.silenced_by.length === 0;
  // Alertmanager tells a group's receivers of the whole group each time it changes: every firing alert of the rule
  // that no silence holds, and the ones resolved just now. A change only silenced alerts made is told to no one.
  const notify: NotifiedAlert[] = changed.some((c) => audible(c.alert))
    ? [
        ...alerts.filter((a) => a.state === 'firing' && audible(a)).map((a) => notified(rule, a, 'firing', null)),
        ...changed
          .filter((c) => c.status === 'resolved' && audible(c.alert))
          .map((c) => notified(rule, c.alert, 'resolved', at)),
      ]
    : [];
  const state = alerts.some((a) => a.state === 'firing')
    ? 'firing'
    : alerts.some((a) => a.state === 'pending')
      ? 'pending'
      : 'inactive';
  return { alerts, state, transitions, notify };
}

const notified = (
  rule: RuleShape,
  a: LiveAlert,
  status: 'firing' | 'resolved',
  endsAt: string | null,
): NotifiedAlert => ({
  status,
  labels: a.labels,
  annotations: a.annotations,
  // Prometheus sends an alert's FiredAt as its startsAt (the pending time before it is not part of the incident).
  startsAt: a.fired_at ?? a.active_at,
  endsAt,
  generatorURL: rule.generatorURL,
  fingerprint: a.fingerprint,
});
