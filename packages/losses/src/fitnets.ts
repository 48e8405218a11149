import { KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { createFeatureAdapter, type FeatureAdapter } from './feature-adapter.js';
import { computeFeatureLoss, FEATURE_OPTION_SPEC, resolveBeta } from './internal/feature-loss.js';
import { assertFeaturePairs } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss } from './types.js';

export interface FitnetsOptions {
  /** Per pair, an adapter mapping student channels to teacher channels (or undefined). */
  readonly adapters?: readonly (FeatureAdapter | undefined)[];
}

/** Unchecked Σ_pairs mean((adapter(s) − t)²). */
export function fitnetsTerm(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  adapters: readonly (FeatureAdapter | undefined)[],
): tf.Scalar {
  const perPair = studentFeatures.map((s, i) => {
    const adapter = adapters[i];
    const mapped = adapter === undefined ? s : adapter.apply(s);
    return tf.mean(tf.squaredDifference(mapped, teacherFeatures[i] as tf.Tensor));
  });
  return tf.addN(perPair) as tf.Scalar;
}

/**
 * FitNets hints (Romero et al. 2015): the L2 distance between (adapted) student features and
 * teacher features, `Σ_pairs mean((adapter(s) − t)²)`. Maps are NHWC `[b, h, w, c]` or
 * `[b, d]`; a pair whose channels differ needs an adapter (see `createFeatureAdapter`), and
 * student and teacher maps must share their spatial size.
 *
 * Inputs are **features** (activations), not logits or probabilities.
 *
 * @param studentFeatures student maps, aligned with teacherFeatures.
 * @param teacherFeatures teacher maps.
 * @param options adapters, one per pair (undefined where the channels already match).
 * @example
 * const adapter = createFeatureAdapter(16, 32);
 * const hint = fitnetsLoss([studentMap], [teacherMap], { adapters: [adapter] });
 */
export function fitnetsLoss(
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  options: FitnetsOptions = {},
): tf.Scalar {
  const where = 'fitnetsLoss';
  const adapters = options.adapters ?? [];
  assertFeaturePairs(where, studentFeatures, teacherFeatures, { sameSpatial: true });
  assertAdaptersFit(where, studentFeatures, teacherFeatures, adapters);
  return tf.tidy(() => fitnetsTerm(studentFeatures, teacherFeatures, adapters));
}

function channelsOf(x: tf.Tensor): number {
  return x.shape[x.rank - 1] ?? 0;
}

function assertAdaptersFit(
  where: string,
  studentFeatures: readonly tf.Tensor[],
  teacherFeatures: readonly tf.Tensor[],
  adapters: readonly (FeatureAdapter | undefined)[],
): void {
  studentFeatures.forEach((s, i) => {
    const t = teacherFeatures[i] as tf.Tensor;
    const adapter = adapters[i];
    const [inCh, outCh] =
      adapter === undefined
        ? [channelsOf(t), channelsOf(t)]
        : [adapter.inChannels, adapter.outChannels];
    if (channelsOf(s) !== inCh || channelsOf(t) !== outCh) {
      const fix =
        adapter === undefined
          ? 'pass an adapter for this pair (createFeatureAdapter)'
          : `the adapter maps ${inCh} → ${outCh} channels`;
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: 'studentFeatures[${i}]' has ${channelsOf(s)} channels and 'teacherFeatures[${i}]' has ${channelsOf(t)}; ${fix}.`,
      );
    }
  });
}

const ADAPTER_MODES = ['auto', 'always', 'none'] as const;

/**
 * Registered 'fitnets': `total = ceWeight · hard + beta · hint` (+ kdWeight · T² · soft).
 * Adapters (1×1 conv / dense, trainable, from `trainableVariables()`) are made where the
 * channels differ ('auto'), for every pair ('always') or never ('none'). They are created on
 * the first `compute`, or at once when `studentChannels` and `teacherChannels` are given
 * (do that if your trainer collects variables before the first step).
 * Options beta=100, adapter='auto', seed=0, ceWeight=1, kdWeight=0, temperature=4.
 */
export function createFitnetsLoss(options?: Record<string, unknown>): DistillationLoss {
  const name = 'fitnets';
  const where = `loss '${name}'`;
  const parsed = parseLossOptions(name, options, {
    ...FEATURE_OPTION_SPEC,
    adapter: ADAPTER_MODES,
    seed: 'number',
    studentChannels: 'numbers',
    teacherChannels: 'numbers',
  });
  const weights = resolveTaskWeights(where, parsed);
  const beta = resolveBeta(where, parsed.beta, 100);
  const mode = parsed.adapter ?? 'auto';
  const seed = parsed.seed ?? 0;
  let adapters: (FeatureAdapter | undefined)[] | undefined;

  const build = (studentChannels: readonly number[], teacherChannels: readonly number[]) =>
    studentChannels.map((cs, i) => {
      const ct = teacherChannels[i] ?? cs;
      const needed = mode === 'always' || (mode === 'auto' && cs !== ct);
      return needed ? createFeatureAdapter(cs, ct, seed + i) : undefined;
    });

  if (parsed.studentChannels !== undefined || parsed.teacherChannels !== undefined) {
    const s = parsed.studentChannels ?? [];
    const t = parsed.teacherChannels ?? [];
    if (s.length !== t.length) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: 'studentChannels' (${s.length}) and 'teacherChannels' (${t.length}) must have one entry per feature pair.`,
      );
    }
    adapters = build(s, t);
  }

  return {
    name,
    needsFeatures: true,
    compute: (ctx) =>
      computeFeatureLoss(
        where,
        ctx,
        weights,
        beta,
        'hint',
        { sameSpatial: true },
        (student, teacher) => {
          if (adapters === undefined)
            adapters = build(student.map(channelsOf), teacher.map(channelsOf));
          assertAdaptersFit(where, student, teacher, adapters);
          return { main: fitnetsTerm(student, teacher, adapters) };
        },
      ),
    trainableVariables: () => (adapters ?? []).flatMap((a) => (a === undefined ? [] : a.variables)),
    dispose: () => {
      for (const adapter of adapters ?? []) adapter?.dispose();
      adapters = undefined;
    },
  };
}

export const fitnetsLossEntry: LossEntry = {
  name: 'fitnets',
  description:
    'FitNets hints: CE + beta·L2(adapter(student features), teacher features), learned 1×1/dense adapters; beta=100.',
  factory: createFitnetsLoss,
};
