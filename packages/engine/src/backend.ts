import * as tf from '@tensorflow/tfjs-core';
import { KdkitError } from './errors.js';
import { assertOneOf } from './validate.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export const BACKEND_PREFERENCES: readonly BackendPreference[] = [
  'auto',
  'tensorflow',
  'wasm',
  'cpu',
];

export interface BackendInfo {
  /** The tfjs backend now active. */
  readonly name: BackendName;
  /** Why it was chosen, including why faster ones were skipped. */
  readonly reason: string;
}

export interface InitBackendOptions {
  /** Where the one-line report goes. Default: stderr. `false` silences it. */
  readonly log?: ((line: string) => void) | false;
  /** Environment to read `KDKIT_BACKEND` from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces how a backend is loaded (tests use it to simulate missing packages). */
  readonly loaders?: Partial<Record<BackendName, () => Promise<void>>>;
}

const HOW_TO_GET: Record<BackendName, string> = {
  tensorflow:
    "install it with 'npm i @tensorflow/tfjs-node@4.22.0' on a machine that can download libtensorflow (its install script fetches it), or choose --backend wasm",
  wasm: "install it with 'npm i @tensorflow/tfjs-backend-wasm@4.22.0' (its binary ships inside the npm package)",
  cpu: "install it with 'npm i @tensorflow/tfjs-backend-cpu@4.22.0'",
};

// A variable specifier keeps bundlers and tsc from requiring the optional package.
const TFJS_NODE = '@tensorflow/tfjs-node';

const DEFAULT_LOADERS: Record<BackendName, () => Promise<void>> = {
  tensorflow: async () => {
    await import(TFJS_NODE);
    if (!tf.findBackend('tensorflow')) {
      throw new Error(
        'tfjs-node loaded, but registered with another copy of @tensorflow/tfjs-core; align both at 4.22.0',
      );
    }
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
  },
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

let current: BackendInfo | undefined;

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}

/** Activates `name`; for wasm, returns how many threads it got (e.g. '2 threads'). */
async function activate(
  name: BackendName,
  options: InitBackendOptions,
): Promise<string | undefined> {
  const load = options.loaders?.[name] ?? DEFAULT_LOADERS[name];
  await load();
  if (name !== 'tensorflow') {
    // tfjs asks Node users to install tfjs-node; we chose this backend on purpose.
    // PROD silences that warning only (IS_TEST would also turn on per-kernel leak checks).
    tf.env().set('PROD', true);
  }
  let detail: string | undefined;
  if (name === 'wasm') {
    // Every CPU unless KDKIT_WASM_THREADS says otherwise; the summary says how many and why.
    const { activateWasmBackend, installWasmKernels } = await import('@kdkit/wasm-kernels');
    detail = (await activateWasmBackend({ env: options.env ?? process.env })).summary;
    installWasmKernels();
  } else {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  }
  await tf.ready();
  return detail;
}

/**
 * Chooses and activates the TensorFlow.js backend, then prints one line saying which and why.
 *
 * Order with `'auto'`: `tensorflow` (tfjs-node, native libtensorflow; an optional peer that loads
 * only where its install script could download libtensorflow), then `wasm`
 * (@tensorflow/tfjs-backend-wasm with @kdkit/wasm-kernels installed so it can train CNNs), then
 * `cpu` (pure JS, about 10 images/s on a small CNN: tiny tests only).
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
  const env = options.env ?? process.env;
  const fromEnv = env['KDKIT_BACKEND']?.trim();
  const requested = fromEnv ? fromEnv : preference;
  assertOneOf(
    'initBackend',
    fromEnv ? 'KDKIT_BACKEND' : 'preference',
    requested,
    BACKEND_PREFERENCES,
  );

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
      detail = await activate(requested, options);
    } catch (error) {
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `initBackend: backend '${requested}' was requested${fromEnv ? ' by KDKIT_BACKEND' : ''} but could not be loaded (${firstLine(error)}). To get it, ${HOW_TO_GET[requested]}.`,
        { cause: error },
      );
    }
    info = { name: requested, reason: `requested${fromEnv ? ' by KDKIT_BACKEND' : ''}` };
  } else {
    const skipped: string[] = [];
    let chosen: BackendName | undefined;
    for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
      try {
        detail = await activate(name, options);
        chosen = name;
        break;
      } catch (error) {
        skipped.push(
          `${name === 'tensorflow' ? 'tfjs-node' : name} not loadable: ${firstLine(error)}`,
        );
      }
    }
    if (!chosen) {
      throw new KdkitError(
        'BACKEND_UNAVAILABLE',
        `initBackend: no TensorFlow.js backend could be loaded (${skipped.join('; ')}). To get one, ${HOW_TO_GET.wasm}.`,
      );
    }
    const reason =
      chosen === 'tensorflow'
        ? 'fastest available (native libtensorflow)'
        : `${skipped.join('; ')}${chosen === 'wasm' ? ' (for native speed, install @tensorflow/tfjs-node)' : ''}`;
    info = { name: chosen, reason };
  }

  current = info;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (log) log(`kdkit: backend '${info.name}' (${info.reason}${detail ? `; ${detail}` : ''})`);
  return info;
}

/** The backend chosen by the last {@link initBackend}, if any. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}
