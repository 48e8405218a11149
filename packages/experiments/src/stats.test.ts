import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import {
  meanCi,
  meanStd,
  pairedComparison,
  studentTCdf,
  studentTQuantile,
  twoSidedP,
  welchComparison,
} from './stats.js';

describe('meanStd', () => {
  it('gives the mean and the sample (n − 1) standard deviation', () => {
    const s = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBeCloseTo(5, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.n).toBe(8);
  });

  it('gives std 0 for one value and rejects an empty list', () => {
    expect(meanStd([0.8855])).toEqual({ mean: 0.8855, std: 0, n: 1 });
    expect(() => meanStd([])).toThrow(/meanStd: values is empty/);
  });
});

describe('studentTCdf', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    for (const t of [-7.5, -1.3, 0, 0.4, 1, 2.5, 30]) {
      // df = 1 is Cauchy; df = 2: ½ + t / (2√(2 + t²)).
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('matches tabulated values and tends to the normal for large df', () => {
    // scipy.stats.t.cdf(2, 5) = 0.9490302605850709.
    expect(studentTCdf(2, 5)).toBeCloseTo(0.9490302605850709, 10);
    // Φ(1.959964) = 0.975.
    expect(studentTCdf(1.959963984540054, 1e7)).toBeCloseTo(0.975, 6);
    expect(studentTCdf(0, 3.7)).toBe(0.5);
    expect(studentTCdf(Number.POSITIVE_INFINITY, 4)).toBe(1);
  });

  it('rejects degrees of freedom ≤ 0 with INVALID_ARGUMENT', () => {
    try {
      studentTCdf(1, 0);
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(String(error)).toMatch(/studentTCdf: degrees of freedom/);
    }
  });
});

describe('studentTQuantile', () => {
  it('gives the 95% two-sided critical values of the t table', () => {
    const table: [number, number][] = [
      [1, 12.706204736174698],
      [2, 4.302652729749464],
      [4, 2.7764451051977934],
      [9, 2.2621571628540993],
      [10, 2.2281388519649385],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 8);
  });

  it('inverts the CDF, is odd around 0.5, and rejects p outside (0, 1)', () => {
    expect(studentTCdf(studentTQuantile(0.9, 3.3), 3.3)).toBeCloseTo(0.9, 10);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977934, 8);
    expect(() => studentTQuantile(1, 4)).toThrow(/p must be in \(0, 1\)/);
  });
});

describe('twoSidedP', () => {
  it('is 2·P(T ≥ |t|)', () => {
    expect(twoSidedP(4.302652729749464, 2)).toBeCloseTo(0.05, 10);
    expect(twoSidedP(-4.302652729749464, 2)).toBeCloseTo(0.05, 10);
    expect(twoSidedP(0, 7)).toBe(1);
  });
});

describe('pairedComparison', () => {
  it('tests the per-pair differences: mean, 95% CI, t, p and d_z', () => {
    // Differences 1, 2, 3, 4, 5: mean 3, sd √2.5, se √0.5, t = 3/√0.5 = 4.2426 on 4 df.
    const c = pairedComparison([2, 4, 6, 8, 10], [1, 2, 3, 4, 5]);
    const se = Math.sqrt(0.5);
    expect(c.differences).toEqual([1, 2, 3, 4, 5]);
    expect(c.meanDiff).toBe(3);
    expect(c.sdDiff).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(c.t).toBeCloseTo(3 / se, 10);
    expect(c.df).toBe(4);
    expect(c.ci95[0]).toBeCloseTo(3 - 2.7764451051977934 * se, 8);
    expect(c.ci95[1]).toBeCloseTo(3 + 2.7764451051977934 * se, 8);
    // scipy.stats.ttest_rel([2,4,6,8,10],[1,2,3,4,5]).pvalue = 0.013306...
    expect(c.p).toBeCloseTo(twoSidedP(3 / se, 4), 12);
    expect(c.p).toBeGreaterThan(0.0132);
    expect(c.p).toBeLessThan(0.0134);
    expect(c.effectSizeDz).toBeCloseTo(3 / Math.sqrt(2.5), 12);
    expect(c.positive).toBe(5);
  });

  it('gives NaN interval and p with one pair or identical differences', () => {
    expect(pairedComparison([0.9], [0.8]).p).toBeNaN();
    expect(pairedComparison([0.9, 0.8], [0.8, 0.7]).ci95[0]).toBeNaN();
  });

  it('rejects unequal lengths', () => {
    expect(() => pairedComparison([1, 2], [1])).toThrow(/equal length .* 2 and 1/);
  });
});

describe('welchComparison', () => {
  it('uses the standard error of the means and Welch–Satterthwaite df', () => {
    // Equal n = 3 and equal std: se = s·√(2/3), df = 4 (= 2n − 2).
    const w = welchComparison({ mean: 0.89, std: 0.003, n: 3 }, { mean: 0.88, std: 0.003, n: 3 });
    const se = 0.003 * Math.sqrt(2 / 3);
    expect(w.diff).toBeCloseTo(0.01, 12);
    expect(w.se).toBeCloseTo(se, 12);
    expect(w.df).toBeCloseTo(4, 10);
    expect(w.t).toBeCloseTo(0.01 / se, 8);
    expect(w.p).toBeCloseTo(twoSidedP(0.01 / se, 4), 12);
    expect(w.ci95[1] - w.ci95[0]).toBeCloseTo(2 * 2.7764451051977934 * se, 8);
  });

  it('is NaN when a side has one value', () => {
    expect(
      welchComparison({ mean: 0.87, std: 0, n: 1 }, { mean: 0.88, std: 0.003, n: 3 }).p,
    ).toBeNaN();
  });
});

describe('meanCi', () => {
  it('is mean ± t(0.975, n − 1)·sd/√n', () => {
    const c = meanCi([0.1, 0.2, 0.3]);
    expect(c.mean).toBeCloseTo(0.2, 12);
    expect(c.ci95[0]).toBeCloseTo(0.2 - 4.302652729749464 * (0.1 / Math.sqrt(3)), 8);
    expect(meanCi([0.5]).ci95[0]).toBeNaN();
  });
});
