import { assertOneOf, KdkitError } from '@kdkit/engine';
import { installWasmKernels, threadsSummary } from '@kdkit/wasm-kernels';
import * as tf from '@tensorflow/tfjs-core';
import {
  type BrowserGlobals,
  browserThreadsRequest,
  checkBrowserSupport,
  UnsuitableBackend,
  withReportedCores,
} from './browser-support.js';

export type BackendName = 'tensorflow' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  'auto',
  'tensorflow',
  'webgpu',
  'webgl',
  'wasm',
  'cpu',
];

/** Where `'auto'` looks, fastest first. */
export type Platform = 'node' | 'browser';
export const AUTO_ORDER: Readonly<Record<Platform, readonly BackendName[]>> = {
  node: ['tensorflow', 'wasm', 'cpu'],
  browser: ['webgpu', 'webgl', 'wasm', 'cpu'],
};

export interface BackendInfo {
  /** The tfjs backend now active. */
  readonly name: BackendName;
  /** Why it was chosen, including why faster ones were skipped. */
  readonly reason: string;
  /** With wasm: the threads it computes with. */
  readonly threads?: number;
}

/**
 * Loads a backend package so that it registers itself with tfjs-core; may resolve to the module
 * (wasm's lets {@link initBackend} set its thread count). Ready-made ones, one static `import()`
 * each: `@kdkit/backend/webgpu`, `/webgl`, `/wasm`, `/cpu`.
 */
export type BackendLoader = () => Promise<unknown>;

export interface InitBackendOptions {
  /** Where the one-line report goes. Default: stderr in Node, `console.info` in a browser. `false` silences it. */
  readonly log?: ((line: string) => void) | false;
  /** Environment to read `KDKIT_BACKEND` (and `KDKIT_WASM_THREADS`) from. Default: `process.env` in Node, none in a browser. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * How each backend is loaded. In Node, a backend without one is imported by package name. In a
   * browser, a bundler cannot follow that import, so only backends given here can load: pass the
   * ready-made loaders of those you installed (`webglLoader` from `@kdkit/backend/webgl`, …).
   */
  readonly loaders?: Partial<Record<BackendName, BackendLoader>>;
  /** Which `'auto'` order to follow and how to load. Default: `'node'` when running in Node, else `'browser'`. */
  readonly platform?: Platform;
  /**
   * wasm threads, 1 to 8. Default: `KDKIT_WASM_THREADS` in `env`, else every core (at most 8).
   * In a browser threads need a cross-origin isolated page (COOP/COEP headers); else one.
   */
  readonly wasmThreads?: number;
}

const HOW_TO_GET: Record<BackendName, string> = {
  tensorflow:
    "install it with 'npm i @tensorflow/tfjs-node@4.22.0' on a machine that can download libtensorflow (its install script fetches it), or choose --backend wasm",
  webgpu:
    "install it with 'npm i @tensorflow/tfjs-backend-webgpu@4.22.0' and run in a browser with WebGPU",
  webgl:
    "install it with 'npm i @tensorflow/tfjs-backend-webgl@4.22.0' and run in a browser with WebGL",
  wasm: "install it with 'npm i @tensorflow/tfjs-backend-wasm@4.22.0' (its binary ships inside the npm package)",
  cpu: "install it with 'npm i @tensorflow/tfjs-backend-cpu@4.22.0'",
};

/** How the report names a backend that could not load. */
const LABEL: Record<BackendName, string> = {
  tensorflow: 'tfjs-node',
  webgpu: 'webgpu',
  webgl: 'webgl',
  wasm: 'wasm',
  cpu: 'cpu',
};

// Variable specifiers keep tsc from requiring the optional packages; used in Node only.
const PACKAGES: Record<BackendName, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};
// The Node thread shim; never loaded in a browser (nor type-checked with the browser entry).
const WASM_KERNELS_NODE = '@kdkit/wasm-kernels/node';
interface WasmThreadShim {
  activateWasmBackend(options: {
    env: Readonly<Record<string, string | undefined>>;
    threads?: number;
  }): Promise<{ readonly threads: number; readonly summary: string }>;
}
/** The parts of tfjs-backend-wasm's module used in a browser. */
interface WasmModule {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}
const isWasmModule = (value: unknown): value is WasmModule =>
  typeof (value as Partial<WasmModule> | null)?.setThreadsCount === 'function' &&
  typeof (value as Partial<WasmModule> | null)?.getThreadsCount === 'function';

interface NodeProcess {
  readonly versions?: { readonly node?: string };
  readonly env?: Record<string, string | undefined>;
  readonly stderr?: { write(text: string): unknown };
}
const nodeProcess = (): NodeProcess | undefined => {
  const candidate = (globalThis as { process?: NodeProcess }).process;
  return candidate?.versions?.node === undefined ? undefined : candidate;
};

