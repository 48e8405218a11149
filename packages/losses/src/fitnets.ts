import { KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';
import { createFeatureAdapter, type FeatureAdapter } from './feature-adapter.js';
import {
  computeFeatureLoss,
  FEATURE_OPTION_SPEC,
  type FeatureLossOptions,
  resolveBeta,
} from './internal/feature-loss.js';
import { assertFeaturePairs, featureLists } from './internal/features.js';
import type { LossEntry } from './internal/loss-entry.js';
import { factoryWhere, type OptionSpec, parseLossOptions } from './internal/options.js';
import { resolveTaskWeights } from './internal/task-terms.js';
import type { DistillationLoss, FeatureInputs, FeaturePair } from './types.js';

export interface FitnetsOptions {
  /** Per pair, an adapter mapping student channels to teacher channels (or undefined). */
  readonly adapters?: readonly (FeatureAdapter | undefined)[];
}

const FITNETS_OPTIONS: OptionSpec<FitnetsOptions> = { adapters: 'list' };

const ADAPTER_MODES = ['auto', 'always', 'none'] as const;

/** Options of the registered 'fitnets' loss. */
export interface FitnetsLossOptions extends FeatureLossOptions {
  /** Make adapters where channels differ ('auto', default), for every pair, or never. */
  readonly adapter?: (typeof ADAPTER_MODES)[number];
  /** Seed of the adapters' initializer (pair i uses seed + i). Default 0. */
  readonly seed?: number;
  /** Channels of each student tap, to build the adapters at once. */
  readonly studentChannels?: readonly number[];
  /** Channels of each teacher tap, aligned with studentChannels. */
  readonly teacherChannels?: readonly number[];
}

const FITNETS_LOSS_OPTIONS: OptionSpec<FitnetsLossOptions> = {
  ...FEATURE_OPTION_SPEC,
  adapter: ADAPTER_MODES,
  seed: 'number',
  studentChannels: 'numbers',
  teacherChannels: 'numbers',
};

/** The registered 'fitnets' loss's weight of the hint term (the CRD code's). */
export const FITNETS_BETA = 100;

/** Unchecked Σ_pairs mean((adapter(s) − t)²). */
export function fitnetsTerm(
  { student, teacher }: FeaturePair,
  adapters: readonly (FeatureAdapter | undefined)[],
): tf.Scalar {
  const perPair = student.map((s, i) => {
    const adapter = adapters[i];
    const mapped = adapter === undefined ? s : adapter.apply(s);
    return tf.mean(tf.squaredDifference(mapped, teacher[i] as tf.Tensor));
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
 * @param inputs `{ student, teacher }`: a map or aligned lists of maps.
 * @param options adapters, one per pair (undefined where the channels already match).
 * @example
 * const adapter = createFeatureAdapter(16, 32);
 * const hint = fitnetsLoss({ student: studentMap, teacher: teacherMap }, { adapters: [adapter] });
 */
export function fitnetsLoss(inputs: FeatureInputs, options: FitnetsOptions = {}): tf.Scalar {
  const where = 'fitnetsLoss';
  const features = featureLists(where, inputs);
  const adapters = parseLossOptions(where, options, FITNETS_OPTIONS).adapters ?? [];
  assertFeaturePairs(where, features, { sameSpatial: true });
  assertAdaptersFit(where, features, adapters);
  return tf.tidy(() => fitnetsTerm(features, adapters));
}

function channelsOf(x: tf.Tensor): number {
  return x.shape[x.rank - 1] ?? 0;
}

function assertAdaptersFit(
  where: string,
  { student, teacher }: FeaturePair,
  adapters: readonly (FeatureAdapter | undefined)[],
): void {
  student.forEach((s, i) => {
    const t = teacher[i] as tf.Tensor;
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
        `${where}: 'student[${i}]' has ${channelsOf(s)} channels and 'teacher[${i}]' has ${channelsOf(t)}; ${fix}.`,
      );
    }
  });
}

/**
 * Registered 'fitnets': `total = ceWeight · hard + beta · hint` (+ kdWeight · T² · soft).
 * Adapters (1×1 conv / dense, trainable, from `trainableVariables()`) are made where the
 * channels differ ('auto'), for every pair ('always') or never ('none'). They are created on
 * the first `compute`, or at once when `studentChannels` and `teacherChannels` are given
 * (do that if your trainer collects variables before the first step).
 * Options: {@link FitnetsLossOptions}; beta = {@link FITNETS_BETA}, adapter 'auto', seed 0.
 */
export function createFitnetsLoss(options: FitnetsLossOptions = {}): DistillationLoss {
  const name = 'fitnets';
  const where = `loss '${name}'`;
  const weights = resolveTaskWeights(where, options);
  const beta = resolveBeta(where, options.beta, FITNETS_BETA);
  const mode = options.adapter ?? 'auto';
  const seed = options.seed ?? 0;
  let adapters: (FeatureAdapter | undefined)[] | undefined;

  const build = (studentChannels: readonly number[], teacherChannels: readonly number[]) =>
    studentChannels.map((cs, i) => {
      const ct = teacherChannels[i] ?? cs;
      const needed = mode === 'always' || (mode === 'auto' && cs !== ct);
      return needed ? createFeatureAdapter(cs, ct, seed + i) : undefined;
    });

  if (options.studentChannels !== undefined || options.teacherChannels !== undefined) {
    const s = options.studentChannels ?? [];
    const t = options.teacherChannels ?? [];
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
      computeFeatureLoss(where, ctx, weights, beta, 'hint', { sameSpatial: true }, (features) => {
        if (adapters === undefined)
          adapters = build(features.student.map(channelsOf), features.teacher.map(channelsOf));
        assertAdaptersFit(where, features, adapters);
        return { main: fitnetsTerm(features, adapters) };
      }),
    trainableVariables: () => (adapters ?? []).flatMap((a) => (a === undefined ? [] : a.variables)),
    dispose: () => {
      for (const adapter of adapters ?? []) adapter?.dispose();
      adapters = undefined;
    },
  };
}

export const fitnetsLossEntry: LossEntry = {
  name: 'fitnets',
  description: `FitNets hints: CE + beta·L2(adapter(student features), teacher features), learned 1×1/dense adapters; beta=${FITNETS_BETA}.`,
  factory: (options) =>
    createFitnetsLoss(parseLossOptions(factoryWhere('fitnets'), options, FITNETS_LOSS_OPTIONS)),
};
