export {
  type InstallWasmKernelsOptions,
  type InstallWasmKernelsResult,
  installWasmKernels,
  uninstallWasmKernels,
} from './install.js';
export { ADAM_UPDATE_KERNEL, type AdamUpdateAttrs } from './kernels/adam-update.js';
export {
  checkThreadCount,
  MAX_WASM_THREADS,
  parseWasmThreadsRequest,
  type ThreadsRequest,
  threadsSummary,
} from './threads-request.js';
