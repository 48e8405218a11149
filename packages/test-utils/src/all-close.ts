import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

export type Numeric = tf.Tensor | number | ArrayLike<number> | readonly Numeric[];
export interface CloseOptions {
  /** Absolute tolerance. Default 1e-5. */
  atol?: number;
  /** Relative tolerance. Default 1e-5. */
  rtol?: number;
}

function flatten(value: Numeric): { values: number[]; shape?: number[] } {
  if (value instanceof tf.Tensor) {
    return { values: Array.from(value.dataSync()), shape: value.shape };
  }
  if (typeof value === 'number') return { values: [value] };
  const out: number[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'number') out.push(v);
    else if (v !== null && typeof v === 'object' && 'length' in v) {
      for (let i = 0; i < (v as ArrayLike<unknown>).length; i++)
        visit((v as ArrayLike<unknown>)[i]);
    }
  };
  visit(value);
  return { values: out };
}

/**
 * Compares element-wise like numpy's allclose: |a − b| ≤ atol + rtol·|b|.
 * Returns a description of the first mismatch, or undefined when all are close.
 */
export function allClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): string | undefined {
  const { atol = 1e-5, rtol = 1e-5 } = options;
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.shape && e.shape && a.shape.join(',') !== e.shape.join(',')) {
    return `shape [${a.shape}] differs from expected [${e.shape}]`;
  }
  if (a.values.length !== e.values.length) {
    return `size ${a.values.length} differs from expected ${e.values.length}`;
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i] as number;
    const y = e.values[i] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      return `element ${i}: ${x} vs expected ${y}`;
    }
    if (x === y) continue;
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > worstExcess || (excess > 0 && worst < 0)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst < 0) return undefined;
  return `element ${worst}: ${a.values[worst]} vs expected ${e.values[worst]} (atol ${atol}, rtol ${rtol})`;
}

/** Asserts {@link allClose}, failing with the worst element. */
export function expectAllClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): void {
  const mismatch = allClose(actual, expected, options);
  expect(mismatch, mismatch).toBeUndefined();
}

expect.extend({
  toBeAllClose(received: Numeric, expected: Numeric, options: CloseOptions = {}) {
    const mismatch = allClose(received, expected, options);
    return {
      pass: mismatch === undefined,
      message: () =>
        mismatch === undefined
          ? 'expected values not to be all close'
          : `expected all close, but ${mismatch}`,
    };
  },
});

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: must match vitest's own declaration.
  interface Matchers<T = any> {
    /** Element-wise closeness for tensors, arrays and numbers: |a − b| ≤ atol + rtol·|b|. */
    toBeAllClose(expected: Numeric, options?: CloseOptions): T;
  }
}
