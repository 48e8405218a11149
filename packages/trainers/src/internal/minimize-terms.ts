import { KdkitError } from '@kdkit/engine';
import type { LossTerms } from '@kdkit/losses';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossValues } from '../types.js';

/** The tf.Variables behind a model's trainable weights (plus a loss's own), for variableGrads. */
export function trainableVariables(
  model: tfl.LayersModel,
  extra: readonly tf.Variable[] = [],
): tf.Variable[] {
  return [...model.trainableWeights.map((w) => w.read() as tf.Variable), ...extra];
}

/** Variables updated by one optimizer. */
export interface OptimizerGroup {
  readonly optimizer: tf.Optimizer;
  readonly variables: readonly tf.Variable[];
}

/**
 * One gradient step: `compute` runs under the tape; the gradient of `total` with respect to every
 * group's variables is applied by that group's optimizer (in the group's variable order, which
 * tfjs optimizers key their state by). Every term is stacked and read back with one dataSync.
 */
export function minimizeTerms(
  where: string,
  groups: readonly OptimizerGroup[],
  compute: () => LossTerms,
): LossValues {
  let names: string[] = [];
  const packed = tf.tidy(() => {
    let kept: tf.Tensor1D | undefined;
    const { grads } = tf.variableGrads(
      () => {
        const terms = compute();
        names = Object.keys(terms);
        for (const name of names) {
          const term = terms[name];
          if (term?.rank !== 0) {
            throw new KdkitError(
              'SHAPE_MISMATCH',
              `${where}: loss term '${name}' must be a scalar, got shape [${term?.shape.join(', ')}]`,
            );
          }
        }
        kept = tf.keep(tf.stack(names.map((n) => terms[n] as tf.Scalar)) as tf.Tensor1D);
        return terms.total;
      },
      groups.flatMap((g) => g.variables),
    );
    for (const { optimizer, variables } of groups) {
      const own: tf.NamedTensorMap = {};
      for (const v of variables) {
        const grad = grads[v.name];
        if (grad) own[v.name] = grad;
      }
      optimizer.applyGradients(own);
    }
    return kept as tf.Tensor1D;
  });
  const values = packed.dataSync();
  packed.dispose();
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? Number.NaN]));
}

/** Splits a model output into logits (first output) and feature maps (the rest). */
export function splitOutputs(
  output: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[],
): { logits: tf.Tensor2D; features: tf.Tensor[] } {
  const list = (Array.isArray(output) ? output : [output]) as tf.Tensor[];
  const [logits, ...features] = list;
  return { logits: logits as tf.Tensor2D, features };
}
