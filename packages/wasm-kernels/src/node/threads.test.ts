import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MAX_WASM_THREADS, parseWasmThreadsEnv, type WasmThreadsReport } from './threads.js';

describe('parseWasmThreadsEnv', () => {
  it('uses every CPU when KDKIT_WASM_THREADS is unset or empty', () => {
    expect(parseWasmThreadsEnv({}, 2)).toEqual({ threads: 2 });
    expect(parseWasmThreadsEnv({ KDKIT_WASM_THREADS: ' ' }, 4)).toEqual({ threads: 4 });
    expect(parseWasmThreadsEnv({}, 1)).toEqual({ threads: 1, reason: 'one CPU' });
    expect(parseWasmThreadsEnv({}, 64)).toEqual({ threads: MAX_WASM_THREADS });
  });

  it('auto (or on) asks for every CPU', () => {
    expect(parseWasmThreadsEnv({ KDKIT_WASM_THREADS: ' Auto ' }, 2)).toEqual({ threads: 2 });
    expect(parseWasmThreadsEnv({ KDKIT_WASM_THREADS: 'on' }, 4)).toEqual({ threads: 4 });
    expect(parseWasmThreadsEnv({ KDKIT_WASM_THREADS: 'auto' }, 1)).toEqual({
      threads: 1,
      reason: 'KDKIT_WASM_THREADS=auto is 1 thread',
    });
  });

  it('1, 0, off, false or no mean one thread, naming the variable', () => {
    for (const value of ['1', '0', 'off', 'OFF', 'false', 'no']) {
      const request = parseWasmThreadsEnv({ KDKIT_WASM_THREADS: value }, 2);
      expect(request.threads).toBe(1);
      expect(request.reason).toBe(`KDKIT_WASM_THREADS=${value.toLowerCase()}`);
    }
  });

  it('takes a count, capped at what tfjs supports', () => {
    expect(parseWasmThreadsEnv({ KDKIT_WASM_THREADS: '3' }, 2)).toEqual({ threads: 3 });
    expect(parseWasmThreadsEnv({ KDKIT_WASM_THREADS: '64' }, 2)).toEqual({
      threads: MAX_WASM_THREADS,
    });
  });

  it('falls back to one thread on a value it does not understand, listing the valid ones', () => {
    const request = parseWasmThreadsEnv({ KDKIT_WASM_THREADS: 'many' }, 2);
    expect(request.threads).toBe(1);
    expect(request.reason).toBe(
      "ignored KDKIT_WASM_THREADS='many' (expected auto, off or a count 1-8)",
    );
  });
});

// A threaded start changes process-wide state (the wasm backend, tfjs flags) and must let the
// process exit, so each case runs in a fresh Node process. A hang fails through the timeout.
const require = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(require.resolve('tsx/esm')).href;
const threadsModule = pathToFileURL(fileURLToPath(new URL('./threads.ts', import.meta.url))).href;
const installModule = pathToFileURL(fileURLToPath(new URL('../install.ts', import.meta.url))).href;
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

interface ChildResult {
  readonly report: WasmThreadsReport;
  /** Largest |wasm - cpu| of a conv2d computed on both backends. */
  readonly maxDiff: number;
  /** Largest |wasm - cpu| of the conv2d's filter gradient (kdkit's kernel on wasm). */
  readonly gradDiff: number;
  readonly workerGlobal: string;
  readonly cpusRestored: boolean;
  /** How many times tfjs started a wasm backend (its registered factory ran). */
  readonly wasmInits: number;
  /** What tfjs-backend-wasm's getThreadsCount() says afterwards. */
  readonly moduleThreads: number;
}

