// Bench-only: each replaced kernel, stock wasm vs this package, on the teacher's shapes (batch 128).
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { installWasmKernels, uninstallWasmKernels } from '../src/index.js';
import { conv2dBackpropFilter } from '../src/kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInput } from '../src/kernels/conv2d-backprop-input.js';
import { maxPoolGradByMasks } from '../src/kernels/max-pool-grad.js';

/**
 * The XNNPACK compositions that kdkit's SIMD kernels replaced (still used for NCHW), timed
 * beside them so the choice in install.ts stays checked. A factory gets the stock kernel.
 */
const COMPOSED: Record<string, (stock: tf.KernelConfig | undefined) => tf.KernelFunc> = {
  Conv2DBackpropFilter: () => conv2dBackpropFilter as tf.KernelFunc,
  Conv2DBackpropInput: () => conv2dBackpropInput as tf.KernelFunc,
  MaxPoolGrad: (stock) => maxPoolGradByMasks(stock as tf.KernelConfig) as tf.KernelFunc,
};

interface Case {
  readonly kernel: string;
  readonly shape: string;
  readonly make: () => tf.NamedTensorMap;
  readonly attrs: Record<string, unknown>;
}

/** Fresh inputs every call: wasm caches XNNPACK operators (packed weights) by tensor id. */
function msPerCall(c: Case, reps: number): number {
  let total = 0;
  for (let i = 0; i <= reps; i++) {
    const inputs = c.make();
    const start = performance.now();
    const out = tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor;
    out.dataSync();
    if (i > 0) total += performance.now() - start;
    tf.dispose([out, ...Object.values(inputs)]);
  }
  return total / reps;
}

function cases(n: number): Case[] {
  const normal = (shape: number[]) => () => tf.randomNormal(shape);
  const conv = (h: number, cin: number, cout: number): Case[] => [
    {
      kernel: 'Conv2DBackpropInput',
      shape: `dy [${n},${h},${h},${cout}] w 3x3x${cin}x${cout}`,
      make: () => ({ dy: normal([n, h, h, cout])(), filter: normal([3, 3, cin, cout])() }),
      attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [n, h, h, cin] },
    },
    {
      kernel: 'Conv2DBackpropFilter',
      shape: `x [${n},${h},${h},${cin}] dy [${n},${h},${h},${cout}]`,
      make: () => ({ x: normal([n, h, h, cin])(), dy: normal([n, h, h, cout])() }),
      attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cin, cout] },
    },
  ];
  const x: [number, number, number, number] = [n, 28, 28, 64];
  return [
    ...conv(28, 32, 64),
    ...conv(14, 64, 128),
    {
      kernel: 'Conv2DBackpropInput',
      shape: `stride 2: dy [${n},14,14,64] w 3x3x32x64`,
      make: () => ({ dy: normal([n, 14, 14, 64])(), filter: normal([3, 3, 32, 64])() }),
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [n, 28, 28, 32] },
    },
    {
      kernel: 'Conv2DBackpropFilter',
      shape: `stride 2: x [${n},28,28,32] dy [${n},14,14,64]`,
      make: () => ({ x: normal([n, 28, 28, 32])(), dy: normal([n, 14, 14, 64])() }),
      attrs: { strides: 2, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 32, 64] },
    },
    {
      kernel: 'BatchMatMul',
      shape: `x^T dy: [${n},6272]^T [${n},256]`,
      make: () => ({ a: normal([n, 6272])(), b: normal([n, 256])() }),
      attrs: { transposeA: true, transposeB: false },
    },
    {
      kernel: 'BatchMatMul',
      shape: `dy w^T: [${n},256] [6272,256]^T`,
      make: () => ({ a: normal([n, 256])(), b: normal([6272, 256])() }),
      attrs: { transposeA: false, transposeB: true },
    },
    {
      kernel: 'Tile',
      shape: `[1,1,1,64] to [${x}]`,
      make: () => ({ x: normal([1, 1, 1, 64])() }),
      attrs: { reps: [n, 28, 28, 1] },
    },
    {
      kernel: 'Sum',
      shape: `[${x}] over N,H,W`,
      make: () => ({ x: normal(x)() }),
      attrs: { axis: [0, 1, 2], keepDims: false },
    },
    {
      kernel: 'Mean',
      shape: `[${x}] over N,H,W`,
      make: () => ({ x: normal(x)() }),
      attrs: { axis: [0, 1, 2], keepDims: false },
    },
    {
      kernel: 'MaxPoolGrad',
      shape: `x [${x}] 2x2/2`,
      make: () => {
        const input = tf.relu(tf.randomNormal(x)) as tf.Tensor4D;
        const output = tf.maxPool(input, 2, 2, 'valid');
        return { input, output, dy: tf.randomNormal(output.shape) };
      },
      attrs: { filterSize: 2, strides: 2, pad: 'valid' },
    },
    {
      kernel: 'FusedBatchNorm',
      shape: `x [${x}], per-channel statistics`,
      make: () => ({
        x: normal(x)(),
        mean: normal([64])(),
        variance: tf.randomUniform([64], 0.5, 2),
        offset: normal([64])(),
        scale: normal([64])(),
      }),
      attrs: { varianceEpsilon: 0.001 },
    },
    {
      kernel: 'Identity',
      shape: `[${x}] (clone of a saved activation)`,
      make: () => ({ x: normal(x)() }),
      attrs: {},
    },
  ];
}

/** ms per call of `kernelFunc` registered in place of the current `c.kernel` for the run. */
function msPerCallWith(c: Case, kernelFunc: tf.KernelFunc, reps: number): number {
  const current = tf.getKernel(c.kernel, 'wasm') as tf.KernelConfig;
  tf.unregisterKernel(c.kernel, 'wasm');
  tf.registerKernel({ kernelName: c.kernel, backendName: 'wasm', kernelFunc });
  try {
    return msPerCall(c, reps);
  } finally {
    tf.unregisterKernel(c.kernel, 'wasm');
    tf.registerKernel(current);
  }
}

/**
 * Prints one JSON line per case: stock and kdkit ms per call (stock is `null` where missing)
 * and, for kdkit's SIMD kernels, the XNNPACK composition they replaced (`composed_ms`).
 */
export function compareKernels(
  emit: (record: Record<string, unknown>) => void,
  n = 128,
  reps = 3,
): void {
  for (const c of cases(n)) {
    const inputs = c.make();
    uninstallWasmKernels();
    const stock = tf.getKernel(c.kernel, 'wasm')
      ? msPerCall(c, c.kernel.startsWith('Conv2D') ? 1 : reps)
      : null;
    const stockConfig = tf.getKernel(c.kernel, 'wasm');
    installWasmKernels();
    const ours = msPerCall(c, reps);
    const makeComposed = COMPOSED[c.kernel];
    const composed = makeComposed ? msPerCallWith(c, makeComposed(stockConfig), reps) : undefined;
    tf.dispose(Object.values(inputs));
    emit({
      kernel_compare: c.kernel,
      shape: c.shape,
      stock_ms: stock === null ? null : Number(stock.toFixed(1)),
      kdkit_ms: Number(ours.toFixed(1)),
      speedup: stock === null ? null : Number((stock / ours).toFixed(1)),
      ...(composed === undefined
        ? {}
        : {
            composed_ms: Number(composed.toFixed(1)),
            speedup_over_composed: Number((composed / ours).toFixed(2)),
          }),
    });
  }
}
