// Alerts (issue 19 item 4): the manifests of alert rules (with their evaluator and deliverer), notification
// channels and silences, for the monitoring service's index.
export { alertRuleKind } from './rules.js';
export { notificationChannelKind } from './channels.js';
export { silenceKind } from './silences.js';
