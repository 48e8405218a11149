// A fresh process without the real wasm backend: a look-alike registered as 'wasm' records the
// cores the browser reported while it started, as tfjs's threaded build would read them.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initBackend } from './init-backend.js';

/** A tfjs-backend-wasm look-alike: its pool gets half the cores reported at start, as tfjs's. */
function fakeWasm(navigator: { hardwareConcurrency: number }) {
  let asked = -1;
  let started = -1;
  const module = {
    setThreadsCount: (threads: number) => {
      asked = threads;
    },
    getThreadsCount: () => {
      if (started === -1) throw new Error('WASM backend not initialized.');
      return started;
    },
  };
  const loader = async () => {
    if (!tf.findBackendFactory('wasm')) {
      tf.registerBackend('wasm', () => {
        started = Math.min(asked, Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)));
        return new MathBackendCPU();
      });
    }
    return module;
  };
  return loader;
}

afterEach(async () => {
  vi.unstubAllGlobals();
  await initBackend('cpu', { log: false, env: {} });
  tf.removeBackend('wasm');
});

describe('initBackend wasm in a browser (simulated)', () => {
  it('a cross-origin isolated page gets a thread per core, and the report says how many', async () => {
    const navigator = { hardwareConcurrency: 4 };
    vi.stubGlobal('navigator', navigator);
    vi.stubGlobal('crossOriginIsolated', true);
    const lines: string[] = [];
    const info = await initBackend('wasm', {
      platform: 'browser',
      log: (line) => lines.push(line),
      env: {},
      loaders: { wasm: fakeWasm(navigator) },
    });
    expect(info).toEqual({ name: 'wasm', reason: 'requested', threads: 4 });
    expect(lines).toEqual(["kdkit: backend 'wasm' (requested; 4 threads)"]);
    expect(navigator.hardwareConcurrency).toBe(4);
  });

  it('wasmThreads asks for fewer; 8 is the most', async () => {
    const navigator = { hardwareConcurrency: 16 };
    vi.stubGlobal('navigator', navigator);
    vi.stubGlobal('crossOriginIsolated', true);
    const two = await initBackend('wasm', {
      platform: 'browser',
      log: false,
      env: {},
      wasmThreads: 2,
      loaders: { wasm: fakeWasm(navigator) },
    });
    expect(two.threads).toBe(2);
    await initBackend('cpu', { log: false, env: {} });
    tf.removeBackend('wasm');
    const all = await initBackend('wasm', {
      platform: 'browser',
      log: false,
      env: {},
      loaders: { wasm: fakeWasm(navigator) },
    });
    expect(all.threads).toBe(8);
  });

  it('a page that is not cross-origin isolated runs one thread and says why', async () => {
    const navigator = { hardwareConcurrency: 4 };
    vi.stubGlobal('navigator', navigator);
    vi.stubGlobal('crossOriginIsolated', false);
    const lines: string[] = [];
    const info = await initBackend('auto', {
      platform: 'browser',
      log: (line) => lines.push(line),
      env: {},
      loaders: { wasm: fakeWasm(navigator) },
    });
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(1);
    expect(lines[0]).toMatch(
      /; 1 thread: page not cross-origin isolated \(no COOP\/COEP headers\), so no SharedArrayBuffer\)$/,
    );
  });
});
