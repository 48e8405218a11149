import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { meanStd } from './stats.js';
import { gapRecovered, summarizeTriplets } from './summarize.js';
import type { TripletResult, TripletRole, TripletRow } from './types.js';

function row(role: TripletRole, accuracy: number, agreement = 1): TripletRow {
  return { role, model: 'm', accuracy, params: 1, agreement, seconds: 0, history: [] };
}

function triplet(teacher: number, scratch: number, kd: number, teacherSeed = 0): TripletResult {
  return {
    rows: {
      teacher: row('teacher', teacher),
      scratch: row('student-scratch', scratch, 0.8),
      kd: row('student-kd', kd, 0.9),
    },
    backend: 'cpu',
    config: { teacherSeed } as TripletResult['config'],
    configHash: 'x',
    teacherSource: 'provided',
  };
}

describe('meanStd', () => {
  it('gives the mean and the sample (n − 1) standard deviation', () => {
    const s = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBeCloseTo(5, 12);
    // Σ(x − 5)² = 32, / 7.
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.n).toBe(8);
  });

  it('gives std 0 for one value', () => {
    expect(meanStd([0.8855])).toEqual({ mean: 0.8855, std: 0, n: 1 });
  });

  it('rejects an empty list with INVALID_ARGUMENT', () => {
    expect(() => meanStd([])).toThrow(/meanStd: values is empty/);
    try {
      meanStd([]);
    } catch (error) {
      expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('gapRecovered', () => {
  it("reproduces Hinton et al.'s MNIST figure: 67 / 146 / 74 errors → 72/79", () => {
    const acc = (errors: number) => 1 - errors / 10000;
    const g = gapRecovered({ teacher: acc(67), scratch: acc(146), kd: acc(74) });
    expect(g).toBeCloseTo(72 / 79, 10);
  });

  it('is 0 when KD equals scratch, 1 when it equals the teacher, negative when KD hurts', () => {
    expect(gapRecovered({ teacher: 0.9, scratch: 0.8, kd: 0.8 })).toBe(0);
    expect(gapRecovered({ teacher: 0.9, scratch: 0.8, kd: 0.9 })).toBeCloseTo(1, 12);
    // The PyTorch anchor, full data: 92.52 / 88.55 / 87.72 → −0.209.
    expect(gapRecovered({ teacher: 0.9252, scratch: 0.8855, kd: 0.8772 })).toBeCloseTo(
      -0.0083 / 0.0397,
      10,
    );
  });

  it('is NaN when there is no gap', () => {
    expect(gapRecovered({ teacher: 0.8, scratch: 0.8, kd: 0.85 })).toBeNaN();
  });
});

describe('summarizeTriplets', () => {
  it('averages each role over seeds and recovers the gap of the means', () => {
    const s = summarizeTriplets([triplet(0.9, 0.8, 0.84), triplet(0.9, 0.82, 0.86)]);
    expect(s.teacher).toEqual({ mean: 0.9, std: 0, n: 2 });
    expect(s.scratch.mean).toBeCloseTo(0.81, 12);
    expect(s.scratch.std).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(s.kd.mean).toBeCloseTo(0.85, 12);
    expect(s.gapRecovered).toBeCloseTo(0.04 / 0.09, 10);
    // Both stds are 0.01·√2, so the pooled std is too: d = 0.04 / (0.01·√2).
    expect(s.effectSizeD).toBeCloseTo(0.04 / (Math.SQRT2 * 0.01), 8);
    // Per-seed gaps 0.4 and 0.5: mean 0.45 ± t(0.975, 1)·0.0707/√2 = 0.45 ± 12.7062·0.05.
    expect(s.gapRecoveredCi95[0]).toBeCloseTo(0.45 - 12.706204736 * 0.05, 6);
    expect(s.gapRecoveredCi95[1]).toBeCloseTo(0.45 + 12.706204736 * 0.05, 6);
    // Both seeds gain exactly 0.04: no variance, so no interval or p-value.
    expect(s.paired.meanDiff).toBeCloseTo(0.04, 12);
    expect(s.paired.positive).toBe(2);
    expect(s.paired.p).toBeNaN();
    expect(s.teachers).toBe(1);
    expect(s.validation).toBeUndefined();
    expect(s.scratchAgreement.mean).toBeCloseTo(0.8, 12);
    expect(s.kdAgreement.mean).toBeCloseTo(0.9, 12);
  });

  it('tests KD − scratch paired by seed and counts teachers', () => {
    // Differences 0.0013, 0.0019, 0.0028 (mlp-800, strong teacher): mean 0.002, sd 0.000755,
    // t = 4.588 on 2 df, two-sided p = 1 − t/√(2 + t²) = 0.0444 (closed form for df = 2).
    const s = summarizeTriplets([
      triplet(0.9259, 0.9012, 0.9025, 0),
      triplet(0.9259, 0.902, 0.9039, 1),
      triplet(0.9259, 0.9022, 0.905, 1),
    ]);
    const sd = Math.sqrt((0.0007 ** 2 + 0.0001 ** 2 + 0.0008 ** 2) / 2);
    const t = 0.002 / (sd / Math.sqrt(3));
    expect(s.paired.meanDiff).toBeCloseTo(0.002, 12);
    expect(s.paired.t).toBeCloseTo(t, 8);
    expect(s.paired.p).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 8);
    expect(s.paired.ci95[0]).toBeCloseTo(0.002 - 4.302652729 * (sd / Math.sqrt(3)), 8);
    expect(s.paired.positive).toBe(3);
    expect(s.teachers).toBe(2);
  });

  it('summarizes validation accuracies only when every run has them', () => {
    const withVal = (r: TripletResult, v: number): TripletResult => ({
      ...r,
      rows: {
        teacher: { ...r.rows.teacher, validationAccuracy: v + 0.1 },
        scratch: { ...r.rows.scratch, validationAccuracy: v },
        kd: { ...r.rows.kd, validationAccuracy: v + 0.02 },
      },
    });
    const s = summarizeTriplets([
      withVal(triplet(0.9, 0.8, 0.84), 0.8),
      withVal(triplet(0.9, 0.8, 0.84), 0.82),
    ]);
    expect(s.validation?.kd.mean).toBeCloseTo(0.83, 12);
    expect(s.validation?.teacher.mean).toBeCloseTo(0.91, 12);
    expect(
      summarizeTriplets([withVal(triplet(0.9, 0.8, 0.84), 0.8), triplet(0.9, 0.8, 0.84)])
        .validation,
    ).toBeUndefined();
  });

  it('reports a NaN effect size for a single seed', () => {
    expect(summarizeTriplets([triplet(0.9, 0.8, 0.85)]).effectSizeD).toBeNaN();
  });

  it('rejects an empty list', () => {
    expect(() => summarizeTriplets([])).toThrow(/summarizeTriplets: results is empty/);
  });
});
