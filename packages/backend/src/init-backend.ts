import { assertOneOf, KdkitError } from '@kdkit/engine';
import { installWasmKernels } from '@kdkit/wasm-kernels';
import * as tf from '@tensorflow/tfjs-core';

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
}

export interface InitBackendOptions {
  /** Where the one-line report goes. Default: stderr in Node, `console.info` in a browser. `false` silences it. */
  readonly log?: ((line: string) => void) | false;
  /** Environment to read `KDKIT_BACKEND` (and `KDKIT_WASM_THREADS`) from. Default: `process.env` in Node, none in a browser. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces how a backend is loaded (tests use it to simulate missing packages). */
  readonly loaders?: Partial<Record<BackendName, () => Promise<void>>>;
  /** Which `'auto'` order to follow. Default: `'node'` when running in Node, else `'browser'`. */
  readonly platform?: Platform;
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

// Variable specifiers keep bundlers and tsc from requiring the optional packages.
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
  }): Promise<{ readonly summary: string }>;
}

interface NodeProcess {
  readonly versions?: { readonly node?: string };
  readonly env?: Record<string, string | undefined>;
  readonly stderr?: { write(text: string): unknown };
}
const nodeProcess = (): NodeProcess | undefined => {
  const candidate = (globalThis as { process?: NodeProcess }).process;
  return candidate?.versions?.node === undefined ? undefined : candidate;
};

function defaultLoader(name: BackendName): () => Promise<void> {
  return async () => {
    await import(PACKAGES[name]);
    if (!tf.findBackendFactory(name)) {
      throw new Error(
        `${PACKAGES[name]} loaded, but registered with another copy of @tensorflow/tfjs-core; align both at 4.22.0`,
      );
    }
  };
}

let current: BackendInfo | undefined;
let gradients: Promise<unknown> | undefined;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}

/** Activates `name`; for wasm in Node, returns how many threads it got (e.g. '2 threads'). */
async function activate(
  name: BackendName,
  options: InitBackendOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const load = options.loaders?.[name] ?? defaultLoader(name);
  await load();
  if (name !== 'tensorflow') {
    // tfjs asks Node users to install tfjs-node; we chose this backend on purpose.
    // PROD silences that warning only (IS_TEST would also turn on per-kernel leak checks).
    tf.env().set('PROD', true);
  }
  let detail: string | undefined;
  if (name === 'wasm' && nodeProcess()) {
    // Every CPU unless KDKIT_WASM_THREADS says otherwise; the summary says how many and why.
    const threads = (await import(WASM_KERNELS_NODE)) as WasmThreadShim;
    detail = (await threads.activateWasmBackend({ env })).summary;
  } else {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  }
  if (name === 'wasm') installWasmKernels();
  await tf.ready();
  return detail;
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

  let info: BackendInfo;
  let detail: string | undefined;
  if (requested !== 'auto') {
    try {
      detail = await activate(requested, options, env);
    } catch (error) {
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `initBackend: backend '${requested}' was requested${fromEnv ? ' by KDKIT_BACKEND' : ''} but could not be loaded (${firstLine(error)}). To get it, ${HOW_TO_GET[requested]}.`,
        { cause: error },
      );
    }
    info = { name: requested, reason: `requested${fromEnv ? ' by KDKIT_BACKEND' : ''}` };
  } else {
    const platform = options.platform ?? (nodeProcess() ? 'node' : 'browser');
    const skipped: string[] = [];
    let chosen: BackendName | undefined;
    for (const name of AUTO_ORDER[platform]) {
      try {
        detail = await activate(name, options, env);
        chosen = name;
        break;
      } catch (error) {
        skipped.push(`${LABEL[name]} not loadable: ${firstLine(error)}`);
      }
    }
    if (!chosen) {
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `initBackend: no TensorFlow.js backend could be loaded (${skipped.join('; ')}). To get one, ${HOW_TO_GET.wasm}.`,
      );
    }
    const fastest = AUTO_ORDER[platform][0];
    const reason =
      chosen === fastest
        ? `fastest available (${chosen === 'tensorflow' ? 'native libtensorflow' : chosen})`
        : `${skipped.join('; ')}${chosen === 'wasm' && platform === 'node' ? ' (for native speed, install @tensorflow/tfjs-node)' : ''}`;
    info = { name: chosen, reason };
  }

  current = info;
  const log = options.log ?? defaultLog;
  if (log) log(`kdkit: backend '${info.name}' (${info.reason}${detail ? `; ${detail}` : ''})`);
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
