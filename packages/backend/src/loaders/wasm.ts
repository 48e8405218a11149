import type { BackendLoader } from '../init-backend.js';

/** The three binaries of tfjs-backend-wasm, by file name, as `setWasmPaths` takes them. */
export interface WasmBinaryUrls {
  readonly 'tfjs-backend-wasm.wasm': string;
  readonly 'tfjs-backend-wasm-simd.wasm': string;
  readonly 'tfjs-backend-wasm-threaded-simd.wasm': string;
}

/**
 * Loads `@tensorflow/tfjs-backend-wasm` through a static `import()`, so a bundler includes it
 * (as a lazy chunk) only when this module is imported. tfjs fetches its `.wasm` binary from next
 * to its script; where a bundler moves them, use {@link wasmLoaderFrom}.
 *
 * @example
 * import { wasmLoader } from '@kdkit/backend/wasm';
 * await initBackend('auto', { loaders: { wasm: wasmLoader } });
 */
export const wasmLoader: BackendLoader = () => import('@tensorflow/tfjs-backend-wasm');

/**
 * {@link wasmLoader} that first tells tfjs where its binaries are served: a directory URL ending
 * in '/', or one URL per binary (e.g. Vite's `?url` imports of
 * `@tensorflow/tfjs-backend-wasm/wasm-out/*.wasm`).
 *
 * @example
 * import { wasmLoaderFrom } from '@kdkit/backend/wasm';
 * const wasm = wasmLoaderFrom('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs-backend-wasm@4.22.0/dist/');
 * await initBackend('wasm', { loaders: { wasm } });
 */
export function wasmLoaderFrom(binaries: string | WasmBinaryUrls): BackendLoader {
  return async () => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(typeof binaries === 'string' ? binaries : { ...binaries });
    return wasm;
  };
}
