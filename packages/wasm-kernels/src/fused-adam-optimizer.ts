import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './adam-update-contract.js';

interface MomentVariable {
  originalName: string;
  variable: tf.Variable;
}

/** A name → gradient map or a `{ name, tensor }` list (tfjs doesn't export these types). */
type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** tfjs `AdamOptimizer`'s private state (tfjs-core 4.22), which the fused step updates. */
interface AdamState {
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
  readonly accumulatedFirstMoment: MomentVariable[];
  readonly accumulatedSecondMoment: MomentVariable[];
}

/**
 * tfjs's Adam with each variable's update in one kernel call ({@link ADAM_UPDATE_KERNEL})
 * instead of about ten element-wise ops, on backends where that kernel is registered (wasm, once
 * `installWasmKernels()` ran; `@kdkit/backend`'s `initBackend` runs it); elsewhere (cpu,
 * webgl, stock wasm) and for non-float32 variables it runs tfjs `AdamOptimizer`'s own ops.
 * Same formula and float32 rounding: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²,
 * value ← value − lr · (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε). It is a `tf.AdamOptimizer`
 * (class name `Adam`, same `getWeights()`/`setWeights()` and `m`/`v` variable names, same
 * `accBeta1`/`accBeta2`), so checkpoints of either load into the other, and a learning-rate
 * schedule sets its `learningRate` between steps as before. Defaults: β1 0.9, β2 0.999,
 * ε the backend's epsilon (1e-7).
 *
 * @example
 * const optimizer = new FusedAdamOptimizer(1e-3);
 * optimizer.minimize(() => loss(model.apply(xs) as tf.Tensor2D, labels));
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const gradientOf = (name: string, i: number): tf.Tensor | undefined =>
      Array.isArray(variableGradients) ? variableGradients[i]?.tensor : variableGradients[name];
    const variables = tf.engine().registeredVariables;
    const fused =
      tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) !== undefined &&
      names.every(
        (name, i) =>
          variables[name]?.dtype === 'float32' &&
          (gradientOf(name, i)?.dtype ?? 'float32') === 'float32',
      );
    if (!fused) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const attrs: AdamUpdateAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      beta1Power: state.accBeta1.dataSync()[0] as number,
      beta2Power: state.accBeta2.dataSync()[0] as number,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = variables[name] as tf.Variable;
        // Created as tfjs creates them: same names, same order (by position), not trainable.
        const moment = (suffix: string): MomentVariable => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)),
        });
        const first = state.accumulatedFirstMoment[i] ?? moment('m');
        const second = state.accumulatedSecondMoment[i] ?? moment('v');
        state.accumulatedFirstMoment[i] = first;
        state.accumulatedSecondMoment[i] = second;
        const gradient = gradientOf(name, i);
        if (gradient == null) return;
        const m = first.variable;
        const v = second.variable;
        const [newValue, newM, newV] = tf
          .engine()
          .runKernel(
            ADAM_UPDATE_KERNEL,
            { value, m, v, gradient },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor[];
        m.assign(newM as tf.Tensor);
        v.assign(newV as tf.Tensor);
        value.assign(newValue as tf.Tensor);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
