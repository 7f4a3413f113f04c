// The AI service: forecasts of metric series (predictions/), anomaly detection with its subscriptions and
// episodes (anomalies/), and recommendations costed from the price catalogue (recommendations/, prices/). Every
// number it answers is computed from the monitoring service's series, and says by which method.
import { defineService } from '../platform/manifest.js';
import { anomalyOperations, anomalySubscriptionKind } from './anomalies/index.js';
import { predictionOperations } from './predictions/index.js';
import { priceKind } from './prices/index.js';
import { recommendationKind } from './recommendations/index.js';

export const ai = defineService('ai', [
  predictionOperations,
  anomalySubscriptionKind,
  anomalyOperations,
  priceKind,
  recommendationKind,
]);
