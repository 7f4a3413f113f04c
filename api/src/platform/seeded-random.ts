// A seeded pseudo-random generator (mulberry32): models trained and tests fuzzed from a seed give the same draws
// every run, so a result (an isolation forest, an LSTM's weights, k-means' first centres, a fuzz failure) is
// reproducible from its seed alone.

/** A generator of uniform draws in [0, 1), fully determined by `seed`. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
