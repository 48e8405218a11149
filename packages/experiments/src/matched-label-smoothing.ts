import { assertInRange, assertInteger, KdkitError } from '@kdkit/engine';

/**
 * Entropy (nats) of a label-smoothed one-hot target, (1 − ε)·y + ε/K over K classes (losses'
 * `labelSmoothing` convention): H(ε) = −q·ln q − (K − 1)·r·ln r with q = 1 − ε + ε/K and r = ε/K.
 * 0 at ε = 0, ln K at ε = 1 (uniform), increasing in between.
 *
 * @example
 * labelSmoothingEntropy(1, 10); // ln 10 ≈ 2.3026 (uniform)
 */
export function labelSmoothingEntropy(epsilon: number, numClasses: number): number {
  assertInteger('labelSmoothingEntropy', 'numClasses', numClasses, 2);
  assertInRange('labelSmoothingEntropy', 'epsilon', epsilon, 0, 1);
  const r = epsilon / numClasses;
  const q = 1 - epsilon + r;
  const term = (p: number) => (p > 0 ? -p * Math.log(p) : 0);
  return term(q) + (numClasses - 1) * term(r);
}

/**
 * The label-smoothing ε whose smoothed one-hot target has the given entropy (nats), by bisection
 * on ε ∈ [0, 1] where {@link labelSmoothingEntropy} increases from 0 to ln K: the
 * "matched strength" baseline, as soft as the teacher's soft targets on average but with no
 * information about which wrong classes are likely.
 *
 * @example
 * matchedLabelSmoothing(labelSmoothingEntropy(0.2, 10), 10); // 0.2
 */
export function matchedLabelSmoothing(entropy: number, numClasses: number): number {
  const where = 'matchedLabelSmoothing';
  assertInteger(where, 'numClasses', numClasses, 2);
  const max = Math.log(numClasses);
  if (!(entropy >= 0 && entropy <= max + 1e-12)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: entropy must be in [0, ln ${numClasses} = ${max.toFixed(4)}] nats, got ${entropy}`,
    );
  }
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (labelSmoothingEntropy(mid, numClasses) < entropy) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
