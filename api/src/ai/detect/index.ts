// The anomaly detectors of the AI service, pure and measured: a seasonal robust-z baseline for single series, an
// isolation forest over a resource's joint features, episodes, and thresholds tuned by false-positive feedback.
// No I/O: the streaming engine (ai/anomalies) stores what these fit and calls these to score what arrives. Their
// quality on labelled series is in test/unit/ai/detect/quality.test.ts and bench/RESULTS.md.

export type { Sensitivity, TimedValue, PointScore } from './types.js';
export {
  type Baseline,
  InsufficientHistory,
  THRESHOLDS,
  fitBaseline,
  minimumBaselinePoints,
  scorePoint,
} from './baseline.js';
export { FOREST_THRESHOLDS, type ForestScoring, IsolationForest, averagePathLength } from './forest.js';
export { type FeatureScaling, type JointFeatures, jointFeatures, minimumFeatureRows, scaleRow } from './features.js';
export { type Episode, groupEpisodes } from './episodes.js';
export { FEEDBACK_CAP, FEEDBACK_MARGIN, FOREST_FEEDBACK_CAP, tunedForestThreshold, tunedThreshold } from './tuning.js';
export { MAD_TO_SIGMA } from './robust.js';
