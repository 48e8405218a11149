import { SeededRandom } from '@kdkit/engine';
import type * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBackend, WebAssembly } from '../../test/fake-backend.js';
import { adamUpdateSimd } from '../kernels/adam-update.js';
import { conv2dBackpropFilterSimd } from '../kernels/conv2d-backprop-filter-simd.js';
import { simdContext, type WasmMemory } from '../simd/simd-module.js';
import { startKernelThreads, stopKernelThreads } from './kernel-pool.js';

const started: WasmMemory[] = [];
afterEach(async () => {
  for (const memory of started.splice(0)) await stopKernelThreads(memory);
});

/** dW[i,j,c,o] = Σ_{n,y,x} X[n, y·s+i−p, x·s+j−p, c] · dY[n,y,x,o], in float64. */
function naiveFilterGrad(
  x: Float32Array,
  [n, h, w, c]: readonly [number, number, number, number],
  dy: Float32Array,
  [oh, ow, o]: readonly [number, number, number],
  [fh, fw]: readonly [number, number],
  stride: number,
  pad: number,
): number[] {
  const dw = new Array<number>(fh * fw * c * o).fill(0);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let i = 0; i < fh; i++)
          for (let j = 0; j < fw; j++) {
            const iy = y * stride + i - pad;
            const ix = xx * stride + j - pad;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let ch = 0; ch < c; ch++) {
              const xv = x[((b * h + iy) * w + ix) * c + ch] as number;
              for (let oc = 0; oc < o; oc++) {
                const g = dy[((b * oh + y) * ow + xx) * o + oc] as number;
                dw[((i * fw + j) * c + ch) * o + oc]! += xv * g;
              }
            }
          }
  return dw;
}

/** A `Conv2DBackpropFilter` call on the fake backend (stride 1, no dilation, NHWC). */
function filterGradArgs(
  fake: ReturnType<typeof fakeBackend>,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  filterShape: number[],
  pad: 'same' | 'valid',
) {
  const attrs = { strides: [1, 1], pad, dilations: [1, 1], filterShape, dataFormat: 'NHWC' };
  return { inputs: { x, dy }, attrs: attrs as unknown as tf.NamedAttrMap, backend: fake.backend };
}

function setup() {
  // 16 MB of shared heap, as tfjs-wasm's threaded build has.
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 256, shared: true });
  const fake = fakeBackend(memory, 'wasmMemory');
  const random = new SeededRandom(7);
  const values = (count: number) =>
    Float32Array.from({ length: count }, () => random.nextFloat() * 2 - 1);
  // 8×16×16 pixels, 3×3 taps, 16 → 32 channels: 2,048 pixels, ≈9.4M multiply-adds.
  const xShape: [number, number, number, number] = [8, 16, 16, 16];
  const dyShape = [8, 16, 16, 32];
  const x = values(8 * 16 * 16 * 16);
  const dy = values(8 * 16 * 16 * 32);
  const args = filterGradArgs(
    fake,
    fake.tensor(Array.from(x), xShape),
    fake.tensor(Array.from(dy), dyShape),
    [3, 3, 16, 32],
    'same',
  );
  const expected = naiveFilterGrad(x, xShape, dy, [16, 16, 32], [3, 3], 1, 1);
  const run = () => fake.read(conv2dBackpropFilterSimd(args) as tf.TensorInfo);
  return { memory, backend: fake.backend, expected, run };
}

function worstError(actual: readonly number[], expected: readonly number[]): number {
  let worst = 0;
  for (const [i, e] of expected.entries()) {
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / (1e-4 + 1e-4 * Math.abs(e)));
  }
  return worst;
}

