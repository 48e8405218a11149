import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKdkitError, KdkitError } from './errors.js';
import { closestName, editDistance, lookupByName, unknownNameError } from './lookup.js';
import {
  assertDtype,
  assertInRange,
  assertPositive,
  assertRank,
  assertSameShape,
  assertShape,
} from './validate.js';

function thrown(fn: () => void): KdkitError {
  try {
    fn();
  } catch (error) {
    if (error instanceof KdkitError) return error;
    throw error;
  }
  throw new Error('expected a KdkitError');
}

describe('errors and validators', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('KdkitError carries a stable code and is recognised', () => {
    const error = new KdkitError('SHAPE_MISMATCH', 'x');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('KdkitError');
    expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect(isKdkitError(error, 'OUT_OF_RANGE')).toBe(false);
    expect(isKdkitError(new Error('x'))).toBe(false);
  });

  it('shape validators name the function, argument, and both shapes', () => {
    const t = tf.zeros([2, 3]);
    const u = tf.zeros([2, 4]);
    const rank = thrown(() => assertRank('softCrossEntropy', 'teacherLogits', t, 1));
    expect(rank.code).toBe('SHAPE_MISMATCH');
    expect(rank.message).toBe(
      "softCrossEntropy: 'teacherLogits' must be rank 1, got shape [2, 3] (rank 2).",
    );
    expect(thrown(() => assertShape('f', 'x', t, [null, 10])).message).toBe(
      "f: 'x' must have shape [*, 10], got [2, 3].",
    );
    expect(() => assertShape('f', 'x', t, [null, 3])).not.toThrow();
    expect(thrown(() => assertSameShape('f', 'a', t, 'b', u)).message).toBe(
      "f: 'a' [2, 3] and 'b' [2, 4] must have the same shape.",
    );
    tf.dispose([t, u]);
  });

  it('dtype and range validators say what was expected and what came', () => {
    const ints = tf.tensor1d([1, 2], 'int32');
    const dtype = thrown(() => assertDtype('f', 'logits', ints, ['float32']));
    expect(dtype.code).toBe('DTYPE_MISMATCH');
    expect(dtype.message).toBe("f: 'logits' must be float32, got int32 (shape [2]).");
    ints.dispose();
    expect(thrown(() => assertPositive('f', 'temperature', 0)).message).toBe(
      "f: 'temperature' must be a finite number > 0, got 0.",
    );
    expect(thrown(() => assertInRange('f', 'alpha', 1.5, 0, 1)).message).toBe(
      "f: 'alpha' must be in [0, 1], got 1.5.",
    );
    expect(() => assertInRange('f', 'alpha', Number.NaN, 0, 1)).toThrow('got NaN');
  });

  it('unknown names list the valid ones and suggest the closest', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('hintn', ['hinton', 'dkd', 'fitnets'])).toBe('hinton');
    expect(closestName('zzzzzz', ['hinton', 'dkd'])).toBeUndefined();
    const error = unknownNameError('loss', 'hintn', ['hinton', 'dkd']);
    expect(error.code).toBe('UNKNOWN_NAME');
    expect(error.message).toBe(
      "Unknown loss 'hintn'. Did you mean 'hinton'? Valid loss names: dkd, hinton.",
    );
    const registry = new Map([['a', 1]]);
    expect(lookupByName('model', registry, 'a')).toBe(1);
    expect(() => lookupByName('model', registry, 'b')).toThrow(
      "Unknown model 'b'. Valid model names: a.",
    );
  });
});
