import { expectAllClose } from '@kdkit/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { simdContext, type WasmMemory } from './simd-module.js';

declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
};

/** A stand-in for tfjs-wasm's backend over `memory`: a bump allocator and a data map. */
function fakeBackend(memory: WasmMemory, where: 'wasmMemory' | 'asm') {
  let next = 1024;
  const offsets = new Map<object, number>();
  const malloc = (bytes: number): number => {
    const at = next;
    next += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const tensor = (values: number[], shape: number[]): tf.TensorInfo => {
    const dataId = {};
    const at = malloc(values.length * 4);
    new Float32Array(memory.buffer, at, values.length).set(values);
    offsets.set(dataId, at);
    return { dataId, shape, dtype: 'float32' };
  };
  const backend = {
    wasm: {
      _malloc: malloc,
      _free: () => undefined,
      ...(where === 'wasmMemory' ? { wasmMemory: memory } : { asm: { memory } }),
    },
    dataIdMap: { get: (id: object) => ({ memoryOffset: offsets.get(id) ?? 0 }) },
    makeOutput: (shape: number[]) =>
      tensor(new Array<number>(shape.reduce((a, b) => a * b)).fill(Number.NaN), shape),
  };
  const read = (t: tf.TensorInfo): number[] => {
    const count = t.shape.reduce((a, b) => a * b, 1);
    return Array.from(new Float32Array(memory.buffer, offsets.get(t.dataId), count));
  };
  return { backend, tensor, read };
}

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
