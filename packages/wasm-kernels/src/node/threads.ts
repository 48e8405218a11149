import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker as NodeWorker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { backendMemory } from '../simd/simd-module.js';
import {
  checkThreadCount,
  MAX_WASM_THREADS,
  parseWasmThreadsRequest,
  type ThreadsRequest,
  threadsSummary,
} from '../threads-request.js';
import { startKernelThreads } from './kernel-pool.js';

export { MAX_WASM_THREADS, type ThreadsRequest } from '../threads-request.js';

export interface WasmThreadsOptions {
  /**
   * XNNPACK threads wanted, 1 to 8. Default: what `KDKIT_WASM_THREADS` in `env` asks for
   * (see {@link parseWasmThreadsEnv}); one thread when it is unset.
   */
  readonly threads?: number;
  /** Environment to read `KDKIT_WASM_THREADS` from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Gives up on a threaded start that has not finished after this long. Default 60 000 ms. */
  readonly timeoutMs?: number;
  /**
   * Also run kdkit's own SIMD kernels (filter gradient, Adam update) on the threads, over the
   * backend's shared memory. Default `true`.
   */
  readonly kernelThreads?: boolean;
}

export interface WasmThreadsReport {
  /** Threads the active wasm backend computes with (1 = single-threaded). */
  readonly threads: number;
  /** Why it runs on one thread (or on fewer than asked); absent when it got what it asked for. */
  readonly reason?: string;
  /** One line for logs: `'2 threads'` or `'1 thread: <reason>'`. */
  readonly summary: string;
  /** Threads kdkit's own SIMD kernels split their work on (set after a threaded start). */
  readonly kernelThreads?: KernelThreadsReport;
}

export interface KernelThreadsReport {
  readonly threads: number;
  /** Why they run on one thread. */
  readonly reason?: string;
}

/**
 * Reads how many threads to ask for from `KDKIT_WASM_THREADS` ({@link parseWasmThreadsRequest}),
 * with `autoThreads` defaulting to every CPU Node reports (at most 8). On an idle 2-core machine
 * 2 threads trained 1.4–1.8× faster than one (see the README); on a machine whose cores are busy
 * with other work, one thread can be faster.
 *
 * @example
 * parseWasmThreadsEnv({ KDKIT_WASM_THREADS: 'auto' }, 2); // { threads: 2 }
 * parseWasmThreadsEnv({ KDKIT_WASM_THREADS: 'off' }, 2); // { threads: 1, reason: 'KDKIT_WASM_THREADS=off' }
 */
export function parseWasmThreadsEnv(
  env: Readonly<Record<string, string | undefined>>,
  autoThreads: number = defaultThreadCount(),
): ThreadsRequest {
  return parseWasmThreadsRequest(env, autoThreads);
}

function defaultThreadCount(): number {
  return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
}

/** The parts of tfjs-backend-wasm used here (its public API). */
interface WasmBackendModule {
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
  version_wasm: string;
}

/** The pieces of the shipped package a threaded start in Node needs. */
interface ThreadedAssets {
  /** The emscripten glue of the threaded SIMD build, loaded by each pthread worker. */
  readonly gluePath: string;
  /** tfjs's pthread worker script, as the string tfjs would put in a `blob:` URL. */
  readonly workerSource: string;
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.trim() ?? message;
}

function findThreadedAssets(wasm: WasmBackendModule): ThreadedAssets {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version?: string;
  };
  if (version !== wasm.version_wasm) {
    throw new Error(
      `the tfjs-backend-wasm files found (${version}) are not the loaded one (${wasm.version_wasm})`,
    );
  }
  const gluePath = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const workerPath = join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!existsSync(gluePath) || !existsSync(workerPath)) {
    throw new Error(`tfjs-backend-wasm ${version} ships no threaded build in ${root}/wasm-out`);
  }
  const { wasmWorkerContents } = require(workerPath) as { wasmWorkerContents?: unknown };
  if (typeof wasmWorkerContents !== 'string' || !wasmWorkerContents.includes('urlOrBlob')) {
    throw new Error(`unexpected pthread worker script in tfjs-backend-wasm ${version}`);
  }
  return { gluePath, workerSource: wasmWorkerContents };
}

/**
 * The worker file: tfjs's pthread worker, then a wrapper around its message handler.
 * tfjs sends each worker the main script as a `Blob` of its bundled factory, which Node's
 * `importScripts` shim cannot read (and which refers to bundle-scope names); the wrapper loads
 * the package's standalone glue instead. A worker that fails to load exits instead of throwing,
 * so the main thread falls back to one thread instead of crashing.
 */
