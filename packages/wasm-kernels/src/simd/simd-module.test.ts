import { expectAllClose } from '@kdkit/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { fakeBackend, WebAssembly } from '../../test/fake-backend.js';
import { type KernelPool, simdContext, splitRange } from './simd-module.js';

describe('simdContext', () => {
  for (const shared of [false, true]) {
    it(`instantiates the kernels on ${shared ? 'shared (threaded tfjs)' : 'plain'} memory`, () => {
      const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared });
      const { backend, tensor, read } = fakeBackend(memory, shared ? 'wasmMemory' : 'asm');
      const simd = simdContext(backend);
      expect(simd).toBeDefined();
      // One 2×2 window over 4 channels; channel 3 is a tie (first tap wins).
      const x = tensor([1, 5, 0, 7, 3, 2, 0, 7, 2, 9, 4, 1, 0, 1, 4, 7], [1, 2, 2, 4]);
      const dy = tensor([10, 20, 30, 40], [1, 1, 1, 4]);
      const dx = simd!.output([1, 2, 2, 4]);
      simd!.withScratch([1, 2, 2, 4, 1, 1, 2, 2, 2, 2, 0, 0], 0, (geo) =>
        simd!.kernels.kd_max_pool_grad(geo, simd!.address(x), simd!.address(dy), simd!.address(dx)),
      );
      expect(read(dx)).toEqual([0, 0, 0, 40, 10, 0, 0, 0, 0, 20, 30, 0, 0, 0, 0, 0]);
    });

    it(`runs kd_adam_update on ${shared ? 'shared' : 'plain'} memory (vector lanes and a tail)`, () => {
      const memory = new WebAssembly.Memory({ initial: 2, maximum: 16, shared });
      const { backend, tensor, read } = fakeBackend(memory, shared ? 'wasmMemory' : 'asm');
      const simd = simdContext(backend)!;
      // First step from m = v = 0: m' = 0.1·g, v' = 0.001·g², and the bias-corrected step is
      // g / (|g| + ε), so value' = value − lr·sign(g) (up to ε), with lr = 0.5.
      const g = [2, -3, 0.5, -0.25, 4, -1, 8];
      const [value, m, v, grad] = [[1, 1, 1, 1, 1, 1, 1], g.map(() => 0), g.map(() => 0), g].map(
        (values) => tensor(values, [7]),
      );
      const [valueOut, mOut, vOut] = [0, 1, 2].map(() => simd.output([7])) as tf.TensorInfo[];
      const at = (t: tf.TensorInfo | undefined) => simd.address(t as tf.TensorInfo);
      const f = Math.fround;
      simd.kernels.kd_adam_update(
        at(value),
        at(m),
        at(v),
        at(grad),
        at(valueOut),
        at(mOut),
        at(vOut),
        7,
        f(0.9), // β1, 1 − β1, β2, 1 − β2
        f(1 - 0.9),
        f(0.999),
        f(1 - 0.999),
        f(1 - f(0.9)), // 1 − β1ᵗ, 1 − β2ᵗ at t = 1
        f(1 - f(0.999)),
        f(1e-7), // ε, −lr
        f(-0.5),
      );
      expectAllClose(
        read(valueOut as tf.TensorInfo),
        g.map((x) => 1 - 0.5 * Math.sign(x)),
      );
      expectAllClose(
        read(mOut as tf.TensorInfo),
        g.map((x) => 0.1 * x),
      );
      expectAllClose(
        read(vOut as tf.TensorInfo),
        g.map((x) => 0.001 * x * x),
      );
    });
  }

  it('is undefined when the backend exposes no memory (another tfjs-backend-wasm)', () => {
    expect(simdContext({ wasm: { _malloc: () => 0, _free: () => undefined } })).toBeUndefined();
  });
});

describe('splitRange', () => {
  const pool = (threads: number): KernelPool => ({ threads, run: () => undefined });

  it('gives one range per thread, lane-aligned, covering [0, count) once', () => {
    expect(splitRange(pool(2), 100_003, 1000)).toEqual([
      [0, 50_000],
      [50_000, 100_003],
    ]);
    expect(splitRange(pool(3), 30, 10)).toEqual([
      [0, 8],
      [8, 20],
      [20, 30],
    ]);
  });

  it('keeps one range without a pool, below the minimum, or when ranges would be empty', () => {
    expect(splitRange(undefined, 100_000, 10)).toEqual([[0, 100_000]]);
    expect(splitRange(pool(2), 999, 1000)).toEqual([[0, 999]]);
    expect(splitRange(pool(4), 6, 1)).toEqual([
      [0, 4],
      [4, 6],
    ]);
  });
});
