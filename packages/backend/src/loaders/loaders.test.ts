import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cpuLoader } from './cpu.js';
import { wasmLoader, wasmLoaderFrom } from './wasm.js';
import { webglLoader } from './webgl.js';
import { webgpuLoader } from './webgpu.js';

describe('the ready-made loaders', () => {
  it('cpu and wasm register their backend with tfjs-core', async () => {
    await cpuLoader();
    await wasmLoader();
    expect(tf.findBackendFactory('cpu')).toBeTruthy();
    expect(tf.findBackendFactory('wasm')).toBeTruthy();
  });

  it('webgl and webgpu resolve to their packages (which register only in a browser)', async () => {
    expect(await webglLoader()).toHaveProperty('MathBackendWebGL');
    expect(await webgpuLoader()).toHaveProperty('WebGPUBackend');
  });

  it('wasm resolves to the module, so initBackend can set its threads', async () => {
    const wasm = (await wasmLoaderFrom('https://example.test/wasm/')()) as Record<string, unknown>;
    expect(typeof wasm['setThreadsCount']).toBe('function');
    expect(typeof wasm['getThreadsCount']).toBe('function');
  });
});
