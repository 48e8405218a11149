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
  /** Accumulates output pixels [p0, p1) into the acc inside `scratch` (see csrc/kernels.c). */
  kd_conv2d_backprop_filter_range(
    geo: number,
    x: number,
    dy: number,
    scratch: number,
    tile: number,
    p0: number,
    p1: number,
  ): void;
  /** dw = the sum of `parts` accs whose scratches lie `stride` floats apart. */
  kd_conv2d_backprop_filter_finish(
    geo: number,
    scratch: number,
    tile: number,
    stride: number,
    parts: number,
    dw: number,
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

/** Names of the kernel exports. */
export type SimdKernelName = keyof SimdExports;

/**
 * Runs kernel exports on several threads over one shared memory (set up by
 * `@kdkit/wasm-kernels/node` when tfjs-wasm runs threaded).
 */
export interface KernelPool {
  /** Threads, the calling one included. */
  readonly threads: number;
  /**
   * Calls `name(...parts[i])` for every part, part 0 on the calling thread and part i on
   * thread i, and returns when all have finished. At most `threads` parts.
   */
  run(name: SimdKernelName, parts: ReadonlyArray<readonly number[]>): void;
}

/** A call's view of the backend: tensor addresses, outputs, and scratch memory. */
export interface SimdContext {
  readonly kernels: SimdExports;
  /** Present when kernel threads run over this backend's memory. */
  readonly pool?: KernelPool;
  /** Threads of tfjs's XNNPACK pool (kdkit's kernels split their work on `pool`, when present). */
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
/** Per memory: the kernel threads running over it. */
const pools = new WeakMap<WasmMemory, KernelPool>();

function decode(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

/** The heap of a tfjs-wasm backend, when this version exposes it. */
export function backendMemory(backend: unknown): WasmMemory | undefined {
  const internals = backend as Partial<WasmBackendInternals> | null;
  return internals?.wasm?.wasmMemory ?? internals?.wasm?.asm?.memory;
}

/** Whether `memory` can be shared with other threads (tfjs-wasm's threaded build). */
export function isSharedMemory(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The compiled kernels for a shared or a plain memory (compiled once each). */
const modules = new Map<boolean, object>();
export function simdModule(shared: boolean): object {
  let module = modules.get(shared);
  if (!module) {
    // Synchronous: kernels are synchronous, and the module is small (≈12 KB, under browsers'
    // main-thread limit for synchronous compilation).
    module = new WebAssembly.Module(
      decode(shared ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64),
    );
    modules.set(shared, module);
  }
  return module;
}

function instantiate(memory: WasmMemory): SimdExports {
  const instance = new WebAssembly.Instance(simdModule(isSharedMemory(memory)), {
    env: { memory },
  });
  return instance.exports as unknown as SimdExports;
}

/** The kernels bound to `memory` (instantiated once), or `undefined` without SIMD. */
export function simdKernels(memory: WasmMemory): SimdExports | undefined {
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    try {
      kernels = instantiate(memory);
    } catch {
      kernels = null;
    }
    instances.set(memory, kernels);
  }
  return kernels ?? undefined;
}

/**
 * Splits [0, count) into one range per thread of `pool`, each a multiple of 4 long but the
 * last (SIMD lanes stay aligned), or one range without a pool or below `minCount`.
 */
export function splitRange(
  pool: KernelPool | undefined,
  count: number,
  minCount: number,
): Array<[number, number]> {
  const parts = pool && count >= minCount ? pool.threads : 1;
  const ranges: Array<[number, number]> = [];
  for (let part = 0; part < parts; part++) {
    const start = Math.floor((count * part) / parts / 4) * 4;
    const end = part === parts - 1 ? count : Math.floor((count * (part + 1)) / parts / 4) * 4;
    if (end > start) ranges.push([start, end]);
  }
  return ranges.length > 0 ? ranges : [[0, count]];
}

/** Makes kernels over `memory` split their work on `pool` (`undefined` stops that). */
export function setKernelPool(memory: WasmMemory, pool: KernelPool | undefined): void {
  if (pool) pools.set(memory, pool);
  else pools.delete(memory);
}

/**
 * The SIMD kernels bound to the memory of this wasm backend (instantiated once per memory),
 * or `undefined` when the backend does not expose its memory (another tfjs-backend-wasm
 * version) or WebAssembly SIMD is unavailable: callers then use their composed kernel.
 */
export function simdContext(backend: unknown): SimdContext | undefined {
  const internals = backend as WasmBackendInternals;
  const memory = backendMemory(internals);
  if (!memory || typeof internals.makeOutput !== 'function') return undefined;
  const bound = simdKernels(memory);
  if (!bound) return undefined;
  const pool = pools.get(memory);
  return {
    kernels: bound,
    ...(pool ? { pool } : {}),
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
