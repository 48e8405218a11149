export { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './adam-update-contract.js';
export { FusedAdamOptimizer } from './fused-adam-optimizer.js';
export {
  type InstallWasmKernelsOptions,
  type InstallWasmKernelsResult,
  installWasmKernels,
  uninstallWasmKernels,
} from './install.js';
export {
  checkThreadCount,
  MAX_WASM_THREADS,
  parseWasmThreadsRequest,
  type ThreadsRequest,
  threadsSummary,
} from './threads-request.js';
