import { isKdkitError } from '@kdkit/engine';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { fakeDocument } from '../test/fake-browser.js';
import { describeLoadFailure, initBackend } from './init-backend.js';

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

  it("names tfjs-node's two usual load failures in words a user can act on", () => {
    const noAddon = new Error(
      'The Node.js native addon module (tfjs_binding.node) can not be found at path: /x/lib/napi-v8/tfjs_binding.node. \nPlease run command ...',
    );
    expect(describeLoadFailure('tensorflow', noAddon)).toMatch(
      /^installed without its native addon.*'npm rebuild @tensorflow\/tfjs-node'.*'pnpm approve-builds'/,
    );
    expect(
      describeLoadFailure(
        'tensorflow',
        new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x"),
      ),
    ).toBe('not installed');
    expect(describeLoadFailure('tensorflow', new Error('other\nmore'))).toBe('other');
    expect(describeLoadFailure('wasm', noAddon)).toMatch(/^The Node\.js native addon/);
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
    expect(info).toMatchObject({ name: 'wasm', reason: 'requested by KDKIT_BACKEND' });
    expect(info.threads).toBeGreaterThanOrEqual(1);
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
      loaders: { webgpu: missing, webgl: missing, wasm: missing, cpu: async () => undefined },
    });
    expect(info.name).toBe('cpu');
    expect(info.reason).toMatch(
      /^webgpu not loadable: .*; webgl not loadable: .*; wasm not loadable: /,
    );
    expect(lines).toEqual([`kdkit: backend 'cpu' (${info.reason})`]);
  });

  it('takes webgl when the browser has no WebGPU, and never tries tfjs-node', async () => {
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
          webgpu: async () => void tried.push('webgpu'),
          webgl: fakeWebgl,
        },
      });
      expect(info).toEqual({
        name: 'webgl',
        reason: 'webgpu not loadable: this browser has no WebGPU (navigator.gpu)',
      });
      expect(tf.getBackend()).toBe('webgl');
      expect(tried).toEqual(['webgl']);
    } finally {
      await initBackend('cpu', { log: false, env: {} });
      tf.removeBackend('webgl');
    }
  });

  it('with auto, skips a software-rendered WebGL (SwiftShader) and says so', async () => {
    vi.stubGlobal('document', fakeDocument('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))'));
    const tried: string[] = [];
    try {
      const info = await initBackend('auto', {
        platform: 'browser',
        log: false,
        env: {},
        loaders: {
          webgl: async () => void tried.push('webgl'),
          cpu: async () => void tried.push('cpu'),
        },
      });
      expect(info.name).toBe('cpu');
      expect(info.reason).toContain(
        'webgl skipped: software-rendered WebGL (ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))) trains slower than wasm',
      );
      expect(tried).toEqual(['cpu']);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a backend without a loader is not loadable, and the reason names the loaders option', async () => {
    const info = await initBackend('auto', {
      platform: 'browser',
      log: false,
      env: {},
      loaders: { cpu: async () => undefined },
    });
    expect(info.name).toBe('cpu');
    expect(info.reason).toContain(
      "wasm not loadable: no loader given; in a browser pass options.loaders.wasm (wasmLoader from '@kdkit/backend/wasm')",
    );
    await expect(
      initBackend('webgl', { platform: 'browser', log: false, env: {} }),
    ).rejects.toThrow(
      /backend 'webgl' was requested but could not be loaded \(no loader given; in a browser pass options\.loaders\.webgl \(webglLoader from '@kdkit\/backend\/webgl'\)\)/,
    );
  });

  it('an explicitly requested backend the browser lacks is an error saying to choose auto', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    try {
      await expect(
        initBackend('wasm', { platform: 'browser', log: false, env: {}, loaders: {} }),
      ).rejects.toThrow(
        "initBackend: backend 'wasm' was requested but could not be loaded (this browser has no WebAssembly). To get it, use a browser with WebAssembly, or choose 'auto' (webgpu → webgl → wasm → cpu).",
      );
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
