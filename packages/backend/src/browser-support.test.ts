import { describe, expect, it } from 'vitest';
import { fakeDocument } from '../test/fake-browser.js';
import {
  browserThreadsRequest,
  checkBrowserSupport,
  UnsuitableBackend,
  webglRenderer,
  withReportedCores,
} from './browser-support.js';

describe('checkBrowserSupport', () => {
  it('refuses webgpu without navigator.gpu and wasm without WebAssembly', () => {
    expect(() => checkBrowserSupport('webgpu', true, { navigator: {} })).toThrow(
      'this browser has no WebGPU (navigator.gpu)',
    );
    expect(() => checkBrowserSupport('webgpu', true, { navigator: { gpu: {} } })).not.toThrow();
    expect(() => checkBrowserSupport('wasm', false, {})).toThrow('this browser has no WebAssembly');
    expect(() => checkBrowserSupport('wasm', false, { WebAssembly: {} })).not.toThrow();
  });

  it('skips a software-rendered WebGL under auto only, and refuses a browser without WebGL', () => {
    const swiftshader = { document: fakeDocument('ANGLE (Google, SwiftShader Device)') };
    expect(() => checkBrowserSupport('webgl', true, swiftshader)).toThrow(UnsuitableBackend);
    expect(() => checkBrowserSupport('webgl', true, swiftshader)).toThrow(
      'software-rendered WebGL (ANGLE (Google, SwiftShader Device)) trains slower than wasm',
    );
    expect(() => checkBrowserSupport('webgl', false, swiftshader)).not.toThrow();
    const gpu = { document: fakeDocument('ANGLE (NVIDIA GeForce RTX 3060)') };
    expect(() => checkBrowserSupport('webgl', true, gpu)).not.toThrow();
    expect(() => checkBrowserSupport('webgl', true, { document: fakeDocument(null) })).toThrow(
      'this browser has no WebGL',
    );
    // Without a DOM (a worker) the renderer can't be asked: the loader decides.
    expect(webglRenderer({})).toBeUndefined();
    expect(() => checkBrowserSupport('webgl', true, {})).not.toThrow();
  });
});

describe('browserThreadsRequest', () => {
  it('uses every core (at most 8) on a cross-origin isolated page', () => {
    const isolated = (cores: number) => ({
      crossOriginIsolated: true,
      navigator: { hardwareConcurrency: cores },
    });
    expect(browserThreadsRequest(isolated(4), {}, undefined)).toEqual({ threads: 4 });
    expect(browserThreadsRequest(isolated(16), {}, undefined)).toEqual({ threads: 8 });
    expect(browserThreadsRequest(isolated(1), {}, undefined)).toEqual({
      threads: 1,
      reason: 'one CPU',
    });
    expect(browserThreadsRequest(isolated(8), {}, 3)).toEqual({ threads: 3 });
    expect(browserThreadsRequest(isolated(8), { KDKIT_WASM_THREADS: '2' }, undefined)).toEqual({
      threads: 2,
    });
  });

  it('is one thread, saying why, when the page is not cross-origin isolated', () => {
    const request = browserThreadsRequest(
      { crossOriginIsolated: false, navigator: { hardwareConcurrency: 8 } },
      {},
      4,
    );
    expect(request.threads).toBe(1);
    expect(request.reason).toMatch(/^page not cross-origin isolated \(no COOP\/COEP headers\)/);
  });
});

describe('withReportedCores', () => {
  it('reports 2 × threads cores while starting, then restores what was there', async () => {
    const navigator = { hardwareConcurrency: 2 };
    const seen = await withReportedCores(
      { navigator },
      2,
      async () => navigator.hardwareConcurrency,
    );
    expect(seen).toBe(4);
    expect(navigator.hardwareConcurrency).toBe(2);
    expect(Object.getOwnPropertyDescriptor(navigator, 'hardwareConcurrency')?.value).toBe(2);
  });

  it('restores after a failed start, and leaves one thread alone', async () => {
    const navigator = { hardwareConcurrency: 2 };
    await expect(
      withReportedCores({ navigator }, 3, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(navigator.hardwareConcurrency).toBe(2);
    expect(
      await withReportedCores({ navigator }, 1, async () => navigator.hardwareConcurrency),
    ).toBe(2);
  });
});
