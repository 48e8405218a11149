import { expectNoLeaks, randomArray } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/cross-backend.js';
import { ADAM_UPDATE_KERNEL } from './adam-update-contract.js';
import { FusedAdamOptimizer } from './fused-adam-optimizer.js';

// Sizes on and off wasm's 4-lane vectors.
const SHAPES: number[][] = [[1], [7], [3, 5], [33, 17], [2, 3, 3, 5]];
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Seeded gradients of very different scales, with exact zeros. */
function gradient(step: number, j: number): Float32Array {
  const scale = 10 ** ((step % 3) - 2);
  const values = randomArray(size(SHAPES[j] as number[]), 100 * step + j, -1, 1);
  return Float32Array.from(values, (g, i) => (i % 5 === 0 ? 0 : g * scale));
}

function makeVariables(): tf.Variable[] {
  return SHAPES.map((shape, j) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(randomArray(size(shape), 10 + j, -1, 1), shape),
        true,
        `adam-test/${j}`,
      ),
    ),
  );
}

/** One step with a learning rate that changes every step, as a schedule sets it. */
function step(optimizer: tf.Optimizer, variables: tf.Variable[], at: number, asMap: boolean) {
  // tfjs optimizers read their protected `learningRate` on every step.
  (optimizer as unknown as { learningRate: number }).learningRate = 0.02 / (1 + at);
  const grads = variables.map((v, j) => ({
    name: v.name,
    tensor: tf.tensor(gradient(at, j), v.shape),
  }));
  optimizer.applyGradients(
    asMap ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads,
  );
  tf.dispose(grads.map((g) => g.tensor));
}

interface HostState {
  readonly values: Float32Array[];
  readonly weights: { name: string; values: Float32Array | Int32Array }[];
  readonly betaPowers: number[];
}