function workerScript(assets: ThreadedAssets): string {
  // Newlines inside the script's string literals arrive unescaped; tfjs escapes them the same way.
  const tfjsWorker = assets.workerSource.replace(/\n/g, '\\n');
  const wrapper = `
;(() => {
  const glue = ${JSON.stringify(assets.gluePath)};
  const handle = self.onmessage;
  self.onmessage = (e) => {
    if (!e.data || e.data.cmd !== 'load') return handle(e);
    if (typeof e.data.urlOrBlob !== 'string') e.data.urlOrBlob = glue;
    try {
      return handle(e);
    } catch (error) {
      require('fs').writeSync(2, 'kdkit: wasm thread failed to load: ' + (error && error.message || error) + '\\n');
      process.exit(1);
    }
  };
})();
`;
  return `${tfjsWorker}\n${wrapper}`;
}

type WorkerClass = typeof NodeWorker;

/**
 * Temporarily makes Node look like a browser with threads to tfjs's threaded wasm build, and
 * undoes it in {@link ThreadedStart.restore}:
 * - `os.cpus()` reports `2 × threads` CPUs (tfjs caps its pool at half the logical CPUs);
 * - the global `Worker` that emscripten installs is wrapped so `blob:` worker URLs (which Node
 *   can't start) become the worker file, and so every worker is tracked (unref'd after start,
 *   terminated on failure). The global is restored afterwards.
 */
class ThreadedStart {
  readonly workers: NodeWorker[] = [];
  private readonly dir: string;
  private readonly workerFile: string;
  private readonly cpus = os.cpus;
  private readonly workerDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  private exited: ((reason: string) => void) | undefined;

  constructor(assets: ThreadedAssets, threads: number) {
    this.dir = mkdtempSync(join(os.tmpdir(), 'kdkit-wasm-threads-'));
    this.workerFile = join(this.dir, 'pthread-worker.cjs');
    writeFileSync(this.workerFile, workerScript(assets));

    const realCpus = this.cpus.call(os);
    const fallbackCpu: os.CpuInfo = {
      model: 'unknown',
      speed: 0,
      times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 },
    };
    const reported = Array.from(
      { length: 2 * threads },
      (_, i) => realCpus[i % Math.max(realCpus.length, 1)] ?? fallbackCpu,
    );
    os.cpus = () => reported;