describe('startKernelThreads', () => {
  it('splits Conv2DBackpropFilter over two threads, matching one thread and a float64 reference', async () => {
    const { memory, backend, expected, run } = setup();
    const alone = run();
    expect(worstError(alone, expected)).toBeLessThanOrEqual(1);

    started.push(memory);
    expect(await startKernelThreads(memory, 2)).toBe(2);
    const pool = simdContext(backend)?.pool;
    expect(pool?.threads).toBe(2);
    const spy = vi.spyOn(pool!, 'run');
    const split = run();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]?.[0]).toBe('kd_conv2d_backprop_filter_range');
    expect(spy.mock.calls[0]?.[1]).toHaveLength(2);
    expect(worstError(split, expected)).toBeLessThanOrEqual(1);
    // Same products, summed in two halves: equal up to float32 rounding of 2,048-term sums.
    expect(worstError(split, alone)).toBeLessThanOrEqual(1);
    // Repeated calls reuse the threads.
    expect(run()).toEqual(split);
  });

  it('splits the Adam update over two threads with the same bits as one thread', async () => {
    const memory = new WebAssembly.Memory({ initial: 128, maximum: 128, shared: true });
    const fake = fakeBackend(memory, 'wasmMemory');
    const random = new SeededRandom(3);
    // Not a multiple of 4: the last range has a scalar tail.
    const count = 100_003;
    const values = (scale: number) =>
      Array.from({ length: count }, () => (random.nextFloat() - 0.5) * scale);
    const inputs = {
      value: fake.tensor(values(2), [count]),
      m: fake.tensor(values(0.1), [count]),
      v: fake.tensor(values(0.01).map(Math.abs), [count]),
      gradient: fake.tensor(values(1), [count]),
    };
    const attrs = {
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      beta1Power: 0.9 ** 5,
      beta2Power: 0.999 ** 5,
    } as unknown as tf.NamedAttrMap;
    const run = () =>
      (adamUpdateSimd({ inputs, attrs, backend: fake.backend }) as tf.TensorInfo[]).map(fake.read);
    const alone = run();
    started.push(memory);
    await startKernelThreads(memory, 2);
    const spy = vi.spyOn(simdContext(fake.backend)!.pool!, 'run');
    const split = run();
    expect(spy.mock.calls.map((call) => [call[0], call[1].length])).toEqual([
      ['kd_adam_update', 2],
    ]);
    expect(split).toEqual(alone);
    expect(split[0]).not.toEqual(fake.read(inputs.value));
  });

  it('keeps small kernels on the calling thread', async () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 4, shared: true });
    const fake = fakeBackend(memory, 'wasmMemory');
    started.push(memory);
    await startKernelThreads(memory, 2);
    const spy = vi.spyOn(simdContext(fake.backend)!.pool!, 'run');
    const out = conv2dBackpropFilterSimd(
      filterGradArgs(
        fake,
        fake.tensor([1, 2, 3, 4], [1, 2, 2, 1]),
        fake.tensor([1, 1, 1, 1], [1, 2, 2, 1]),
        [1, 1, 1, 1],
        'valid',
      ),
    ) as tf.TensorInfo;
    expect(fake.read(out)).toEqual([10]);
    expect(spy).not.toHaveBeenCalled();
  });

  it('runs on one thread over a memory that is not shared, or when one thread is asked for', async () => {
    const plain = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: false });
    expect(await startKernelThreads(plain, 2)).toBe(1);
    expect(simdContext(fakeBackend(plain, 'asm').backend)?.pool).toBeUndefined();
    const shared = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    expect(await startKernelThreads(shared, 1)).toBe(1);
  });

  it('reports a kernel that traps on a worker, after every thread finished, and keeps working', async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    started.push(memory);
    await startKernelThreads(memory, 2);
    const pool = simdContext(fakeBackend(memory, 'wasmMemory').backend)!.pool!;
    // kd_adam_update over 4 floats at `at` (value, m, v, g and the outputs all alias it).
    const adamAt = (at: number) => [
      at,
      at,
      at,
      at,
      at,
      at,
      at,
      4,
      0.9,
      0.1,
      0.999,
      0.001,
      0.1,
      0.001,
      1e-7,
      -1e-3,
    ];
    const beyondMemory = 2 * 65536 + 1024;
    expect(() => pool.run('kd_adam_update', [adamAt(1024), adamAt(beyondMemory)])).toThrow(
      'kd_adam_update failed on thread 1',
    );
    expect(() => pool.run('kd_adam_update', [adamAt(1024), adamAt(2048)])).not.toThrow();
  });

  it('stops: kernels run on the calling thread again', async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
    await startKernelThreads(memory, 2);
    const backend = fakeBackend(memory, 'wasmMemory').backend;
    expect(simdContext(backend)?.pool).toBeDefined();
    await stopKernelThreads(memory);
    expect(simdContext(backend)?.pool).toBeUndefined();
  });
});
