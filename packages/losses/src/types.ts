import type * as tf from '@tensorflow/tfjs-core';

/** Everything a loss may look at for one step. Logits, never probabilities. */
export interface LossContext {
  /** [batch, classes] student logits. */
  readonly studentLogits: tf.Tensor2D;
  /** [batch, classes] teacher logits; absent for purely supervised losses. */
  readonly teacherLogits?: tf.Tensor2D;
  /** Several teachers' logits, for multi-teacher losses. */
  readonly teacherLogitsList?: readonly tf.Tensor2D[];
  /** [batch] int32 class ids; −1 marks an unlabelled example that only gets soft targets. */
  readonly labels?: tf.Tensor1D;
  /** Student feature maps from `withFeatures` taps, in the loss's tap order. */
  readonly studentFeatures?: readonly tf.Tensor[];
  /** Teacher feature maps, aligned with `studentFeatures`. */
  readonly teacherFeatures?: readonly tf.Tensor[];
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
  /** True when the loss reads `studentFeatures` / `teacherFeatures`. */
  readonly needsFeatures?: boolean;
  /** Variables the loss trains itself (feature adapters), updated with the student's. */
  trainableVariables?(): readonly tf.Variable[];
  /** Frees the loss's own variables. */
  dispose?(): void;
}

/** Builds a loss from options (e.g. `{ temperature: 4, alpha: 0.9 }`). */
export type LossFactory = (options?: Record<string, unknown>) => DistillationLoss;

export type Reduction = 'mean' | 'sum' | 'none';
