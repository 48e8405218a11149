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
