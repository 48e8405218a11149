import type * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../adam-update-contract.js';
import { simdContext, splitRange } from '../simd/simd-module.js';
import type { KernelArgs, WasmKernelFunc } from './stock-kernel.js';

/** The constants as tfjs's float32 scalar tensors hold them: 1 − β in double, then rounded. */
function constants(a: AdamUpdateAttrs) {
  const f = Math.fround;
  return {
    beta1: f(a.beta1),
    oneMinusBeta1: f(1 - a.beta1),
    beta2: f(a.beta2),
    oneMinusBeta2: f(1 - a.beta2),
    oneMinusBeta1Power: f(1 - f(a.beta1Power)),
    oneMinusBeta2Power: f(1 - f(a.beta2Power)),
    epsilon: f(a.epsilon),
    negLearningRate: f(-a.learningRate),
  };
}

/** The part of tfjs-backend-wasm's backend the loop fallback uses. */
interface WasmBackendData {
  readSync(dataId: object): Float32Array;
  makeOutput(
    shape: number[],
    dtype: 'float32',
    memoryOffset: undefined,
    values: Float32Array,
  ): tf.TensorInfo;
}

/** The same update in JS, rounding to float32 after every operation (no SIMD available). */
function adamUpdateLoop(
  args: KernelArgs,
  inputs: tf.TensorInfo[],
  k: ReturnType<typeof constants>,
): tf.TensorInfo[] {
  const backend = args.backend as WasmBackendData;
  const [x, m, v, g] = inputs.map((t) => backend.readSync(t.dataId)) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const f = Math.fround;
  const xOut = new Float32Array(x.length);
  const mOut = new Float32Array(x.length);
  const vOut = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const gi = g[i] as number;
    const mi = f(f((m[i] as number) * k.beta1) + f(gi * k.oneMinusBeta1));
    const vi = f(f((v[i] as number) * k.beta2) + f(f(gi * gi) * k.oneMinusBeta2));
    const denom = f(f(Math.sqrt(f(vi / k.oneMinusBeta2Power))) + k.epsilon);
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = f(f(f(mi / k.oneMinusBeta1Power) / denom) * k.negLearningRate) + (x[i] as number);
  }
  const shape = (inputs[0] as tf.TensorInfo).shape.slice();
  return [xOut, mOut, vOut].map((values) =>
    backend.makeOutput(shape, 'float32', undefined, values),
  );
}

const INPUTS = ['value', 'm', 'v', 'gradient'] as const;

/** Below this many elements a second thread's wake-up costs more than it saves. */
const PARALLEL_MIN_ELEMENTS = 32_768;

/**
 * {@link ADAM_UPDATE_KERNEL} on wasm: kdkit's SIMD function `kd_adam_update` (csrc/kernels.c),
 * one pass over the four arrays in tfjs-wasm's heap, exactly tfjs `AdamOptimizer`'s float32
 * arithmetic: m' = m·β1 + g·(1−β1), v' = v·β2 + g²·(1−β2),
 * value' = (m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε) · (−lr) + value. Without SIMD (or a backend whose
 * memory it cannot reach) the same arithmetic runs as a JS loop.
 *
 * @example
 * const [value, m, v] = tf.engine().runKernel(ADAM_UPDATE_KERNEL, { value, m, v, gradient },
 *   { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, beta1Power: 0.9, beta2Power: 0.999 });
 */
export const adamUpdateSimd: WasmKernelFunc = (args) => {
  const inputs = INPUTS.map((name) => {
    const t = args.inputs[name];
    if (t?.dtype !== 'float32') {
      throw new Error(
        `wasm-kernels ${ADAM_UPDATE_KERNEL}: input '${name}' must be a float32 tensor, got ${t?.dtype ?? 'none'}`,
      );
    }
    return t;
  });
  const shape = (inputs[0] as tf.TensorInfo).shape;
  for (const [i, t] of inputs.entries()) {
    if (t.shape.join() !== shape.join()) {
      throw new Error(
        `wasm-kernels ${ADAM_UPDATE_KERNEL}: input '${INPUTS[i]}' has shape [${t.shape}], 'value' [${shape}]`,
      );
    }
  }
  const k = constants(args.attrs as unknown as AdamUpdateAttrs);
  const simd = simdContext(args.backend);
  if (!simd) return adamUpdateLoop(args, inputs, k);
  const outs = [simd.output(shape.slice()), simd.output(shape.slice()), simd.output(shape.slice())];
  const [value, m, v, g, valueOut, mOut, vOut] = [...inputs, ...outs].map((t) =>
    simd.address(t),
  ) as number[];
  const constantsInOrder = [
    k.beta1,
    k.oneMinusBeta1,
    k.beta2,
    k.oneMinusBeta2,
    k.oneMinusBeta1Power,
    k.oneMinusBeta2Power,
    k.epsilon,
    k.negLearningRate,
  ];
  // Element-wise: any split gives the same bits.
  const parts = splitRange(
    simd.pool,
    shape.reduce((a, b) => a * b, 1),
    PARALLEL_MIN_ELEMENTS,
  ).map(([start, end]) => [
    ...[value, m, v, g, valueOut, mOut, vOut].map((at) => (at as number) + start * 4),
    end - start,
    ...constantsInOrder,
  ]);
  if (parts.length > 1 && simd.pool) simd.pool.run('kd_adam_update', parts);
  else (simd.kernels.kd_adam_update as (...args: number[]) => void)(...(parts[0] as number[]));
  return outs;
};
