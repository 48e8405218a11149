import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type HostTensor, runOn, useBackend, worstRatio } from '../../test/cross-backend.js';
import { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from '../adam-update-contract.js';
import { simdContext } from '../simd/simd-module.js';

// Sizes on and off the 4-lane vectors (1, 7, 15, 33·17), and a 4-d one.
const SHAPES: number[][] = [[1], [7], [3, 5], [33, 17], [2, 3, 3, 5], [4, 8]];
const STEPS = 4;
const SETTINGS = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const initial = (j: number) => randomArray(size(SHAPES[j] as number[]), 10 + j, -1, 1);
/** Gradients of very different scales, with exact zeros: (1 − β)·g and √v under stress. */
function gradient(step: number, j: number): Float32Array {
  const scale = 10 ** ((step % 3) - 2);
  return Float32Array.from(
    randomArray(size(SHAPES[j] as number[]), 100 * step + j, -1, 1),
    (g, i) => (i % 5 === 0 ? 0 : g * scale),
  );
}

/** tfjs's own AdamOptimizer: the values, then m and v, of every variable after STEPS steps. */
function stockAdam(): tf.Tensor[] {
  const variables = SHAPES.map((shape, j) => tf.variable(tf.tensor(initial(j), shape)));
  const { learningRate, beta1, beta2, epsilon } = SETTINGS;
  const optimizer = tf.train.adam(learningRate, beta1, beta2, epsilon);
  for (let step = 0; step < STEPS; step++) {
    const grads = variables.map((v, j) => ({
      name: v.name,
      tensor: tf.tensor(gradient(step, j), v.shape),
    }));
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const state = optimizer as unknown as {
    accumulatedFirstMoment: { variable: tf.Variable }[];
    accumulatedSecondMoment: { variable: tf.Variable }[];
  };
  const out = [
    ...variables,
    ...state.accumulatedFirstMoment.map((m) => m.variable),
    ...state.accumulatedSecondMoment.map((v) => v.variable),
  ].map((t) => tf.clone(t));
  optimizer.dispose();
  tf.dispose(variables);
  return out;
}

/** The same STEPS steps through the kernel, with β powers accumulated in float32 like tfjs. */
function fusedAdam(): tf.Tensor[] {
  let state = SHAPES.map((shape, j) => [
    tf.tensor(initial(j), shape),
    tf.zeros(shape),
    tf.zeros(shape),
  ]);
  let beta1Power = Math.fround(SETTINGS.beta1);
  let beta2Power = Math.fround(SETTINGS.beta2);
  for (let step = 0; step < STEPS; step++) {
    const attrs: AdamUpdateAttrs = { ...SETTINGS, beta1Power, beta2Power };
    state = state.map(([value, m, v], j) => {
      const g = tf.tensor(gradient(step, j), (value as tf.Tensor).shape);
      const next = tf
        .engine()
        .runKernel(
          ADAM_UPDATE_KERNEL,
          { value: value as tf.Tensor, m: m as tf.Tensor, v: v as tf.Tensor, gradient: g },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      tf.dispose([value as tf.Tensor, m as tf.Tensor, v as tf.Tensor, g]);
      return next;
    });
    beta1Power = Math.fround(beta1Power * Math.fround(SETTINGS.beta1));
    beta2Power = Math.fround(beta2Power * Math.fround(SETTINGS.beta2));
  }
  return [0, 1, 2].flatMap((k) => state.map((s) => s[k] as tf.Tensor));
}

function expectClose(actual: HostTensor[], expected: HostTensor[], rtol: number): void {
  expect(actual.length).toBe(expected.length);
  for (const [i, e] of expected.entries()) {
    const kind = ['value', 'm', 'v'][Math.floor(i / SHAPES.length)];
    const label = `${kind} of variable ${i % SHAPES.length} [${e.shape}]`;
    expect(worstRatio(actual[i] as HostTensor, e, 1e-30, rtol), label).toBeLessThanOrEqual(1);
  }
}

describe(`${ADAM_UPDATE_KERNEL} on wasm (SIMD) matches tfjs's AdamOptimizer`, () => {
  it('runs on the SIMD kernel (the wasm backend exposes its memory)', async () => {
    await useBackend('wasm');
    expect(simdContext(tf.backend())).toBeDefined();
  });

  // Same float32 operations in the same order: equal bit for bit, not just within 1e-6.
  it(`${STEPS} steps equal tf.train.adam on wasm and on cpu exactly (sizes off the vector width)`, async () => {
    const fused = await runOn('wasm', fusedAdam);
    expectClose(fused, await runOn('wasm', stockAdam), 0);
    expectClose(fused, await runOn('cpu', stockAdam), 0);
  });

  it('without reachable memory, the JS loop gives the same values', async () => {
    const simd = await runOn('wasm', fusedAdam);
    const real = tf.findBackend('wasm') as unknown as { wasm: object };
    const kernel = tf.getKernel(ADAM_UPDATE_KERNEL, 'wasm') as tf.KernelConfig;
    // The backend seen through a view that hides its memory, as another tfjs-backend-wasm might.
    const hidden = Object.create(real, {
      wasm: {
        value: Object.create(real.wasm, {
          wasmMemory: { value: undefined },
          asm: { value: undefined },
        }),
      },
    }) as object;
    expect(simdContext(hidden)).toBeUndefined();
    tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'wasm');
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => kernel.kernelFunc({ ...args, backend: hidden }),
    });
    try {
      expectClose(await runOn('wasm', fusedAdam), simd, 0);
    } finally {
      tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'wasm');
      tf.registerKernel(kernel);
    }
  });

  it('refuses inputs of different shapes or dtypes, naming them', async () => {
    await useBackend('wasm');
    const attrs = { ...SETTINGS, beta1Power: 0.9, beta2Power: 0.999 } as unknown as tf.NamedAttrMap;
    const run = (g: tf.Tensor) => () =>
      tf.tidy(() => {
        const x = tf.zeros([3]);
        return tf
          .engine()
          .runKernel(ADAM_UPDATE_KERNEL, { value: x, m: x, v: x, gradient: g }, attrs);
      });
    const g4 = tf.zeros([4]);
    const gInt = tf.zeros([3], 'int32');
    expect(run(g4)).toThrow(/input 'gradient' has shape \[4\], 'value' \[3\]/);
    expect(run(gInt)).toThrow(/input 'gradient' must be a float32 tensor, got int32/);
    tf.dispose([g4, gInt]);
  });

  it('leaks no tensors', async () => {
    await useBackend('wasm');
    await expectNoLeaks(fusedAdam);
  });
});
