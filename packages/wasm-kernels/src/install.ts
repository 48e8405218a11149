import * as tf from '@tensorflow/tfjs-core';

export interface InstallWasmKernelsResult {
  /** Kernel names registered on (or replaced in) the wasm backend by this package. */
  readonly kernels: readonly string[];
}

let installed: InstallWasmKernelsResult | undefined;

/**
 * Registers on the `wasm` backend the training kernels it lacks. Idempotent.
 * Call it after `@tensorflow/tfjs-backend-wasm` has been imported.
 */
export function installWasmKernels(): InstallWasmKernelsResult {
  if (installed) return installed;
  const kernels: string[] = [];
  installed = { kernels };
  void tf;
  return installed;
}