/** A browser backend with no loader: names the option, since a bundle can't import by name. */
class MissingLoader extends Error {}

function defaultLoader(name: BackendName, platform: Platform): BackendLoader {
  if (platform === 'node') return () => import(PACKAGES[name]);
  return async () => {
    if (name === 'tensorflow') throw new MissingLoader('tfjs-node runs in Node only');
    throw new MissingLoader(
      `no loader given; in a browser pass options.loaders.${name} (${name}Loader from '@kdkit/backend/${name}')`,
    );
  };
}

let current: BackendInfo | undefined;
let gradients: Promise<unknown> | undefined;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}

const NO_ADDON = 'installed without its native addon';

/**
 * Why a backend failed to load, in words a user can act on. tfjs-node's two usual failures are
 * named: not installed, and installed without its native addon (its install script downloads
 * libtensorflow; pnpm 10 runs it only once approved). Anything else: the error's first line.
 */
export function describeLoadFailure(name: BackendName, error: unknown): string {
  const line = firstLine(error);
  if (name !== 'tensorflow') return line;
  if (/tfjs_binding\.node/.test(line)) {
    return `${NO_ADDON}, which its install script downloads (libtensorflow); the script did not run or failed: run 'npm rebuild @tensorflow/tfjs-node' (with pnpm 10, 'pnpm approve-builds' first) where the download host is reachable`;
  }
  if (/Cannot find (module|package) '@tensorflow\/tfjs-node'/.test(line)) return 'not installed';
  return line;
}

async function setBackend(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
}

/** wasm threads and the report's words for them ('2 threads', '1 thread: <why>'). */
interface ThreadsDetail {
  readonly threads: number;
  readonly summary: string;
}

/** The threads of a started wasm backend; `undefined` before it starts (tfjs then throws). */
function startedThreads(wasm: WasmModule): number | undefined {
  try {
    return wasm.getThreadsCount();
  } catch {
    return undefined;
  }
}

