// What a browser can run, asked before a backend is loaded there; and the wasm thread count.
import {
  checkThreadCount,
  parseWasmThreadsRequest,
  type ThreadsRequest,
} from '@kdkit/wasm-kernels';
import type { BackendName } from './init-backend.js';

/** The browser globals read here (tests pass look-alikes). */
export interface BrowserGlobals {
  readonly navigator?: { readonly gpu?: unknown; hardwareConcurrency?: number };
  readonly document?: { createElement(tag: 'canvas'): unknown };
  readonly crossOriginIsolated?: boolean;
  readonly WebAssembly?: unknown;
}

/** A backend this browser could load but that should not be used (e.g. software WebGL under 'auto'). */
export class UnsuitableBackend extends Error {}

interface WebGLLike {
  readonly RENDERER: number;
  getExtension(name: string): unknown;
  getParameter(parameter: number): unknown;
}

/** The WebGL renderer's name ('ANGLE (… SwiftShader …)'); `null` without WebGL; `undefined` when it can't be asked (no DOM). */
export function webglRenderer(globals: BrowserGlobals): string | null | undefined {
  const canvas = globals.document?.createElement('canvas') as
    | { getContext(kind: string): unknown }
    | undefined;
  if (typeof canvas?.getContext !== 'function') return undefined;
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLLike | null;
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info') as {
    UNMASKED_RENDERER_WEBGL: number;
  } | null;
  const name = gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
  return typeof name === 'string' ? name : undefined;
}

const SOFTWARE_WEBGL = /swiftshader|llvmpipe|softpipe|software/i;

/**
 * Throws when this browser cannot run `name` (no navigator.gpu, no WebGL, no WebAssembly), or,
 * with `auto`, when its WebGL is software-rendered (SwiftShader, llvmpipe: headless or GPU-less
 * browsers), which trains slower than wasm.
 */
export function checkBrowserSupport(
  name: BackendName,
  auto: boolean,
  globals: BrowserGlobals,
): void {
  if (name === 'webgpu' && globals.navigator?.gpu === undefined) {
    throw new Error('this browser has no WebGPU (navigator.gpu)');
  }
  if (name === 'webgl') {
    const renderer = webglRenderer(globals);
    if (renderer === null) throw new Error('this browser has no WebGL');
    if (auto && renderer !== undefined && SOFTWARE_WEBGL.test(renderer)) {
      throw new UnsuitableBackend(`software-rendered WebGL (${renderer}) trains slower than wasm`);
    }
  }
  if (name === 'wasm' && typeof globals.WebAssembly !== 'object') {
    throw new Error('this browser has no WebAssembly');
  }
}

/**
 * The wasm threads to ask for in a browser: one when the page is not cross-origin isolated (no
 * SharedArrayBuffer); else `threads`, or `KDKIT_WASM_THREADS` in `env`, or every core the browser
 * reports, at most 8.
 */
export function browserThreadsRequest(
  globals: BrowserGlobals,
  env: Readonly<Record<string, string | undefined>>,
  threads: number | undefined,
): ThreadsRequest {
  if (globals.crossOriginIsolated !== true) {
    return {
      threads: 1,
      reason: 'page not cross-origin isolated (no COOP/COEP headers), so no SharedArrayBuffer',
    };
  }
  if (threads !== undefined) return checkThreadCount(threads, 'wasmThreads');
  return parseWasmThreadsRequest(env, globals.navigator?.hardwareConcurrency ?? 1);
}

/**
 * Runs `start` while `navigator.hardwareConcurrency` reads `2 × threads`: tfjs's threaded wasm
 * build sizes its pool at half the cores the browser reports (one thread on a 2-core machine), as
 * @kdkit/wasm-kernels/node does with `os.cpus()` in Node. The property is restored afterwards.
 */
export async function withReportedCores<T>(
  globals: BrowserGlobals,
  threads: number,
  start: () => Promise<T>,
): Promise<T> {
  const navigator = globals.navigator;
  if (!navigator || threads <= 1) return start();
  const own = Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency');
  Object.defineProperty(navigator, 'hardwareConcurrency', {
    configurable: true,
    get: () => 2 * threads,
  });
  try {
    return await start();
  } finally {
    if (own) Object.defineProperty(navigator, 'hardwareConcurrency', own);
    else Reflect.deleteProperty(navigator, 'hardwareConcurrency');
  }
}
