export {
  type InstallWasmKernelsOptions,
  type InstallWasmKernelsResult,
  installWasmKernels,
  uninstallWasmKernels,
} from './install.js';
