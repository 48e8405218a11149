import { KdkitError } from '@kdkit/engine';
import type { MeanStd, PairedComparison, WelchComparison } from './types.js';

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

// Lanczos approximation (g = 7, 9 terms): ln Γ(x) to ~15 digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Continued fraction of the incomplete beta function (modified Lentz).
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta function I_x(a, b). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

function assertDf(where: string, df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: degrees of freedom must be a finite number > 0, got ${df}`,
    );
  }
}

/**
 * The CDF of Student's t distribution with `df` degrees of freedom:
 * P(T ≤ t) = 1 − ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0 (symmetric for t < 0), with I the
 * regularized incomplete beta function. Non-integer `df` is allowed (Welch).
 *
 * @example
 * studentTCdf(1, 1); // 0.75 (Cauchy: ½ + atan(t)/π)
 */
export function studentTCdf(t: number, df: number): number {
  assertDf('studentTCdf', df);
  if (Number.isNaN(t)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 1;
  if (t === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The quantile (inverse CDF) of Student's t: the t with `studentTCdf(t, df) = p`, by bisection
 * to ~1e-12. `studentTQuantile(0.975, df)` is the multiplier of a 95% confidence interval.
 *
 * @example
 * studentTQuantile(0.975, 2); // 4.3027
 */
export function studentTQuantile(p: number, df: number): number {
  assertDf('studentTQuantile', df);
  if (!(p > 0 && p < 1)) {
    throw new KdkitError('INVALID_ARGUMENT', `studentTQuantile: p must be in (0, 1), got ${p}`);
  }
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Two-sided p-value of a t statistic: 2·P(T ≥ |t|). */
export function twoSidedP(t: number, df: number): number {
  if (Number.isNaN(t)) return Number.NaN;
  return 2 * (1 - studentTCdf(Math.abs(t), df));
}

/**
 * Paired comparison of `a` and `b` (e.g. KD and scratch accuracies of the same seeds: same init,
 * same batch order): the per-pair differences a_i − b_i, their mean, a 95% t confidence interval
 * mean ± t_{0.975, n−1}·sd/√n, the paired t-test (t = mean / (sd/√n), two-sided p with n − 1
 * degrees of freedom) and the effect size d_z = mean / sd. With one pair, or identical
 * differences (sd 0), the interval, t, p and d are NaN (no variance to test against).
 *
 * @example
 * pairedComparison([0.9038, 0.9031, 0.9045], [0.9025, 0.9012, 0.9017]);
 * // { meanDiff: 0.002, ci95: [0.0001, 0.0039], p: 0.044, ... }
 */
export function pairedComparison(a: readonly number[], b: readonly number[]): PairedComparison {
  if (a.length !== b.length || a.length === 0) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `pairedComparison: a and b must be non-empty and of equal length (one value per seed), got ${a.length} and ${b.length}`,
    );
  }
  const differences = a.map((x, i) => x - (b[i] as number));
  const { mean, std, n } = meanStd(differences);
  const df = n - 1;
  // Identical differences up to rounding: no variance to test against.
  if (n < 2 || std <= 1e-12 * Math.max(1, Math.abs(mean))) {
    return {
      n,
      differences,
      meanDiff: mean,
      sdDiff: std,
      ci95: [Number.NaN, Number.NaN],
      t: Number.NaN,
      df,
      p: Number.NaN,
      effectSizeDz: Number.NaN,
      positive: differences.filter((d) => d > 0).length,
    };
  }
  const se = std / Math.sqrt(n);
  const half = studentTQuantile(0.975, df) * se;
  const t = mean / se;
  return {
    n,
    differences,
    meanDiff: mean,
    sdDiff: std,
    ci95: [mean - half, mean + half],
    t,
    df,
    p: twoSidedP(t, df),
    effectSizeDz: mean / std,
    positive: differences.filter((d) => d > 0).length,
  };
}

/**
 * Welch's unequal-variance t-test of two independent samples given as mean ± sample std (n each):
 * difference a − b, its standard error √(sa²/na + sb²/nb), the Welch–Satterthwaite degrees of
 * freedom, a 95% confidence interval and the two-sided p-value. NaN where a sample has one value
 * or both stds are 0. "Agrees" claims need p ≥ 0.05 here, and the interval stated.
 *
 * @example
 * welchComparison({ mean: 0.8862, std: 0.0039, n: 3 }, { mean: 0.8772, std: 0.0051, n: 3 });
 */
export function welchComparison(a: MeanStd, b: MeanStd): WelchComparison {
  const diff = a.mean - b.mean;
  const va = a.n > 0 ? a.std ** 2 / a.n : Number.NaN;
  const vb = b.n > 0 ? b.std ** 2 / b.n : Number.NaN;
  const se = Math.sqrt(va + vb);
  if (a.n < 2 || b.n < 2 || !(se > 0)) {
    return {
      diff,
      se,
      df: Number.NaN,
      t: Number.NaN,
      p: Number.NaN,
      ci95: [Number.NaN, Number.NaN],
    };
  }
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const t = diff / se;
  const half = studentTQuantile(0.975, df) * se;
  return { diff, se, df, t, p: twoSidedP(t, df), ci95: [diff - half, diff + half] };
}

/**
 * Mean of `values` with a 95% t confidence interval (mean ± t_{0.975, n−1}·sd/√n; NaN bounds
 * for n < 2).
 *
 * @example
 * meanCi([0.1, 0.2, 0.3]); // { mean: 0.2, ci95: [−0.048, 0.448] }
 */
export function meanCi(values: readonly number[]): {
  readonly mean: number;
  readonly ci95: readonly [number, number];
} {
  const { mean, std, n } = meanStd(values);
  if (n < 2) return { mean, ci95: [Number.NaN, Number.NaN] };
  const half = studentTQuantile(0.975, n - 1) * (std / Math.sqrt(n));
  return { mean, ci95: [mean - half, mean + half] };
}
