import { assertOneOf, assertPositive, KdkitError } from '@kdkit/engine';
import { FusedAdamOptimizer } from '@kdkit/wasm-kernels';
import * as tf from '@tensorflow/tfjs-core';
import type { LrScheduleName, OptimizerName, OptimizerSpec } from './types.js';

const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd', 'momentum'];
const LR_SCHEDULES: readonly LrScheduleName[] = ['constant', 'cosine'];

/** The learning-rate schedule of every trainer (and of experiments and the CLI) when none is given. */
export const DEFAULT_LR_SCHEDULE: LrScheduleName = 'cosine';

/** tfjs optimizers keep `learningRate` as a protected field read on every step. */
interface HasLearningRate {
  learningRate: number;
}

function hasLearningRate(optimizer: tf.Optimizer): boolean {
  return typeof (optimizer as unknown as Partial<HasLearningRate>).learningRate === 'number';
}

/**
 * Builds a `tf.Optimizer` from a name or `{ name, learningRate, momentum }`; passes a ready
 * optimizer through. Defaults: adam lr 1e-3; sgd and momentum lr 1e-2; momentum 0.9. `'adam'`
 * is `@kdkit/wasm-kernels`' {@link FusedAdamOptimizer}: tfjs's Adam (same state and
 * checkpoints) with one kernel call per variable on wasm, tfjs's own ops elsewhere.
 *
 * @example
 * const opt = createOptimizer({ name: 'momentum', learningRate: 0.05 });
 */
export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  if (spec instanceof tf.Optimizer) return spec;
  const { name, learningRate, momentum } = typeof spec === 'string' ? { name: spec } : spec;
  assertOneOf('createOptimizer', 'optimizer', name, OPTIMIZER_NAMES);
  const lr = learningRate ?? (name === 'adam' ? 1e-3 : 1e-2);
  assertPositive('createOptimizer', 'learningRate', lr);
  if (name === 'adam') return new FusedAdamOptimizer(lr);
  if (name === 'sgd') return tf.train.sgd(lr);
  return tf.train.momentum(lr, momentum ?? 0.9);
}

/** The optimizer's current learning rate, or undefined for an optimizer without one. */
export function getLearningRate(optimizer: tf.Optimizer): number | undefined {
  return hasLearningRate(optimizer)
    ? (optimizer as unknown as HasLearningRate).learningRate
    : undefined;
}

/** Sets the learning rate of any built-in tfjs optimizer (they read it on every step). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (!hasLearningRate(optimizer)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `setLearningRate: optimizer '${optimizer.getClassName()}' has no numeric learningRate field; use lrSchedule 'constant' with it`,
    );
  }
  (optimizer as unknown as HasLearningRate).learningRate = learningRate;
}

/**
 * The learning rate at a global step. `'constant'`: `base`. `'cosine'`:
 * `base · ½(1 + cos(π · step / totalSteps))`, decaying to 0 at the last step. It depends only on
 * the step, so a resumed run follows the same schedule.
 *
 * @example
 * scheduledLearningRate('cosine', 0.1, 50, 100); // 0.05
 */
export function scheduledLearningRate(
  schedule: LrScheduleName,
  base: number,
  step: number,
  totalSteps: number,
): number {
  assertOneOf('scheduledLearningRate', 'lrSchedule', schedule, LR_SCHEDULES);
  if (schedule === 'constant' || totalSteps <= 0) return base;
  const progress = Math.min(1, Math.max(0, step / totalSteps));
  return base * 0.5 * (1 + Math.cos(Math.PI * progress));
}
