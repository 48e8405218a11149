export {
  activateWasmBackend,
  MAX_WASM_THREADS,
  parseWasmThreadsEnv,
  type ThreadsRequest,
  type WasmThreadsOptions,
  type WasmThreadsReport,
  wasmThreadsReport,
} from './threads.js';
