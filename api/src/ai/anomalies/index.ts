// Anomaly detection (issue 21 items 2 and 4): the subscriptions' manifest (with the engine that scores as points
// arrive) and the operations on what it found (anomalies, episodes, false-positive feedback).
export { anomalySubscriptionKind } from './subscriptions.js';
export { anomalyOperations } from './feed.js';
