export { startKernelThreads, stopKernelThreads } from './kernel-pool.js';
export {
  activateWasmBackend,
  type KernelThreadsReport,
  MAX_WASM_THREADS,
  parseWasmThreadsEnv,
  type ThreadsRequest,
  type WasmThreadsOptions,
  type WasmThreadsReport,
  wasmThreadsReport,
} from './threads.js';
