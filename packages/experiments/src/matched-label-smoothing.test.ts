import { describe, expect, it } from 'vitest';
import { labelSmoothingEntropy, matchedLabelSmoothing } from './matched-label-smoothing.js';

describe('labelSmoothingEntropy', () => {
  it('is 0 for a one-hot target and ln K for the uniform one', () => {
    expect(labelSmoothingEntropy(0, 10)).toBe(0);
    expect(labelSmoothingEntropy(1, 10)).toBeCloseTo(Math.log(10), 12);
    expect(labelSmoothingEntropy(1, 2)).toBeCloseTo(Math.log(2), 12);
  });

  it('matches −q ln q − (K − 1) r ln r', () => {
    // ε = 0.1, K = 10: q = 0.91, r = 0.01.
    const expected = -0.91 * Math.log(0.91) - 9 * 0.01 * Math.log(0.01);
    expect(labelSmoothingEntropy(0.1, 10)).toBeCloseTo(expected, 12);
  });
});

describe('matchedLabelSmoothing', () => {
  it('inverts labelSmoothingEntropy', () => {
    for (const epsilon of [0, 0.01, 0.2, 0.5, 0.85]) {
      expect(matchedLabelSmoothing(labelSmoothingEntropy(epsilon, 10), 10)).toBeCloseTo(epsilon, 9);
    }
  });

  it('rejects an entropy above ln K with OUT_OF_RANGE', () => {
    expect(() => matchedLabelSmoothing(3, 10)).toThrow(
      /matchedLabelSmoothing: entropy must be in \[0, ln 10/,
    );
  });
});
