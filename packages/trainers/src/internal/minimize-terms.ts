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
  const variables = groups.flatMap((g) => g.variables);
  const packed = tf.tidy(() => {
    let kept: tf.Tensor1D | undefined;
    let failure: unknown;
    const { grads } = tf.variableGrads(() => {
      try {
        const terms = checkTerms(where, compute());
        names = Object.keys(terms);
        kept = tf.keep(tf.stack(names.map((n) => terms[n] as tf.Scalar)) as tf.Tensor1D);
        return terms.total;
      } catch (error) {
        // Returning a tensor tied to the variables lets tfjs finish the tape and free the
        // tensors it saved for the backward pass; the error is rethrown below.
        failure = error;
        return tf.mul(tf.sum(variables[0] as tf.Variable), 0) as tf.Scalar;
      }
    }, variables);
    if (failure !== undefined) throw failure;
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

/** The terms a loss returned, checked: an object of scalar tensors with a `total`. */
function checkTerms(where: string, terms: unknown): LossTerms {
  const expected = 'it must return an object of tf.Scalar terms, { total, ...others }';
  if (terms === null || typeof terms !== 'object' || terms instanceof tf.Tensor) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: compute() returned ${terms instanceof tf.Tensor ? 'a bare tensor' : terms === null ? 'null' : `a ${typeof terms}`}; ${expected}.`,
    );
  }
  const record = terms as Record<string, unknown>;
  if (!('total' in record)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: compute() returned no 'total' term; ${expected}.`,
    );
  }
  for (const [name, term] of Object.entries(record)) {
    if (!(term instanceof tf.Tensor)) {
      throw new KdkitError(
        'INVALID_ARGUMENT',
        `${where}: loss term '${name}' is ${term === null ? 'null' : `a ${typeof term}`}, not a tensor; ${expected}.`,
      );
    }
    if (term.rank !== 0) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${where}: loss term '${name}' must be a scalar, got shape [${term.shape.join(', ')}]`,
      );
    }
  }
  return terms as LossTerms;
}

/** Splits a model output into logits (first output) and feature maps (the rest). */
export function splitOutputs(
  output: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[],
): { logits: tf.Tensor2D; features: tf.Tensor[] } {
  const list = (Array.isArray(output) ? output : [output]) as tf.Tensor[];
  const [logits, ...features] = list;
  return { logits: logits as tf.Tensor2D, features };
}
