import type { DataType, Tensor } from '@tensorflow/tfjs-core';
import { KdkitError } from './errors.js';

const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Throws unless `tensor` has the given rank. `where` is the calling function, `arg` the argument. */
export function assertRank(where: string, arg: string, tensor: Tensor, rank: number): void {
  if (tensor.rank !== rank) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${arg}' must be rank ${rank}, got shape ${formatShape(tensor.shape)} (rank ${tensor.rank}).`,
    );
  }
}

/**
 * Throws unless `tensor` matches `expected`, where `null` in `expected` matches any size.
 * The message names both shapes.
 */
export function assertShape(
  where: string,
  arg: string,
  tensor: Tensor,
  expected: readonly (number | null)[],
): void {
  const ok =
    tensor.rank === expected.length &&
    expected.every((d, i) => d === null || tensor.shape[i] === d);
  if (!ok) {
    const want = `[${expected.map((d) => (d === null ? '*' : String(d))).join(', ')}]`;
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${arg}' must have shape ${want}, got ${formatShape(tensor.shape)}.`,
    );
  }
}

/** Throws unless the two tensors have identical shapes. */
export function assertSameShape(
  where: string,
  argA: string,
  a: Tensor,
  argB: string,
  b: Tensor,
): void {
  const same = a.rank === b.rank && a.shape.every((d, i) => d === b.shape[i]);
  if (!same) {
    throw new KdkitError(
      'SHAPE_MISMATCH',
      `${where}: '${argA}' ${formatShape(a.shape)} and '${argB}' ${formatShape(b.shape)} must have the same shape.`,
    );
  }
}

/** Throws unless `tensor` has one of the allowed dtypes. */
export function assertDtype(
  where: string,
  arg: string,
  tensor: Tensor,
  allowed: readonly DataType[],
): void {
  if (!allowed.includes(tensor.dtype)) {
    throw new KdkitError(
      'DTYPE_MISMATCH',
      `${where}: '${arg}' must be ${allowed.join(' or ')}, got ${tensor.dtype} (shape ${formatShape(tensor.shape)}).`,
    );
  }
}

/** Throws unless `value` is a finite number > 0. */
export function assertPositive(where: string, arg: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: '${arg}' must be a finite number > 0, got ${value}.`,
    );
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function assertInteger(where: string, arg: string, value: number, min = 0): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: '${arg}' must be an integer ≥ ${min}, got ${value}.`,
    );
  }
}

/** Throws unless `min ≤ value ≤ max`. */
export function assertInRange(
  where: string,
  arg: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!(Number.isFinite(value) && value >= min && value <= max)) {
    throw new KdkitError(
      'OUT_OF_RANGE',
      `${where}: '${arg}' must be in [${min}, ${max}], got ${value}.`,
    );
  }
}

/** Throws unless `value` is one of `allowed`. */
export function assertOneOf<T extends string>(
  where: string,
  arg: string,
  value: string,
  allowed: readonly T[],
): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new KdkitError(
      'INVALID_ARGUMENT',
      `${where}: '${arg}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${value}'.`,
    );
  }
}

export { formatShape };
