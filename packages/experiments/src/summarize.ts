import { KdkitError } from '@kdkit/engine';
import { meanCi, meanStd, pairedComparison } from './stats.js';
import type { TripletResult, TripletSummary } from './types.js';

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
 * Summarizes triplets of the same config over several seeds (and teachers): mean ± std of each
 * role's test accuracy and agreement, the gap recovered of the means with a 95% CI from the
 * per-seed gaps, the paired KD − scratch comparison (same init and batch order per seed: mean
 * difference, 95% t CI, paired t-test p) and the effect size d = (mean_kd − mean_scratch) /
 * √((std_kd² + std_scratch²) / 2) (Cohen's d, not a significance). Validation accuracies are
 * summarized too when every run has them.
 *
 * @example
 * const s = summarizeTriplets(resultsOverSeeds);
 * console.log(`${s.kd.mean} ± ${s.kd.std}, KD − scratch CI ${s.paired.ci95}, p = ${s.paired.p}`);
 */
export function summarizeTriplets(results: readonly TripletResult[]): TripletSummary {
  if (results.length === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      'summarizeTriplets: results is empty; expected at least one TripletResult',
    );
  }
  const of = (pick: (r: TripletResult) => number) => results.map(pick);
  const teacher = meanStd(of((r) => r.rows.teacher.accuracy));
  const scratch = meanStd(of((r) => r.rows.scratch.accuracy));
  const kd = meanStd(of((r) => r.rows.kd.accuracy));
  const pooled = Math.sqrt((kd.std ** 2 + scratch.std ** 2) / 2);
  const perSeedGaps = results.map((r) =>
    gapRecovered({
      teacher: r.rows.teacher.accuracy,
      scratch: r.rows.scratch.accuracy,
      kd: r.rows.kd.accuracy,
    }),
  );
  const validation = (role: 'teacher' | 'scratch' | 'kd') => {
    const values = results.map((r) => r.rows[role].validationAccuracy);
    return values.every((v): v is number => v !== undefined) ? meanStd(values) : undefined;
  };
  const kdValidation = validation('kd');
  const scratchValidation = validation('scratch');
  const teacherValidation = validation('teacher');
  return {
    teacher,
    scratch,
    kd,
    scratchAgreement: meanStd(of((r) => r.rows.scratch.agreement)),
    kdAgreement: meanStd(of((r) => r.rows.kd.agreement)),
    gapRecovered: gapRecovered({ teacher: teacher.mean, scratch: scratch.mean, kd: kd.mean }),
    gapRecoveredCi95: perSeedGaps.every(Number.isFinite)
      ? meanCi(perSeedGaps).ci95
      : [Number.NaN, Number.NaN],
    paired: pairedComparison(
      of((r) => r.rows.kd.accuracy),
      of((r) => r.rows.scratch.accuracy),
    ),
    effectSizeD: pooled > 0 ? (kd.mean - scratch.mean) / pooled : Number.NaN,
    teachers: new Set(results.map((r) => r.config.teacherSeed)).size,
    ...(kdValidation && scratchValidation && teacherValidation
      ? {
          validation: {
            teacher: teacherValidation,
            scratch: scratchValidation,
            kd: kdValidation,
          },
        }
      : {}),
  };
}
