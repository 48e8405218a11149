import { describe, expect, it } from 'vitest';
import { formatLossTerms } from './format-loss-terms.js';

describe('formatLossTerms', () => {
  it('prints every term with 4 significant digits, in order', () => {
    expect(formatLossTerms({ total: 0.51234, soft: 12.3456, hard: 0.3 })).toBe(
      'total 0.5123 · soft 12.35 · hard 0.3000',
    );
  });

  it('keeps only the chosen terms and takes digits and separator', () => {
    expect(
      formatLossTerms(
        { total: 1, soft: 2, hard: 3 },
        { only: ['hard', 'total'], digits: 2, separator: ' ' },
      ),
    ).toBe('total 1.0 hard 3.0');
  });

  it('prints non-finite values as they are', () => {
    expect(formatLossTerms({ total: Number.NaN, hard: Number.POSITIVE_INFINITY })).toBe(
      'total NaN · hard Infinity',
    );
  });
});
