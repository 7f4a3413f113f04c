// The shapes the detectors exchange with the streaming engine (JSON-serialisable where the engine stores them).

export type Sensitivity = 'low' | 'medium' | 'high';

export interface TimedValue {
  /** epoch milliseconds */
  t: number;
  v: number;
}

/** One point scored against a baseline. */
export interface PointScore {
  t: number;
  value: number;
  expected: number;
  /** the expected range at the threshold used */
  low: number;
  high: number;
  /** robust z: |v - expected| / (1.4826 * MAD), the MAD floored (robust.ts says how) */
  score: number;
  anomalous: boolean;
}
