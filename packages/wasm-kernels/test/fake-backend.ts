import type * as tf from '@tensorflow/tfjs-core';
import type { WasmMemory } from '../src/simd/simd-module.js';

/** The global `WebAssembly` (the repo's TS libs carry no WebAssembly types). */
export const WebAssembly = (
  globalThis as unknown as {
    WebAssembly: {
      Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
    };
  }
).WebAssembly;

/** A stand-in for tfjs-wasm's backend over `memory`: a bump allocator and a data map. */
export function fakeBackend(memory: WasmMemory, where: 'wasmMemory' | 'asm') {
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
