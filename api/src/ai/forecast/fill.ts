// Missing steps (NaN) are filled by linear interpolation between their neighbours (carried flat at the edges):
// every model here needs an unbroken series, and interpolation is the least-assuming fill for a metric.
export function countFinite(values: ArrayLike<number>): number {
  let k = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) k++;
  return k;
}

export function fillMissing(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  let prev = -1; // index of the last finite value seen
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    out[i] = v;
    if (prev === -1) {
      for (let j = 0; j < i; j++) out[j] = v;
    } else if (i - prev > 1) {
      const a = out[prev];
      for (let j = prev + 1; j < i; j++) out[j] = a + ((v - a) * (j - prev)) / (i - prev);
    }
    prev = i;
  }
  if (prev === -1) return out; // all missing: the caller refuses this before
  for (let j = prev + 1; j < n; j++) out[j] = out[prev];
  return out;
}