/** Starts wasm in a browser with the threads asked for (see {@link withReportedCores}). */
async function startBrowserWasm(
  wasm: WasmModule,
  options: InitBackendOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ThreadsDetail> {
  const globals = globalThis as BrowserGlobals;
  const before = startedThreads(wasm);
  if (before !== undefined) {
    // Started before: its thread count is fixed. (tf.findBackend would start it, so not asked.)
    await setBackend('wasm');
    return { threads: before, summary: threadsSummary(before) };
  }
  const request = browserThreadsRequest(globals, env, options.wasmThreads);
  wasm.setThreadsCount(request.threads);
  await withReportedCores(globals, request.threads, () => setBackend('wasm'));
  const threads = wasm.getThreadsCount();
  const reason =
    request.reason ??
    (threads < request.threads ? `tfjs started ${threads} of ${request.threads}` : undefined);
  return { threads, summary: threadsSummary(threads, reason) };
}

/** Activates `name`; for wasm, returns its threads. */
async function activate(
  name: BackendName,
  options: InitBackendOptions,
  env: Readonly<Record<string, string | undefined>>,
  platform: Platform,
  auto: boolean,
): Promise<ThreadsDetail | undefined> {
  if (platform === 'browser') checkBrowserSupport(name, auto, globalThis as BrowserGlobals);
  const load = options.loaders?.[name] ?? defaultLoader(name, platform);
  const loaded = await load();
  if (!tf.findBackendFactory(name)) {
    throw new Error(
      `${PACKAGES[name]} loaded, but registered with another copy of @tensorflow/tfjs-core; align both at 4.22.0`,
    );
  }
  if (name !== 'tensorflow') {
    // tfjs asks Node users to install tfjs-node; we chose this backend on purpose.
    // PROD silences that warning only (IS_TEST would also turn on per-kernel leak checks).
    tf.env().set('PROD', true);
  }
  let detail: ThreadsDetail | undefined;
  if (name === 'wasm' && platform === 'node') {
    // Every CPU unless KDKIT_WASM_THREADS says otherwise; the summary says how many and why.
    const shim = (await import(WASM_KERNELS_NODE)) as WasmThreadShim;
    detail = await shim.activateWasmBackend({
      env,
      ...(options.wasmThreads === undefined ? {} : { threads: options.wasmThreads }),
    });
  } else if (name === 'wasm' && isWasmModule(loaded)) {
    detail = await startBrowserWasm(loaded, options, env);
  } else {
    await setBackend(name);
  }
  if (name === 'wasm') installWasmKernels();
  await tf.ready();
  return detail;
}

/** How to get a backend that could not load, for the error. */
function remedy(name: BackendName, platform: Platform, error: unknown): string {
  if (error instanceof MissingLoader || platform === 'node') return HOW_TO_GET[name];
  const feature = {
    tensorflow: 'Node',
    webgpu: 'WebGPU',
    webgl: 'WebGL',
    wasm: 'WebAssembly',
    cpu: 'JavaScript',
  }[name];
  return `use a browser with ${feature}, or choose 'auto' (${AUTO_ORDER.browser.join(' → ')})`;
}

/**
 * Chooses and activates the TensorFlow.js backend, registers every tfjs-core gradient (so
 * `@tensorflow/tfjs-core` alone can train: no tfjs-layers import needed), then prints one line
 * saying which backend and why.
 *
 * Order with `'auto'` in Node: `tensorflow` (tfjs-node, native libtensorflow; an optional peer
 * that loads only where its install script could download libtensorflow), then `wasm`
 * (@tensorflow/tfjs-backend-wasm with @kdkit/wasm-kernels installed so it can train CNNs), then
 * `cpu` (pure JS, about 10 images/s on a small CNN: tiny tests only). In a browser: `webgpu`,
 * `webgl`, `wasm`, `cpu`. Every backend package is an optional peer: install the ones you want.
 * `KDKIT_BACKEND` in the environment overrides `preference`.
 * An explicitly requested backend that can't load is an error saying how to get it; it never
 * falls back silently.
 *
 * @example
 * const { name, reason } = await initBackend(); // 'wasm', "tfjs-node not loadable (…)"
 */
export async function initBackend(
  preference: BackendPreference = 'auto',
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  const env = options.env ?? nodeProcess()?.env ?? {};
  const fromEnv = env['KDKIT_BACKEND']?.trim();
  const requested = fromEnv ? fromEnv : preference;
  assertOneOf(
    'initBackend',
    fromEnv ? 'KDKIT_BACKEND' : 'preference',
    requested,
    BACKEND_PREFERENCES,
  );
  gradients ??= import('#register-gradients');
  await gradients;

  if (
    !options.loaders &&
    current &&
    (requested === 'auto' || requested === current.name) &&
    tf.getBackend() === current.name
  ) {
    return current;
  }

  const platform = options.platform ?? (nodeProcess() ? 'node' : 'browser');
  let info: BackendInfo;
  let detail: ThreadsDetail | undefined;
  if (requested !== 'auto') {
    try {
      detail = await activate(requested, options, env, platform, false);
    } catch (error) {
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `initBackend: backend '${requested}' was requested${fromEnv ? ' by KDKIT_BACKEND' : ''} but could not be loaded (${describeLoadFailure(requested, error)}). To get it, ${remedy(requested, platform, error)}.`,
        { cause: error },
      );
    }
    info = { name: requested, reason: `requested${fromEnv ? ' by KDKIT_BACKEND' : ''}` };
  } else {
    const skipped: string[] = [];
    // The install hint, unless the tfjs-node failure already says what to run.
    let nativeHint = true;
    let chosen: BackendName | undefined;
    for (const name of AUTO_ORDER[platform]) {
      try {
        detail = await activate(name, options, env, platform, true);
        chosen = name;
        break;
      } catch (error) {
        const why = error instanceof UnsuitableBackend ? 'skipped' : 'not loadable';
        const failure = describeLoadFailure(name, error);
        if (failure.startsWith(NO_ADDON)) nativeHint = false;
        skipped.push(`${LABEL[name]} ${why}: ${failure}`);
      }
    }
    if (!chosen) {
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `initBackend: no TensorFlow.js backend could be loaded (${skipped.join('; ')}). To get one, ${platform === 'node' ? HOW_TO_GET.wasm : "pass options.loaders (e.g. cpuLoader from '@kdkit/backend/cpu')"}.`,
      );
    }
    const fastest = AUTO_ORDER[platform][0];
    const reason =
      chosen === fastest
        ? `fastest available (${chosen === 'tensorflow' ? 'native libtensorflow' : chosen})`
        : `${skipped.join('; ')}${chosen === 'wasm' && platform === 'node' && nativeHint ? ' (for native speed, install @tensorflow/tfjs-node)' : ''}`;
    info = { name: chosen, reason };
  }

  if (detail) info = { ...info, threads: detail.threads };
  current = info;
  const log = options.log ?? defaultLog;
  if (log) {
    log(`kdkit: backend '${info.name}' (${info.reason}${detail ? `; ${detail.summary}` : ''})`);
  }
  return info;
}

function defaultLog(line: string): void {
  const stderr = nodeProcess()?.stderr;
  if (stderr) stderr.write(`${line}\n`);
  else console.info(line);
}

/** The backend chosen by the last {@link initBackend}, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