    let installed = (globalThis as { Worker?: WorkerClass }).Worker;
    const track = (Base: WorkerClass): WorkerClass => {
      const start = this;
      return class TrackedWorker extends Base {
        constructor(...args: ConstructorParameters<WorkerClass>) {
          const [url, options] = args;
          const isBlob = typeof url === 'string' && url.startsWith('blob:');
          if (isBlob) URL.revokeObjectURL(url);
          // A pthread runs only tfjs's worker script: none of the process's preloads
          // (--import/--require, also from NODE_OPTIONS) or loaders.
          const { NODE_OPTIONS: _preloads, ...env } = process.env;
          super(isBlob ? start.workerFile : url, { ...options, execArgv: [], env });
          start.workers.push(this);
          this.on('exit', (code) =>
            start.exited?.(`a wasm thread exited while starting (${code})`),
          );
        }
      };
    };
    Object.defineProperty(globalThis, 'Worker', {
      configurable: true,
      enumerable: false,
      get: () => installed,
      set: (value: WorkerClass) => {
        installed = typeof value === 'function' ? track(value) : value;
      },
    });
  }

  /** Rejects when a worker exits before the backend is up (its load failed). */
  exitedEarly(): Promise<never> {
    return new Promise((_, reject) => {
      this.exited = (reason) => reject(new Error(reason));
    });
  }

  /** Undoes every global change; call once the backend has initialized or failed. */
  restore(): void {
    this.exited = undefined;
    os.cpus = this.cpus;
    if (this.workerDescriptor) Object.defineProperty(globalThis, 'Worker', this.workerDescriptor);
    else Reflect.deleteProperty(globalThis, 'Worker');
  }

  /**
   * After success: threads must not keep the process alive, and the idle workers emscripten
   * pre-started (8, whatever the thread count) only cost memory: tfjs starts no thread later.
   */
  release(): void {
    for (const worker of this.workers) worker.unref();
    const idle = idleWorkers();
    for (const worker of idle.splice(0)) void worker.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** After failure: stop every worker started so far. */
  abort(): void {
    for (const worker of this.workers) void worker.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Emscripten's pool of started but unused pthread workers, inside the wasm backend. */
function idleWorkers(): NodeWorker[] {
  const backend = tf.findBackend('wasm') as unknown as {
    wasm?: { PThread?: { unusedWorkers?: unknown } };
  } | null;
  const idle = backend?.wasm?.PThread?.unusedWorkers;
  return Array.isArray(idle) ? (idle as NodeWorker[]) : [];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function summarize(
  threads: number,
  reason: string | undefined,
  kernelThreads?: KernelThreadsReport,
): WasmThreadsReport {
  const summary = threadsSummary(threads, reason);
  return {
    threads,
    ...(reason === undefined ? {} : { reason }),
    summary,
    ...(kernelThreads ? { kernelThreads } : {}),
  };
}

/**
 * Starts threads for kdkit's SIMD kernels over the threaded backend's memory. A failure leaves
 * them on one thread (XNNPACK keeps its threads) and is reported, not thrown.
 */
async function startKernelThreadsFor(threads: number): Promise<KernelThreadsReport> {
  const memory = backendMemory(tf.backend());
  if (!memory) return { threads: 1, reason: 'the wasm backend does not expose its memory' };
  try {
    return { threads: await startKernelThreads(memory, threads) };
  } catch (error) {
    return { threads: 1, reason: `kernel threads failed to start (${errorText(error)})` };
  }
}

let lastReport: WasmThreadsReport | undefined;

/**
 * Threads of a wasm backend that already started; `undefined` before it starts (tfjs throws
 * then). Not `tf.findBackend('wasm')`: that starts a single-threaded backend when none is running.
 */
function startedThreads(wasm: WasmBackendModule): number | undefined {
  try {
    return wasm.getThreadsCount();
  } catch {
    return undefined;
  }
}

async function setSingleThreaded(wasm: WasmBackendModule, reason: string | undefined) {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false");
  return summarize(1, reason);
}

async function startThreaded(
  wasm: WasmBackendModule,
  threads: number,
  timeoutMs: number,
): Promise<void> {
  if (!tf.env().getBool('IS_NODE')) throw new Error('not running in Node');
  if (typeof SharedArrayBuffer !== 'function') throw new Error('no SharedArrayBuffer');
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
    throw new Error('no WebAssembly SIMD (the threaded build needs it)');
  }
  const start = new ThreadedStart(findThreadedAssets(wasm), threads);
  let ok = false;
  try {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    ok = await withTimeout(
      Promise.race([tf.setBackend('wasm'), start.exitedEarly()]),
      timeoutMs,
      'starting the threaded wasm backend',
    );
    if (!ok) throw new Error("tf.setBackend('wasm') returned false");
  } finally {
    start.restore();
    if (ok) start.release();
    else start.abort();
  }
}

/**
 * Activates `@tensorflow/tfjs-backend-wasm` with XNNPACK running on several threads in Node,
 * where tfjs 4.22 only runs it on one, and falls back to one thread (saying why) on any failure.
 * Threads: every CPU (at most 8) unless `KDKIT_WASM_THREADS` or `options.threads` says otherwise.
 *
 * tfjs's threaded build assumes a browser; to start it in Node this swaps, only until the backend
 * is up, `os.cpus()` (tfjs sizes its pool from it) and the global `Worker` (Node cannot start
 * tfjs's `blob:` worker URL, so it gets a temporary file instead). Both are restored before this
 * resolves, and the threads never keep the process alive. Call it instead of `tf.setBackend('wasm')`, after importing `@tensorflow/tfjs-backend-wasm`
 * and before anything else initializes the wasm backend (the thread count is fixed at start: once
 * initialized, this only reports it).
 *
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * const { summary } = await activateWasmBackend({ threads: 2 }); // '2 threads' or '1 thread: <why>'
 * installWasmKernels();
 */
export async function activateWasmBackend(
  options: WasmThreadsOptions = {},
): Promise<WasmThreadsReport> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as WasmBackendModule;
  const started = startedThreads(wasm);
  if (started !== undefined) {
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false");
    const threads = started;
    lastReport ??= summarize(
      threads,
      threads === 1 ? 'the wasm backend was initialized single-threaded elsewhere' : undefined,
    );
    return lastReport;
  }

  const request =
    options.threads === undefined
      ? parseWasmThreadsEnv(options.env ?? process.env)
      : checkThreadCount(options.threads, 'options.threads');
  if (request.threads === 1) {
    lastReport = await setSingleThreaded(wasm, request.reason ?? 'one thread asked for');
    return lastReport;
  }

  try {
    await startThreaded(wasm, request.threads, options.timeoutMs ?? 60_000);
  } catch (error) {
    lastReport = await setSingleThreaded(wasm, `threaded start failed (${errorText(error)})`);
    return lastReport;
  }
  const threads = wasm.getThreadsCount();
  const kernelThreads =
    options.kernelThreads === false
      ? { threads: 1, reason: 'kernelThreads: false' }
      : await startKernelThreadsFor(threads);
  lastReport = summarize(
    threads,
    threads < request.threads ? `tfjs started ${threads} of ${request.threads}` : undefined,
    kernelThreads,
  );
  return lastReport;
}

/** What the last {@link activateWasmBackend} started, if it ran in this process. */
export function wasmThreadsReport(): WasmThreadsReport | undefined {
  return lastReport;
}
