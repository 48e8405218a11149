import { KdkitError } from '@kdkit/engine';
import type { MeanStd, TripletResult, TripletSummary } from './types.js';

/**
 * Mean and sample standard deviation: std = √(Σ(x − mean)² / (n − 1)), and 0 for one value
 * (as `torch.std` / `numpy.std(ddof=1)`).
 *
 * @example
 * meanStd([1, 2, 3]); // { mean: 2, std: 1, n: 3 }
 */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      'meanStd: values is empty; expected at least one number',
    );
  }
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

/**
 * The fraction of the teacher–student gap that distillation recovers:
 * `(kd − scratch) / (teacher − scratch)`. 1 means the distilled student matches the teacher,
 * 0 means KD did nothing, negative means KD hurt. NaN when teacher equals scratch.
 * Hinton et al. 2015 on MNIST: errors 67 (teacher), 146 (scratch), 74 (KD) → 0.91.
 *
 * @example
 * gapRecovered({ teacher: 0.9933, scratch: 0.9854, kd: 0.9926 }); // 72/79 ≈ 0.91
 */
export function gapRecovered(accuracies: {
  readonly teacher: number;
  readonly scratch: number;
  readonly kd: number;
}): number {
  const gap = accuracies.teacher - accuracies.scratch;
  if (gap === 0) return Number.NaN;
  return (accuracies.kd - accuracies.scratch) / gap;
}

/**
 * Summarizes triplets of the same config over several seeds: mean ± std of each role's test
 * accuracy and agreement, the gap recovered of the means, and how many pooled standard
 * deviations KD is above scratch: (mean_kd − mean_scratch) / √((std_kd² + std_scratch²) / 2).
 *
 * @example
 * const s = summarizeTriplets(resultsOverSeeds);
 * console.log(`${s.kd.mean} ± ${s.kd.std}, gap recovered ${s.gapRecovered}`);
 */
export function summarizeTriplets(results: readonly TripletResult[]): TripletSummary {
  if (results.length === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      'summarizeTriplets: results is empty; expected at least one TripletResult',
    );
  }
  const teacher = meanStd(results.map((r) => r.rows[0].accuracy));
  const scratch = meanStd(results.map((r) => r.rows[1].accuracy));
  const kd = meanStd(results.map((r) => r.rows[2].accuracy));
  const pooled = Math.sqrt((kd.std ** 2 + scratch.std ** 2) / 2);
  return {
    teacher,
    scratch,
    kd,
    scratchAgreement: meanStd(results.map((r) => r.rows[1].agreement)),
    kdAgreement: meanStd(results.map((r) => r.rows[2].agreement)),
    gapRecovered: gapRecovered({ teacher: teacher.mean, scratch: scratch.mean, kd: kd.mean }),
    kdMinusScratchInStd: pooled > 0 ? (kd.mean - scratch.mean) / pooled : Number.NaN,
  };
}
