import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { gapRecovered, meanStd, summarizeTriplets } from './summarize.js';
import type { TripletResult, TripletRole, TripletRow } from './types.js';

function row(role: TripletRole, accuracy: number, agreement = 1): TripletRow {
  return { role, model: 'm', accuracy, params: 1, agreement, seconds: 0, history: [] };
}

function triplet(teacher: number, scratch: number, kd: number): TripletResult {
  return {
    rows: [
      row('teacher', teacher),
      row('student-scratch', scratch, 0.8),
      row('student-kd', kd, 0.9),
    ],
    backend: 'cpu',
    config: {} as TripletResult['config'],
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
    // Both stds are 0.01·√2, so the pooled std is too: 0.04 / (0.01·√2).
    expect(s.kdMinusScratchInStd).toBeCloseTo(0.04 / (Math.SQRT2 * 0.01), 8);
    expect(s.scratchAgreement.mean).toBeCloseTo(0.8, 12);
    expect(s.kdAgreement.mean).toBeCloseTo(0.9, 12);
  });

  it('reports NaN std units for a single seed', () => {
    expect(summarizeTriplets([triplet(0.9, 0.8, 0.85)]).kdMinusScratchInStd).toBeNaN();
  });

  it('rejects an empty list', () => {
    expect(() => summarizeTriplets([])).toThrow(/summarizeTriplets: results is empty/);
  });
});
