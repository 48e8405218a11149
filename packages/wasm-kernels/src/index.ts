export { type InstallWasmKernelsResult, installWasmKernels } from './install.js';
