import { isKdkitError } from '@kdkit/engine';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from './init-backend.js';

const missing = async (): Promise<void> => {
  throw new Error("Cannot find module '@tensorflow/tfjs-node'");
};

describe('initBackend', () => {
  it('with auto, skips an unloadable tfjs-node, picks wasm and says why in one line', async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', {
      log: (l) => lines.push(l),
      env: {},
      loaders: { tensorflow: missing },
    });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.reason).toContain('tfjs-node not loadable');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kdkit: backend 'wasm' \(tfjs-node not loadable/);
  });

  it('falls back to cpu when wasm is missing too', async () => {
    const info = await initBackend('auto', {
      log: false,
      env: {},
      loaders: { tensorflow: missing, wasm: missing },
    });
    expect(info.name).toBe('cpu');
    expect(info.reason).toMatch(/tfjs-node not loadable.*wasm not loadable/);
  });

  it('KDKIT_BACKEND overrides the preference', async () => {
    const info = await initBackend('cpu', { log: false, env: { KDKIT_BACKEND: 'wasm' } });
    expect(info).toEqual({ name: 'wasm', reason: 'requested by KDKIT_BACKEND' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('an explicitly requested backend that cannot load is an error saying how to get it', async () => {
    const attempt = initBackend('tensorflow', {
      log: false,
      env: {},
      loaders: { tensorflow: missing },
    });
    await expect(attempt).rejects.toThrow(
      /backend 'tensorflow' was requested.*npm i @tensorflow\/tfjs-node/,
    );
    await attempt.catch((error: unknown) =>
      expect(isKdkitError(error, 'BACKEND_UNAVAILABLE')).toBe(true),
    );
  });

  it('the real tfjs-node either loads or fails with the install hint, never silently', async () => {
    const outcome = await initBackend('tensorflow', { log: false, env: {} }).then(
      (info) => info.name,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    if (outcome === 'tensorflow') expect(tf.getBackend()).toBe('tensorflow');
    else expect(outcome).toContain('npm i @tensorflow/tfjs-node@4.22.0');
  });

  it('rejects an unknown preference, naming the argument and the valid values', async () => {
    await expect(initBackend('gpu' as 'cpu', { log: false, env: {} })).rejects.toThrow(
      "initBackend: 'preference' must be one of 'auto', 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu', got 'gpu'",
    );
    await expect(
      initBackend('auto', { log: false, env: { KDKIT_BACKEND: 'opengl' } }),
    ).rejects.toThrow("'KDKIT_BACKEND' must be one of");
  });

  it('is idempotent for the active backend', async () => {
    const first = await initBackend('wasm', { log: false, env: {} });
    const lines: string[] = [];
    const second = await initBackend('wasm', { log: (l) => lines.push(l), env: {} });
    expect(second).toBe(first);
    expect(lines).toEqual([]);
  });
});

describe('initBackend in a browser (simulated with loaders)', () => {
  it('with auto, tries webgpu, then webgl, then wasm, then cpu, and says why in one line', async () => {
    const lines: string[] = [];
    const info = await initBackend('auto', {
      platform: 'browser',
      log: (l) => lines.push(l),
      env: {},
      loaders: { webgpu: missing, webgl: missing, wasm: missing },
    });
    expect(info.name).toBe('cpu');
    expect(info.reason).toMatch(
      /^webgpu not loadable: .*; webgl not loadable: .*; wasm not loadable: /,
    );
    expect(lines).toEqual([`kdkit: backend 'cpu' (${info.reason})`]);
  });

  it('takes webgl when webgpu is missing, and never tries tfjs-node', async () => {
    const tried: string[] = [];
    const fakeWebgl = async () => {
      tried.push('webgl');
      tf.registerBackend('webgl', () => new MathBackendCPU());
    };
    try {
      const info = await initBackend('auto', {
        platform: 'browser',
        log: false,
        env: {},
        loaders: {
          tensorflow: async () => void tried.push('tensorflow'),
          webgpu: async () => {
            tried.push('webgpu');
            throw new Error('navigator.gpu is undefined');
          },
          webgl: fakeWebgl,
        },
      });
      expect(info).toEqual({
        name: 'webgl',
        reason: 'webgpu not loadable: navigator.gpu is undefined',
      });
      expect(tf.getBackend()).toBe('webgl');
      expect(tried).toEqual(['webgpu', 'webgl']);
    } finally {
      await initBackend('cpu', { log: false, env: {} });
      tf.removeBackend('webgl');
    }
  });
});
