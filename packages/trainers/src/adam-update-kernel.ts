import { KdkitError } from '@kdkit/engine';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Name of the fused Adam kernel (`@kdkit/wasm-kernels` registers it on wasm under the same
 * name; {@link registerAdamUpdateCpu} on cpu). Inputs `value`, `m`, `v`, `gradient` (float32,
 * one shape); attrs {@link AdamUpdateAttrs}; outputs `[value', m', v']`.
 */
export const ADAM_UPDATE_KERNEL = 'KdkitAdamUpdate';

/** Attrs of {@link ADAM_UPDATE_KERNEL}: tfjs `AdamOptimizer`'s settings and running β powers. */
export interface AdamUpdateAttrs {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** β1ᵗ at this step (tfjs's `accBeta1`: β1 at the first step). */
  readonly beta1Power: number;
  /** β2ᵗ at this step (tfjs's `accBeta2`). */
  readonly beta2Power: number;
}

/** The parts of tfjs-backend-cpu's backend the kernel uses. */
interface CpuBackendData {
  readSync(dataId: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

const INPUTS = ['value', 'm', 'v', 'gradient'] as const;

/**
 * {@link ADAM_UPDATE_KERNEL} for the cpu backend: one loop over the four arrays with tfjs
 * `AdamOptimizer`'s float32 arithmetic, rounded after every operation as its op chain is:
 * m' = m·β1 + g·(1−β1), v' = v·β2 + g²·(1−β2),
 * value' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + value, with every constant a float32
 * (1 − β computed in double first, as tfjs's scalar tensors hold it).
 */
export const adamUpdateCpu: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const tensors = INPUTS.map((name) => {
    const t = inputs[name];
    if (t?.dtype !== 'float32') {
      throw new KdkitError(
        'DTYPE_MISMATCH',
        `${ADAM_UPDATE_KERNEL}: input '${name}' must be a float32 tensor, got ${t?.dtype ?? 'none'}`,
      );
    }
    return t;
  });
  const shape = (tensors[0] as tf.TensorInfo).shape.slice();
  for (const [i, t] of tensors.entries()) {
    if (t.shape.join() !== shape.join()) {
      throw new KdkitError(
        'SHAPE_MISMATCH',
        `${ADAM_UPDATE_KERNEL}: input '${INPUTS[i]}' has shape [${t.shape}], 'value' [${shape}]`,
      );
    }
  }
  const cpu = backend as CpuBackendData;
  const [x, m, v, g] = tensors.map((t) => cpu.readSync(t.dataId)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const a = attrs as unknown as AdamUpdateAttrs;
  const f = Math.fround;
  const beta1 = f(a.beta1);
  const oneMinusBeta1 = f(1 - a.beta1);
  const beta2 = f(a.beta2);
  const oneMinusBeta2 = f(1 - a.beta2);
  const bias1 = f(1 - f(a.beta1Power));
  const bias2 = f(1 - f(a.beta2Power));
  const epsilon = f(a.epsilon);
  const negLr = f(-a.learningRate);
  const xOut = new Float32Array(x.length);
  const mOut = new Float32Array(x.length);
  const vOut = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] as number;
    const mi = f(f((m[i] as number) * beta1) + f(gi * oneMinusBeta1));
    const vi = f(f((v[i] as number) * beta2) + f(f(gi * gi) * oneMinusBeta2));
    const denom = f(f(Math.sqrt(f(vi / bias2))) + epsilon);
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = f(f(f(mi / bias1) / denom) * negLr) + (x[i] as number);
  }
  return [xOut, mOut, vOut].map((values) => cpu.makeTensorInfo(shape, 'float32', values));
};

/**
 * Registers {@link adamUpdateCpu} on the cpu backend once (the registry works before the
 * backend exists). `FusedAdamOptimizer` calls it; other backends fall back to tfjs's ops.
 */
export function registerAdamUpdateCpu(): void {
  if (tf.getKernel(ADAM_UPDATE_KERNEL, 'cpu')) return;
  tf.registerKernel({
    kernelName: ADAM_UPDATE_KERNEL,
    backendName: 'cpu',
    kernelFunc: adamUpdateCpu,
  });
}
