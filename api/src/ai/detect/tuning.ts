// Thresholds that learn from a person's "that was not an anomaly".

/** A tuned threshold sits this much above the highest false-positive score (10%: one marked point must not sit
 *  right at the edge, where the next similar wobble flags again). */
export const FEEDBACK_MARGIN = 0.1;
/** ...and never above this multiple of the base threshold, so a subscription tuned by many marks (or one mistaken
 *  mark on a huge spike) still sees a gross anomaly: at medium (4.5) the cap is a robust z of 11.25. */
export const FEEDBACK_CAP = 2.5;

/**
 * The rule: the smallest threshold above every score marked a false positive, with the margin:
 * max(base, (1 + margin) × the highest such score), capped at `cap` × base. Scores already under the base threshold
 * (marked on a looser setting) change nothing; the threshold only ever rises with feedback. For the forest (scores in
 * (0, 1), 0.5 ordinary) see tunedForestThreshold.
 */
export function tunedThreshold(base: number, falsePositiveScores: number[], o: { cap?: number } = {}): number {
  const finite = falsePositiveScores.filter(Number.isFinite);
  const highest = finite.length ? Math.max(...finite) : -Infinity;
  const cap = (o.cap ?? FEEDBACK_CAP) * base;
  return Math.min(cap, Math.max(base, (1 + FEEDBACK_MARGIN) * highest));
}

/** The forest's ceiling: a row scoring 0.9 is isolated by a cut or two in nearly every tree, always worth seeing. */
export const FOREST_FEEDBACK_CAP = 0.9;

/**
 * The same rule on the forest's scale, where the distance from 0.5 (an ordinary row) is what grows: the margin is
 * 10% of the highest false positive's distance above 0.5, and the threshold never rises past 0.9.
 */
export function tunedForestThreshold(base: number, falsePositiveScores: number[]): number {
  const finite = falsePositiveScores.filter(Number.isFinite);
  if (!finite.length) return base;
  const highest = Math.max(...finite);
  const raised = 0.5 + (1 + FEEDBACK_MARGIN) * (highest - 0.5);
  return Math.min(Math.max(FOREST_FEEDBACK_CAP, base), Math.max(base, raised));
}
