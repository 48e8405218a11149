/** Most threads tfjs-backend-wasm 4.22 will run (its C++ side caps the XNNPACK pool at 8). */
export const MAX_WASM_THREADS = 8;

/** What the environment asks for: a thread count, and why it is one thread when it is. */
export interface ThreadsRequest {
  readonly threads: number;
  readonly reason?: string;
}

const ENV_VAR = 'KDKIT_WASM_THREADS';
const AUTO = new Set(['auto', 'on', 'true', 'yes']);
const OFF = new Set(['0', '1', 'off', 'false', 'no']);

/**
 * Reads how many wasm threads to ask for from `KDKIT_WASM_THREADS`: unset, empty, `auto` or `on`
 * mean `autoThreads` (every core, at most 8); `2`…`8` that many; `1`, `0`, `off`, `false` or `no`
 * one. Anything else means one thread, with a reason naming the valid values. Runs anywhere: Node
 * passes its CPU count, a browser `navigator.hardwareConcurrency`.
 *
 * @example
 * parseWasmThreadsRequest({ KDKIT_WASM_THREADS: 'auto' }, 2); // { threads: 2 }
 * parseWasmThreadsRequest({ KDKIT_WASM_THREADS: 'off' }, 2); // { threads: 1, reason: 'KDKIT_WASM_THREADS=off' }
 */
export function parseWasmThreadsRequest(
  env: Readonly<Record<string, string | undefined>>,
  autoThreads: number,
): ThreadsRequest {
  const raw = env[ENV_VAR]?.trim().toLowerCase() ?? '';
  if (raw === '') {
    return autoThreads > 1
      ? { threads: Math.min(autoThreads, MAX_WASM_THREADS) }
      : { threads: 1, reason: 'one CPU' };
  }
  if (AUTO.has(raw)) return checkThreadCount(autoThreads, `${ENV_VAR}=${raw}`);
  if (OFF.has(raw)) return { threads: 1, reason: `${ENV_VAR}=${raw}` };
  if (/^\d+$/.test(raw)) return checkThreadCount(Number(raw), `${ENV_VAR}=${raw}`);
  return {
    threads: 1,
    reason: `ignored ${ENV_VAR}='${env[ENV_VAR]}' (expected auto, off or a count 1-${MAX_WASM_THREADS})`,
  };
}

/** A thread count from `source` (e.g. 'options.threads'), capped at 8; one thread, saying why, when invalid. */
export function checkThreadCount(threads: number, source: string): ThreadsRequest {
  if (!Number.isInteger(threads) || threads < 1) {
    return {
      threads: 1,
      reason: `${source} asks for ${threads} threads (expected an integer 1-${MAX_WASM_THREADS})`,
    };
  }
  if (threads === 1) return { threads: 1, reason: `${source} is 1 thread` };
  return { threads: Math.min(threads, MAX_WASM_THREADS) };
}

/** One line for logs: `'2 threads'`, or `'1 thread: <reason>'` when `reason` is given. */
export function threadsSummary(threads: number, reason?: string): string {
  const count = `${threads} thread${threads === 1 ? '' : 's'}`;
  return reason === undefined ? count : `${count}: ${reason}`;
}
