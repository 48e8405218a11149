import type * as tf from '@tensorflow/tfjs-core';

/** Aligned lists of feature maps (NHWC or [batch, d]) from `withFeatures` taps. */
export interface FeaturePair {
  /** The student's maps, in the loss's tap order. */
  readonly student: readonly tf.Tensor[];
  /** The teacher's maps, aligned with `student`. */
  readonly teacher: readonly tf.Tensor[];
}

/** Student and teacher logits, both float32 [batch, classes]. */
export interface LogitInputs {
  readonly student: tf.Tensor2D;
  readonly teacher: tf.Tensor2D;
}

/** Student logits [batch, classes] and their labels. */
export interface LabelledInputs {
  readonly student: tf.Tensor2D;
  /** int32 [batch] class ids, or float32 [batch, classes] one-hot / probability rows. */
  readonly labels: tf.Tensor1D | tf.Tensor2D;
}

/** The inputs of a feature loss: one map or an aligned list of maps per model. */
export interface FeatureInputs {
  /** The student's map(s): NHWC `[b, h, w, c]` or `[b, d]`. */
  readonly student: tf.Tensor | readonly tf.Tensor[];
  /** The teacher's map(s), aligned with `student`. */
  readonly teacher: tf.Tensor | readonly tf.Tensor[];
}

/** Everything a loss may look at for one step. Logits, never probabilities. */
export interface LossContext {
  /** [batch, classes] student logits. */
  readonly student: tf.Tensor2D;
  /** [batch, classes] teacher logits; absent for purely supervised losses. */
  readonly teacher?: tf.Tensor2D;
  /** Several teachers' logits, for multi-teacher losses. */
  readonly teachers?: readonly tf.Tensor2D[];
  /** [batch] int32 class ids; −1 marks an unlabelled example that only gets soft targets. */
  readonly labels?: tf.Tensor1D;
  /** Student and teacher feature maps, for losses with `needsFeatures`. */
  readonly features?: FeaturePair;
  /** 0-based epoch and global step, for schedules such as DKD's warm-up. */
  readonly epoch: number;
  readonly step: number;
}

/** A loss's result: `total` is minimized; every other term is logged. All scalars. */
export interface LossTerms {
  readonly total: tf.Scalar;
  readonly [term: string]: tf.Scalar;
}

/**
 * The extension point. A loss is an object with a name and `compute`; register a factory
 * for it with `registerLoss` so it can be used by name.
 */
export interface DistillationLoss {
  readonly name: string;
  /** Runs inside the trainer's `tf.tidy` and gradient tape: return fresh scalars. */
  compute(ctx: LossContext): LossTerms;
  /** True when the loss reads `ctx.features`. */
  readonly needsFeatures?: boolean;
  /** Variables the loss trains itself (feature adapters), updated with the student's. */
  trainableVariables?(): readonly tf.Variable[];
  /** Frees the loss's own variables. */
  dispose?(): void;
}

/** Builds a loss from its options (e.g. `{ temperature: 4, alpha: 0.9 }`). */
export type LossFactory<O extends object = Readonly<Record<string, unknown>>> = (
  options?: O,
) => DistillationLoss;

export type Reduction = 'mean' | 'sum' | 'none';
