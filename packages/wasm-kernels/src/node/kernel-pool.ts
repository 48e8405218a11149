import { Worker } from 'node:worker_threads';
import {
  isSharedMemory,
  type KernelPool,
  type SimdExports,
  type SimdKernelName,
  setKernelPool,
  simdKernels,
  simdModule,
  type WasmMemory,
} from '../simd/simd-module.js';

/** Each worker's control block: Int32 [sequence, done, kernel, argument count], then arguments. */
const SEQUENCE = 0;
const DONE = 1;
const KERNEL = 2;
const ARG_COUNT = 3;
const ARGS_OFFSET = 16;
const MAX_ARGS = 16;
const CONTROL_BYTES = ARGS_OFFSET + MAX_ARGS * 8;
/** A kernel call never takes this long; past it the thread is taken for dead. */
const CALL_TIMEOUT_MS = 120_000;

/**
 * The worker: instantiates the kernels on the shared memory, then forever waits for a sequence
 * number, calls the kernel named in its control block, and stores the number as done
 * (negated when the call threw).
 */
const WORKER_SOURCE = `
(() => {
  const { parentPort, workerData } = require('node:worker_threads');
  const { memory, module, control, names } = workerData;
  let kernels;
  try {
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
    return;
  }
  const state = new Int32Array(control, 0, 4);
  const args = new Float64Array(control, ${ARGS_OFFSET}, ${MAX_ARGS});
  parentPort.postMessage({ ready: true });
  let seen = 0;
  for (;;) {
    Atomics.wait(state, ${SEQUENCE}, seen);
    seen = Atomics.load(state, ${SEQUENCE});
    let status = seen;
    try {
      kernels[names[state[${KERNEL}]]](...args.subarray(0, state[${ARG_COUNT}]));
    } catch (error) {
      process.stderr.write('kdkit: kernel thread failed: ' + ((error && error.message) || error) + '\\n');
      status = -seen;
    }
    Atomics.store(state, ${DONE}, status);
    Atomics.notify(state, ${DONE});
  }
})();
`;

interface PoolThread {
  readonly worker: Worker;
  readonly state: Int32Array;
  readonly args: Float64Array;
}

const running = new Map<WasmMemory, { threads: PoolThread[] }>();

function startThread(memory: WasmMemory, names: readonly string[]): Promise<PoolThread> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  // Only this script: none of the process's preloads (--import, NODE_OPTIONS) or loaders.
  const { NODE_OPTIONS: _preloads, ...env } = process.env;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    env,
    workerData: { memory, module: simdModule(true), control, names },
  });
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      void worker.terminate();
      reject(new Error(reason));
    };
    worker.once('error', (error) => fail(`kernel thread failed to start: ${error.message}`));
    worker.once('exit', (code) => fail(`kernel thread exited while starting (${code})`));
    worker.once('message', (message: { ready?: boolean; error?: string }) => {
      if (!message.ready) return fail(`kernel thread failed to start: ${message.error}`);
      worker.removeAllListeners('exit');
      worker.removeAllListeners('error');
      worker.unref();
      resolve({
        worker,
        state: new Int32Array(control, 0, 4),
        args: new Float64Array(control, ARGS_OFFSET, MAX_ARGS),
      });
    });
  });
}

function poolOver(
  local: SimdExports,
  threads: readonly PoolThread[],
  names: readonly string[],
): KernelPool {
  let sequence = 0;
  return {
    threads: threads.length + 1,
    run(name: SimdKernelName, parts: ReadonlyArray<readonly number[]>) {
      if (parts.length > threads.length + 1) {
        throw new Error(`wasm-kernels: ${parts.length} parts for ${threads.length + 1} threads`);
      }
      sequence = (sequence % 0x3fffffff) + 1;
      const kernel = names.indexOf(name);
      for (let i = 1; i < parts.length; i++) {
        const thread = threads[i - 1] as PoolThread;
        const args = parts[i] as readonly number[];
        thread.args.set(args);
        thread.state[KERNEL] = kernel;
        thread.state[ARG_COUNT] = args.length;
        Atomics.store(thread.state, SEQUENCE, sequence);
        Atomics.notify(thread.state, SEQUENCE);
      }
      const own = parts[0] as readonly number[];
      let failure: string | undefined;
      try {
        (local[name] as (...args: number[]) => void)(...own);
      } catch (error) {
        failure = `${name} failed on the calling thread: ${String(error)}`;
      }
      // Every thread finishes before this returns or throws: their scratch is freed next.
      for (let i = 1; i < parts.length; i++) {
        const { state } = threads[i - 1] as PoolThread;
        for (;;) {
          const done = Atomics.load(state, DONE);
          if (done === sequence) break;
          if (done === -sequence) {
            failure ??= `${name} failed on thread ${i}`;
            break;
          }
          if (Atomics.wait(state, DONE, done, CALL_TIMEOUT_MS) === 'timed-out') {
            throw new Error(`wasm-kernels: thread ${i} did not finish ${name}`);
          }
        }
      }
      if (failure) throw new Error(`wasm-kernels: ${failure}`);
    },
  };
}

/**
 * Starts `threads − 1` worker threads that run kdkit's SIMD kernels over `memory` (the heap of
 * a threaded tfjs-wasm backend, which is shared), so kernels can split their work with the
 * calling thread. Workers never keep the process alive. Resolves to the threads now used (1
 * when `memory` is not shared, SIMD is missing, or `threads` < 2).
 *
 * @example
 * const memory = backendMemory(tf.backend());
 * if (memory) await startKernelThreads(memory, 2); // 2
 */
export async function startKernelThreads(memory: WasmMemory, threads: number): Promise<number> {
  const existing = running.get(memory);
  if (existing) return existing.threads.length + 1;
  const local = simdKernels(memory);
  if (threads < 2 || !isSharedMemory(memory) || !local) return 1;
  const names = Object.keys(local).filter((name) => name.startsWith('kd_'));
  const started = await Promise.allSettled(
    Array.from({ length: threads - 1 }, () => startThread(memory, names)),
  );
  const ok = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    for (const thread of ok) void thread.worker.terminate();
    throw failed.reason;
  }
  running.set(memory, { threads: ok });
  setKernelPool(memory, poolOver(local, ok, names));
  return ok.length + 1;
}

/** Stops the kernel threads over `memory` (kernels run on the calling thread again). */
export async function stopKernelThreads(memory: WasmMemory): Promise<void> {
  const pool = running.get(memory);
  if (!pool) return;
  running.delete(memory);
  setKernelPool(memory, undefined);
  await Promise.all(pool.threads.map((thread) => thread.worker.terminate()));
}
