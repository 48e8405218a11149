import type * as tf from '@tensorflow/tfjs-core';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm.js';

/** A `WebAssembly.Memory` (the repo's TS libs carry no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/** The part of the global `WebAssembly` namespace used here (present in browsers and Node). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
};

/** The exports of csrc/kernels.c; every pointer is a byte offset into tfjs-wasm's heap. */
export interface SimdExports {
  kd_conv2d_backprop_filter(
    geo: number,
    x: number,
    dy: number,
    dw: number,
    scratch: number,
    tile: number,
  ): void;
  kd_conv2d_backprop_input(
    geo: number,
    dy: number,
    w: number,
    dx: number,
    scratch: number,
    tile: number,
  ): void;
  kd_max_pool_grad(geo: number, x: number, dy: number, dx: number): void;
  /** Pointers, then the element count, then the float32 constants (see csrc/kernels.c). */
  kd_adam_update(
    value: number,
    m: number,
    v: number,
    g: number,
    valueOut: number,
    mOut: number,
    vOut: number,
    count: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    oneMinusBeta1Power: number,
    oneMinusBeta2Power: number,
    epsilon: number,
    negLearningRate: number,
  ): void;
}

/** The parts of tfjs-backend-wasm's `BackendWasm` (4.22) the SIMD kernels use. */
interface WasmBackendInternals {
  wasm: {
    _malloc(bytes: number): number;
    _free(pointer: number): void;
    /** Set by the threaded build, whose memory is created in JS and shared. */
    wasmMemory?: WasmMemory;
    /** The instance exports; the single-threaded builds export their memory here. */
    asm?: { memory?: WasmMemory };
    /** tfjs's own bindings; `getThreadsCount` is XNNPACK's thread-pool size. */
    tfjs?: { getThreadsCount?(): number };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** A call's view of the backend: tensor addresses, outputs, and scratch memory. */
export interface SimdContext {
  readonly kernels: SimdExports;
  /** Threads of tfjs's XNNPACK pool (these kernels use one). */
  readonly threads: number;
  /** Byte offset of a tensor's data in the heap. */
  address(tensor: tf.TensorInfo): number;
  /** A new float32 output tensor on the backend (uninitialised). */
  output(shape: number[]): tf.TensorInfo;
  /**
   * Runs `fn` with `geometry` written as int32 at `geo` and `scratchFloats` floats of scratch
   * at `scratch`, both from tfjs's malloc, freed afterwards.
   */
  withScratch<T>(
    geometry: readonly number[],
    scratchFloats: number,
    fn: (geo: number, scratch: number) => T,
  ): T;
}

/** Per memory: the instance, or `null` when it failed to compile (no SIMD). */
const instances = new WeakMap<WasmMemory, SimdExports | null>();

function decode(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

function memoryOf(backend: WasmBackendInternals): WasmMemory | undefined {
  return backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
}

function instantiate(memory: WasmMemory): SimdExports {
  const shared =
    typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64);
  // Synchronous: kernels are synchronous, and the module is small (≈12 KB, under browsers'
  // main-thread limit for synchronous compilation).
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as SimdExports;
}

/**
 * The SIMD kernels bound to the memory of this wasm backend (instantiated once per memory),
 * or `undefined` when the backend does not expose its memory (another tfjs-backend-wasm
 * version) or WebAssembly SIMD is unavailable: callers then use their composed kernel.
 */
export function simdContext(backend: unknown): SimdContext | undefined {
  const internals = backend as WasmBackendInternals;
  const memory = memoryOf(internals);
  if (!memory || typeof internals.makeOutput !== 'function') return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      kernels = instantiate(memory);
    } catch {
      kernels = null;
    }
    instances.set(memory, kernels);
  }
  if (kernels === null) return undefined;
  const bound = kernels;
  return {
    kernels: bound,
    threads: internals.wasm.tfjs?.getThreadsCount?.() ?? 1,
    address(tensor) {
      const data = internals.dataIdMap.get(tensor.dataId);
      if (!data) throw new Error('wasm-kernels: tensor is not on the wasm backend');
      return data.memoryOffset;
    },
    output(shape) {
      return internals.makeOutput(shape, 'float32');
    },
    withScratch(geometry, scratchFloats, fn) {
      const geoBytes = 64;
      const base = internals.wasm._malloc(geoBytes + scratchFloats * 4) >>> 0;
      if (base === 0) throw new Error('wasm-kernels: out of wasm memory for SIMD scratch');
      try {
        new Int32Array(memory.buffer, base, geometry.length).set(geometry);
        return fn(base, base + geoBytes);
      } finally {
        internals.wasm._free(base);
      }
    },
  };
}