async function snapshot(optimizer: tf.Optimizer, variables: tf.Variable[]): Promise<HostState> {
  const named = await optimizer.getWeights();
  const weights = named.map((w) => ({ name: w.name, values: w.tensor.dataSync().slice() }));
  tf.dispose(named.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
  const fields = optimizer as unknown as Record<'accBeta1' | 'accBeta2', tf.Variable>;
  return {
    values: variables.map((v) => Float32Array.from(v.dataSync())),
    weights: weights as HostState['weights'],
    betaPowers: [fields.accBeta1.dataSync()[0] as number, fields.accBeta2.dataSync()[0] as number],
  };
}

/** `steps` steps of `optimizer` on fresh variables; disposes both, returns the host state. */
async function run(optimizer: tf.Optimizer, steps = 5, asMap = false): Promise<HostState> {
  const variables = makeVariables();
  for (let at = 0; at < steps; at++) step(optimizer, variables, at, asMap);
  const state = await snapshot(optimizer, variables);
  optimizer.dispose();
  tf.dispose(variables);
  return state;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`[${backend}] FusedAdamOptimizer`, () => {
    beforeAll(async () => {
      await useBackend(backend);
    });

    it('is a tf.AdamOptimizer named Adam with the config of tf.train.adam', () => {
      const optimizer = new FusedAdamOptimizer(0.01);
      const stock = tf.train.adam(0.01);
      expect(optimizer).toBeInstanceOf(tf.AdamOptimizer);
      expect(optimizer.getClassName()).toBe('Adam');
      expect(optimizer.getConfig()).toEqual(stock.getConfig());
      optimizer.dispose();
      stock.dispose();
    });

    it('equals tf.train.adam exactly over 5 steps with a changing learning rate (list and map)', async () => {
      const stock = await run(tf.train.adam(0.02));
      expect(await run(new FusedAdamOptimizer(0.02))).toEqual(stock);
      expect(await run(new FusedAdamOptimizer(0.02), 5, true)).toEqual(stock);
      expect(stock.weights.map((w) => w.name)).toEqual([
        'iter',
        ...SHAPES.map((_, j) => `adam-test/${j}/m`),
        ...SHAPES.map((_, j) => `adam-test/${j}/v`),
      ]);
    });

    // tfjs's setWeights sets the β powers to pow(β, iter + 1), not the running float32 product,
    // so the reference is the same hand-over between two tf.train.adam optimizers.
    it("setWeights takes tf.train.adam's state and getWeights gives it back: runs continue alike", async () => {
      const handOver = async (first: tf.Optimizer, second: tf.Optimizer): Promise<HostState> => {
        const variables = makeVariables();
        for (let at = 0; at < 2; at++) step(first, variables, at, false);
        const named = await first.getWeights();
        await second.setWeights(named.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
        tf.dispose(named.map((w) => w.tensor).filter((t) => !(t instanceof tf.Variable)));
        first.dispose();
        for (let at = 2; at < 5; at++) step(second, variables, at, false);
        const state = await snapshot(second, variables);
        second.dispose();
        tf.dispose(variables);
        return state;
      };
      const stock = await handOver(tf.train.adam(0.02), tf.train.adam(0.02));
      expect(await handOver(tf.train.adam(0.02), new FusedAdamOptimizer(0.02))).toEqual(stock);
      expect(await handOver(new FusedAdamOptimizer(0.02), tf.train.adam(0.02))).toEqual(stock);
    });

    it('falls back to tfjs ops where the kernel is not registered, with the same results', async () => {
      const expected = await run(new FusedAdamOptimizer(0.02));
      const optimizer = new FusedAdamOptimizer(0.02);
      // wasm has the kernel (installWasmKernels): remove it for this test; cpu has none.
      const kernel = tf.getKernel(ADAM_UPDATE_KERNEL, backend);
      expect(kernel !== undefined).toBe(backend === 'wasm');
      if (kernel) tf.unregisterKernel(ADAM_UPDATE_KERNEL, backend);
      try {
        const variables = makeVariables();
        const profile = await tf.profile(() => step(optimizer, variables, 0, false));
        expect(profile.kernelNames).not.toContain(ADAM_UPDATE_KERNEL);
        expect(profile.kernelNames).toContain('Sqrt');
        tf.dispose(variables);
        optimizer.dispose();
        expect(await run(new FusedAdamOptimizer(0.02))).toEqual(expected);
      } finally {
        if (kernel && !tf.getKernel(ADAM_UPDATE_KERNEL, backend)) tf.registerKernel(kernel);
      }
    });

    it('leaks no tensors (made, stepped, read and disposed)', async () => {
      await expectNoLeaks(() => run(new FusedAdamOptimizer(0.01), 3));
    });
  });
}

describe('[wasm] FusedAdamOptimizer on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it(`calls ${ADAM_UPDATE_KERNEL} once per variable instead of tfjs's op chain`, async () => {
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'wasm')).toBeDefined();
    const optimizer = new FusedAdamOptimizer(0.01);
    const variables = makeVariables();
    step(optimizer, variables, 0, false);
    const profile = await tf.profile(() => step(optimizer, variables, 1, false));
    const calls = (name: string) => profile.kernels.filter((k) => k.name === name).length;
    expect(calls(ADAM_UPDATE_KERNEL)).toBe(SHAPES.length);
    expect(calls('Multiply')).toBe(2); // the two running β powers
    expect(calls('Sqrt') + calls('RealDiv') + calls('Square')).toBe(0);
    optimizer.dispose();
    tf.dispose(variables);
  });
});

describe('FusedAdamOptimizer across backends', () => {
  it('the wasm (SIMD) kernel gives the state of tf.train.adam on cpu', async () => {
    await useBackend('wasm');
    const wasm = await run(new FusedAdamOptimizer(0.02));
    const wasmStock = await run(tf.train.adam(0.02));
    await useBackend('cpu');
    const cpu = await run(new FusedAdamOptimizer(0.02));
    expect(wasm).toEqual(cpu);
    expect(wasm).toEqual(wasmStock);
    expect(cpu).toEqual(await run(tf.train.adam(0.02)));
  });
});
