import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../test/cross-backend.js';
import { installWasmKernels, uninstallWasmKernels } from './install.js';

const MISSING = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'KdkitAdamUpdate',
];
const REPLACED = [
  'Conv2DBackpropInput',
  'Identity',
  'BatchMatMul',
  'Tile',
  'Sum',
  'Mean',
  'MaxPoolGrad',
  'FusedBatchNorm',
];

describe('installWasmKernels', () => {
  afterAll(() => {
    installWasmKernels();
  });

  it('adds the kernels stock wasm lacks and replaces slow ones, once', async () => {
    await useBackend('wasm');
    uninstallWasmKernels();
    for (const name of MISSING) expect(tf.getKernel(name, 'wasm')).toBeUndefined();
    const stockBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(stockBackpropInput).toBeDefined();

    const first = installWasmKernels();
    expect(first.added).toEqual(MISSING);
    expect(first.replaced).toEqual(REPLACED);
    expect(first.kernels).toEqual([...first.added, ...first.replaced]);
    for (const name of first.kernels) expect(tf.getKernel(name, 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(
      stockBackpropInput?.kernelFunc,
    );

    expect(installWasmKernels()).toBe(first);
    expect(installWasmKernels({ replaceSlow: false })).toBe(first);
  });

  it('uninstall restores stock wasm; replaceSlow: false adds only the missing kernels', async () => {
    await useBackend('wasm');
    const stock = tf.getKernel('Conv2DBackpropInput', 'wasm');
    uninstallWasmKernels();
    const restored = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(restored?.kernelFunc).not.toBe(stock?.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();

    const onlyMissing = installWasmKernels({ replaceSlow: false });
    expect(onlyMissing.kernels).toEqual(MISSING);
    expect(onlyMissing.replaced).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(restored?.kernelFunc);
    uninstallWasmKernels();
  });

  it('registers without a wasm backend active (only the registry is touched)', async () => {
    await useBackend('cpu');
    uninstallWasmKernels();
    const result = installWasmKernels();
    expect(result.kernels).toEqual([...MISSING, ...REPLACED]);
    expect(tf.getBackend()).toBe('cpu');
  });
});
