// Starts the tfjs backend through @kdkit/backend (webgpu → webgl → wasm → cpu in a browser; a
// software-rendered WebGL is skipped under 'auto') and says which one and why, with the wasm
// thread count (every core, at most 8, when the page is cross-origin isolated).
import { initBackend } from '@kdkit/backend';
import { cpuLoader } from '@kdkit/backend/cpu';
import { wasmLoaderFrom } from '@kdkit/backend/wasm';
import { webglLoader } from '@kdkit/backend/webgl';
import { webgpuLoader } from '@kdkit/backend/webgpu';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendChoice } from './settings.js';

export interface PageBackend {
  readonly name: string;
  readonly reason: string;
  /** wasm threads; 1 on the other backends. */
  readonly threads: number;
}

/** Each backend loads lazily; the wasm binaries are emitted by Vite as hashed assets. */
const LOADERS = {
  webgpu: webgpuLoader,
  webgl: webglLoader,
  wasm: wasmLoaderFrom({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  }),
  cpu: cpuLoader,
};

/** Why this page can or cannot run wasm threads (shown beside the backend). */
export function isolationNote(): string {
  if (typeof WebAssembly !== 'object') return 'this browser has no WebAssembly';
  if (!globalThis.crossOriginIsolated) {
    return 'page not cross-origin isolated (no COOP/COEP headers): wasm runs on one thread';
  }
  return `cross-origin isolated, ${navigator.hardwareConcurrency} cores`;
}

/**
 * Activates `choice` (or the best available with 'auto'); throws KdkitError when it can't.
 * wasm gets `threads` threads, by default one per core the browser reports (at most 8).
 */
export async function startBackend(choice: BackendChoice, threads?: number): Promise<PageBackend> {
  const info = await initBackend(choice, {
    log: false,
    loaders: LOADERS,
    platform: 'browser',
    ...(threads === undefined ? {} : { wasmThreads: threads }),
  });
  return { name: info.name, reason: info.reason, threads: info.threads ?? 1 };
}
