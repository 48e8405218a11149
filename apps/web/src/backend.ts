// Starts the tfjs backend through @kdkit/backend (webgpu → webgl → wasm → cpu in a browser)
// and says which one and why, with the wasm thread count.
import { type BackendInfo, type BackendName, initBackend } from '@kdkit/backend';
import { isKdkitError, KdkitError } from '@kdkit/engine';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice } from './settings.js';

export interface PageBackend {
  readonly name: string;
  readonly reason: string;
  /** wasm threads; 1 on the other backends. */
  readonly threads: number;
}

/** Most threads tfjs-backend-wasm runs (its XNNPACK pool is capped at 8). */
const MAX_THREADS = 8;

// The binaries are emitted by Vite as hashed assets; tfjs fetches the one the browser supports.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/** The WebGL renderer's name, when the browser tells it (e.g. 'ANGLE (… SwiftShader …)'). */
function webglRenderer(): string | undefined {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as unknown;
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return typeof name === 'string' ? name : undefined;
}

/**
 * Static imports the bundler can see (@kdkit/backend's own loaders import by a computed name,
 * which a browser cannot resolve in a bundle). Each registers its backend with tfjs-core.
 * With 'auto', a software WebGL (SwiftShader, llvmpipe: headless or GPU-less browsers) is
 * skipped: it trains slower than wasm.
 */
function loaders(choice: BackendChoice): Partial<Record<BackendName, () => Promise<void>>> {
  return {
    webgpu: async () => {
      if (!('gpu' in navigator)) throw new Error('this browser has no WebGPU (navigator.gpu)');
      await import('@tensorflow/tfjs-backend-webgpu');
    },
    webgl: async () => {
      const renderer = webglRenderer();
      if (renderer === undefined) throw new Error('this browser has no WebGL2');
      if (choice === 'auto' && /swiftshader|llvmpipe|software/i.test(renderer)) {
        throw new Error(`software-rendered WebGL (${renderer}) is slower than wasm`);
      }
      await import('@tensorflow/tfjs-backend-webgl');
    },
    // Registered by the static import above (which also sets its binaries' paths).
    wasm: async () => {
      if (typeof WebAssembly !== 'object') throw new Error('this browser has no WebAssembly');
    },
    cpu: async () => {
      await import('@tensorflow/tfjs-backend-cpu');
    },
  };
}

/**
 * tfjs's threaded wasm build caps its pool at half of `navigator.hardwareConcurrency` (one
 * thread on a 2-core machine). Reporting 2 × `threads` cores while the backend starts gives it
 * `threads` (as @kdkit/wasm-kernels does with `os.cpus()` in Node). Returns the undo.
 */
function reportCoresFor(threads: number): () => void {
  Object.defineProperty(navigator, 'hardwareConcurrency', {
    configurable: true,
    get: () => 2 * threads,
  });
  return () => {
    Reflect.deleteProperty(navigator, 'hardwareConcurrency');
  };
}

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
  const wanted = threads ?? Math.min(navigator.hardwareConcurrency || 1, MAX_THREADS);
  setThreadsCount(wanted);
  const restore = reportCoresFor(wanted);
  let info: BackendInfo;
  try {
    info = await initBackend(choice, { log: false, loaders: loaders(choice), platform: 'browser' });
  } catch (error) {
    // initBackend's hint is npm's; in a page the remedy is another backend or browser.
    if (choice === 'auto' || !isKdkitError(error, 'BACKEND_UNAVAILABLE')) throw error;
    const why = error.cause instanceof Error ? error.cause.message : error.message;
    throw new KdkitError(
      'BACKEND_UNAVAILABLE',
      `backend '${choice}' cannot run in this browser: ${why}. Choose backend 'auto' (it tries webgpu, webgl, wasm, then cpu) or another browser.`,
      { cause: error },
    );
  } finally {
    restore();
  }
  const name = tf.getBackend();
  return {
    name,
    reason: info.reason,
    threads: name === 'wasm' ? getThreadsCount() : 1,
  };
}
