// Bench-only: per-kernel self time on one backend by wrapping its registered kernels for a while.

import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';

export interface KernelTime {
  readonly kernel: string;
  readonly calls: number;
  /** Time inside this kernel minus the kernels it ran itself (composed kernels run others). */
  readonly selfMs: number;
}

/**
 * Runs `fn` with every kernel of `backendName` wrapped in a timer, then restores the registry.
 * Works on synchronous backends (wasm, cpu) where a kernel's work ends when it returns.
 */
export function timeKernels(backendName: string, fn: () => void): KernelTime[] {
  const configs = tf.getKernelsForBackend(backendName);
  const totals = new Map<string, { calls: number; selfMs: number }>();
  const childMs: number[] = [];
  for (const config of configs) {
    const inner = config.kernelFunc;
    const wrapped: tf.KernelFunc = (args) => {
      childMs.push(0);
      const start = performance.now();
      try {
        return inner(args);
      } finally {
        const elapsed = performance.now() - start;
        const children = childMs.pop() ?? 0;
        if (childMs.length > 0) childMs[childMs.length - 1] = (childMs.at(-1) ?? 0) + elapsed;
        const entry = totals.get(config.kernelName) ?? { calls: 0, selfMs: 0 };
        entry.calls++;
        entry.selfMs += elapsed - children;
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
    .map(([kernel, t]) => ({ kernel, calls: t.calls, selfMs: t.selfMs }))
    .sort((a, b) => b.selfMs - a.selfMs);
}