function runChild(options: string, env: Record<string, string> = {}): ChildResult {
  const script = `
    import os from 'node:os';
    import * as tf from '@tensorflow/tfjs-core';
    import '@tensorflow/tfjs-backend-cpu';
    const wasmModule = await import('@tensorflow/tfjs-backend-wasm');
    const entry = tf.engine().registryFactory.wasm;
    const factory = entry.factory;
    let wasmInits = 0;
    entry.factory = () => { wasmInits += 1; return factory(); };
    const { activateWasmBackend } = await import(${JSON.stringify(threadsModule)});
    const { installWasmKernels } = await import(${JSON.stringify(installModule)});
    const cpus = os.cpus;
    tf.env().set('PROD', true);
    const report = await activateWasmBackend(${options});
    installWasmKernels();
    const x = () => tf.sin(tf.reshape(tf.range(0, 8 * 20 * 20 * 16), [8, 20, 20, 16]));
    const conv = () => tf.tidy(() => {
      const w = tf.cos(tf.reshape(tf.range(0, 3 * 3 * 16 * 32), [3, 3, 16, 32]));
      return tf.conv2d(x(), w, 2, 'same').dataSync();
    });
    // 800 output pixels × 144 × 32: large enough to be split over kernel threads.
    const grad = () => tf.tidy(() => {
      const dy = tf.cos(tf.reshape(tf.range(0, 8 * 10 * 10 * 32), [8, 10, 10, 32]));
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', dilations: 1, filterShape: [3, 3, 16, 32] };
      return tf.engine().runKernel('Conv2DBackpropFilter', { x: x(), dy }, attrs).dataSync();
    });
    const [onWasm, gradOnWasm] = [conv(), grad()];
    await tf.setBackend('cpu');
    const [onCpu, gradOnCpu] = [conv(), grad()];
    const worst = (a, b) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const [maxDiff, gradDiff] = [worst(onWasm, onCpu), worst(gradOnWasm, gradOnCpu)];
    process.stdout.write(JSON.stringify({
      report, maxDiff, gradDiff, workerGlobal: typeof globalThis.Worker, cpusRestored: os.cpus === cpus,
      wasmInits, moduleThreads: wasmModule.getThreadsCount(),
    }));
  `;
  const child = spawnSync(
    process.execPath,
    ['--import', tsxLoader, '--input-type=module', '--eval', script],
    {
      cwd: packageDir,
      env: { ...process.env, KDKIT_WASM_THREADS: '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  expect(child.error, child.stderr).toBeUndefined();
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout) as ChildResult;
}

describe('activateWasmBackend (in a child process)', () => {
  it('KDKIT_WASM_THREADS=2 runs wasm on 2 threads, restores the globals it touched, lets Node exit', () => {
    const result = runChild('', { KDKIT_WASM_THREADS: '2' });
    expect(result.report).toEqual({
      threads: 2,
      summary: '2 threads',
      kernelThreads: { threads: 2 },
    });
    expect(result.maxDiff).toBeLessThan(1e-3);
    // Sums of 800 products of magnitude ≤ 1, on two kernel threads.
    expect(result.gradDiff).toBeLessThan(2e-3);
    expect(result.workerGlobal).toBe('undefined');
    expect(result.cpusRestored).toBe(true);
  });

  it('starts wasm once, threaded: no single-threaded backend is started first', () => {
    const result = runChild('{ threads: 2 }');
    expect(result.report).toEqual({
      threads: 2,
      summary: '2 threads',
      kernelThreads: { threads: 2 },
    });
    expect(result.moduleThreads).toBe(2);
    expect(result.wasmInits).toBe(1);
  });

  it('KDKIT_WASM_THREADS=off keeps one thread and says why', () => {
    const result = runChild('', { KDKIT_WASM_THREADS: 'off' });
    expect(result.report).toEqual({
      threads: 1,
      reason: 'KDKIT_WASM_THREADS=off',
      summary: '1 thread: KDKIT_WASM_THREADS=off',
    });
    expect(result.maxDiff).toBeLessThan(1e-3);
  });

  it('falls back to one thread with the reason when the threaded start fails', () => {
    // 1 ms is too short for any threaded start: the attempt is abandoned and its workers stopped.
    const result = runChild('{ threads: 2, timeoutMs: 1 }');
    expect(result.report.threads).toBe(1);
    expect(result.report.summary).toBe(
      '1 thread: threaded start failed (starting the threaded wasm backend took longer than 1 ms)',
    );
    expect(result.maxDiff).toBeLessThan(1e-3);
    expect(result.workerGlobal).toBe('undefined');
    expect(result.cpusRestored).toBe(true);
  });
});
