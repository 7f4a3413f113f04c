// Feedback tuning (ai/detect/tuning.ts): a false positive raises the threshold just above itself, never lowers it,
// never past the cap.
import { expect } from 'chai';
import {
  FOREST_FEEDBACK_CAP,
  THRESHOLDS,
  tunedForestThreshold,
  tunedThreshold,
} from '../../../../api/src/ai/detect/index.js';

describe('ai/detect: thresholds tuned by false positives', () => {
  it('rises to 10% above the highest score marked a false positive', () => {
    expect(tunedThreshold(4.5, [5])).to.be.closeTo(5.5, 1e-12);
    expect(tunedThreshold(4.5, [5, 6, 4.8])).to.be.closeTo(6.6, 1e-12);
  });

  it('never goes below the base, whatever was marked (no marks, or marks under the base)', () => {
    expect(tunedThreshold(4.5, [])).to.equal(4.5);
    expect(tunedThreshold(4.5, [3.9])).to.equal(4.5);
    expect(tunedThreshold(4.5, [NaN])).to.equal(4.5);
  });

  it('stops at 2.5 times the base, so a gross anomaly stays visible after any amount of feedback', () => {
    expect(tunedThreshold(THRESHOLDS.medium, [50])).to.equal(11.25);
    expect(tunedThreshold(4, [50], { cap: 2 })).to.equal(8);
  });

  it('on the forest scale measures the margin from 0.5, and caps at 0.9', () => {
    expect(tunedForestThreshold(0.72, [0.75])).to.be.closeTo(0.775, 1e-12);
    expect(tunedForestThreshold(0.72, [0.7])).to.equal(0.72);
    expect(tunedForestThreshold(0.72, [])).to.equal(0.72);
    expect(tunedForestThreshold(0.72, [0.99])).to.equal(FOREST_FEEDBACK_CAP);
  });

  it('a tuned threshold silences the marked point and its like, and still flags a larger one', () => {
    const t = tunedThreshold(4.5, [6.2]);
    expect(6.2 > t).to.equal(false);
    expect(6.5 > t).to.equal(false);
    expect(9 > t).to.equal(true);
  });
});
