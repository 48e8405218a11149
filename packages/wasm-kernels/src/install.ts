import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE_KERNEL } from './adam-update-contract.js';
import { adamUpdateSimd } from './kernels/adam-update.js';
import { batchMatMulViaTranspose } from './kernels/batch-matmul.js';
import { batchNormAsDepthwise } from './kernels/batch-norm.js';
import { conv2dBackpropFilterSimd } from './kernels/conv2d-backprop-filter-simd.js';
import { conv2dBackpropInputSimd } from './kernels/conv2d-backprop-input-simd.js';
import { depthwiseConv2dBackpropFilter } from './kernels/depthwise-backprop-filter.js';
import { depthwiseConv2dBackpropInput } from './kernels/depthwise-backprop-input.js';
import { identityShared } from './kernels/identity.js';
import { maxPoolGradSimd } from './kernels/max-pool-grad-simd.js';
import { reduceSpatial } from './kernels/reduce-spatial.js';
import type { KernelFactory, WasmKernelFunc } from './kernels/stock-kernel.js';
import { tileAsBroadcast } from './kernels/tile.js';

export interface InstallWasmKernelsOptions {
  /**
   * Also replace kernels that stock wasm has but runs slowly (e.g. `Conv2DBackpropInput`) with
   * faster ones (kdkit's SIMD code or compositions of its XNNPACK ops). Default `true`; `false`
   * adds only missing kernels.
   */
  readonly replaceSlow?: boolean;
}

export interface InstallWasmKernelsResult {
  /** Kernel names registered on (or replaced in) the wasm backend by this package. */
  readonly kernels: readonly string[];
  /** Of those, the ones stock wasm lacked. */
  readonly added: readonly string[];
  /** Of those, the ones that replaced a slower stock kernel. */
  readonly replaced: readonly string[];
}

/** Kernels stock wasm lacks (the last is kdkit's own fused Adam step): always installed. */
const MISSING: ReadonlyArray<readonly [string, WasmKernelFunc]> = [
  [tf.Conv2DBackpropFilter, conv2dBackpropFilterSimd],
  [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseConv2dBackpropFilter],
  [tf.DepthwiseConv2dNativeBackpropInput, depthwiseConv2dBackpropInput],
  [ADAM_UPDATE_KERNEL, adamUpdateSimd],
];

/**
 * Kernels stock wasm has, replaced by faster (or correct) ones; see bench/kernel-compare.ts
 * for stock vs replacement timings (and, for the SIMD kernels, the compositions they replaced).
 * A factory receives the stock kernel, which it calls outside its fast cases.
 */
const FASTER: ReadonlyArray<readonly [string, KernelFactory]> = [
  [tf.Conv2DBackpropInput, () => conv2dBackpropInputSimd],
  [tf.Identity, () => identityShared],
  [tf.BatchMatMul, batchMatMulViaTranspose],
  [tf.Tile, tileAsBroadcast],
  [tf.Sum, reduceSpatial('sum')],
  [tf.Mean, reduceSpatial('mean')],
  [tf.MaxPoolGrad, maxPoolGradSimd],
  [tf.FusedBatchNorm, batchNormAsDepthwise],
];

const BACKEND = 'wasm';

let installed: InstallWasmKernelsResult | undefined;
/** Stock kernels we replaced, restored by {@link uninstallWasmKernels}. */
const originals = new Map<string, tf.KernelConfig>();

function register(kernelName: string, kernelFunc: WasmKernelFunc): void {
  if (tf.getKernel(kernelName, BACKEND)) tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc: kernelFunc as tf.KernelFunc });
}

/**
 * Registers on the `wasm` backend the training kernels it lacks (`Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`, and the fused
 * Adam step `KdkitAdamUpdate` that an optimizer may call) and, unless
 * `replaceSlow: false`, faster versions of slow ones. `Conv2DBackpropFilter`,
 * `Conv2DBackpropInput`, `MaxPoolGrad` and `KdkitAdamUpdate` run kdkit's SIMD code in wasm's own memory; the others
 * are compositions of wasm's XNNPACK kernels. Idempotent: a second call returns the first result (call
 * {@link uninstallWasmKernels} first to change options). Works before or after
 * `tf.setBackend('wasm')` (it only touches the kernel registry), but import
 * `@tensorflow/tfjs-backend-wasm` first: a replacement is skipped when no stock kernel exists.
 *
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * await tf.setBackend('wasm');
 * installWasmKernels(); // { kernels: ['Conv2DBackpropFilter', …], added: […], replaced: […] }
 */
export function installWasmKernels(
  options: InstallWasmKernelsOptions = {},
): InstallWasmKernelsResult {
  if (installed) return installed;
  const added: string[] = [];
  const replaced: string[] = [];
  for (const [name, func] of MISSING) {
    const stock = tf.getKernel(name, BACKEND);
    if (stock) originals.set(name, stock);
    register(name, func);
    added.push(name);
  }
  if (options.replaceSlow !== false) {
    for (const [name, factory] of FASTER) {
      const stock = tf.getKernel(name, BACKEND);
      if (!stock) continue;
      originals.set(name, stock);
      register(name, factory(stock));
      replaced.push(name);
    }
  }
  installed = { kernels: [...added, ...replaced], added, replaced };
  return installed;
}

/**
 * Removes what {@link installWasmKernels} registered and restores the stock wasm kernels it
 * replaced (benchmarks use it to measure stock wasm).
 *
 * @example
 * uninstallWasmKernels(); // wasm is stock again
 */
export function uninstallWasmKernels(): void {
  if (!installed) return;
  for (const name of installed.kernels) {
    tf.unregisterKernel(name, BACKEND);
    const original = originals.get(name);
    if (!original) continue;
    tf.registerKernel(original);
    // A stock kernel unregistered before the backend initialised never ran its setup.
    const backend = tf.findBackend(BACKEND);
    if (backend && original.setupFunc) original.setupFunc(backend);
  }
  originals.clear();
  installed = undefined;
}
