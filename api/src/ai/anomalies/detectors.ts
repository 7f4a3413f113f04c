// What the anomaly engine uses of the detectors (ai/detect/): one import point, so the engine names no file of theirs.
export {
  FOREST_THRESHOLDS,
  InsufficientHistory,
  IsolationForest,
  THRESHOLDS,
  fitBaseline,
  jointFeatures,
  minimumBaselinePoints,
  scorePoint,
  tunedForestThreshold,
  tunedThreshold,
  type FeatureScaling,
  type Baseline,
  type PointScore,
  type Sensitivity,
  type TimedValue,
} from '../detect/index.js';
