// Bench-only: per-kernel self time on one backend by wrapping its registered kernels for a while.

import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';

export interface KernelTime {
  readonly kernel: string;
  readonly calls: number;
  /** Time inside this kernel minus the kernels it ran itself (composed kernels run others). */
  readonly selfMs: number;
  /** Floating-point operations (2 per multiply-add) of its own work, for convs and matmuls. */
  readonly selfFlops: number;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const shapeOf = (t: unknown): readonly number[] => (t as tf.TensorInfo | undefined)?.shape ?? [];

/** 2 × multiply-adds of a conv or matmul kernel call (0 for other kernels). */
export function kernelFlops(
  kernel: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap | undefined,
  output: tf.TensorInfo | tf.TensorInfo[],
): number {
  const out = Array.isArray(output) ? output[0] : output;
  switch (kernel) {
    case 'Conv2D':
    case 'FusedConv2D': {
      // filter [kh, kw, inC, outC]: each output element sums kh·kw·inC products.
      const [kh = 0, kw = 0, inC = 0] = shapeOf(inputs.filter);
      return 2 * product(shapeOf(out)) * kh * kw * inC;
    }
    case 'Conv2DBackpropFilter': {
      const [kh = 0, kw = 0, inC = 0] = (attrs?.filterShape as number[] | undefined) ?? [];
      return 2 * product(shapeOf(inputs.dy)) * kh * kw * inC;
    }
    case 'Conv2DBackpropInput': {
      const [kh = 0, kw = 0, inC = 0] = shapeOf(inputs.filter);
      return 2 * product(shapeOf(inputs.dy)) * kh * kw * inC;
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      const a = shapeOf(inputs.a);
      const inner = attrs?.transposeA ? a.at(-2) : a.at(-1);
      return 2 * product(shapeOf(out)) * (inner ?? 0);
    }
    default:
      return 0;
  }
}

/**
 * Runs `fn` with every kernel of `backendName` wrapped in a timer, then restores the registry.
 * Works on synchronous backends (wasm, cpu) where a kernel's work ends when it returns.
 */
export function timeKernels(backendName: string, fn: () => void): KernelTime[] {
  const configs = tf.getKernelsForBackend(backendName);
  const totals = new Map<string, { calls: number; selfMs: number; selfFlops: number }>();
  const childMs: number[] = [];
  const childFlops: number[] = [];
  for (const config of configs) {
    const inner = config.kernelFunc;
    const wrapped: tf.KernelFunc = (args) => {
      childMs.push(0);
      childFlops.push(0);
      const start = performance.now();
      let flops = 0;
      try {
        const output = inner(args);
        flops = kernelFlops(config.kernelName, args.inputs, args.attrs, output);
        return output;
      } finally {
        const elapsed = performance.now() - start;
        const children = childMs.pop() ?? 0;
        const childrenFlops = childFlops.pop() ?? 0;
        if (childMs.length > 0) childMs[childMs.length - 1] = (childMs.at(-1) ?? 0) + elapsed;
        if (childFlops.length > 0) {
          childFlops[childFlops.length - 1] = (childFlops.at(-1) ?? 0) + flops;
        }
        const entry = totals.get(config.kernelName) ?? { calls: 0, selfMs: 0, selfFlops: 0 };
        entry.calls++;
        entry.selfMs += elapsed - children;
        // A composed kernel's own work: its products minus those its children did.
        entry.selfFlops += Math.max(0, flops - childrenFlops);
        totals.set(config.kernelName, entry);
      }
    };
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc: wrapped });
  }
  try {
    fn();
  } finally {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  return [...totals.entries()]
    .map(([kernel, t]) => ({ kernel, calls: t.calls, selfMs: t.selfMs, selfFlops: t.selfFlops }))
    .sort((a, b) => b.selfMs - a.selfMs);
}
