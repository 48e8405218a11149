import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { fromArrays } from './from-arrays.js';

describe('fromArrays', () => {
  it('wraps Float32Array images without copying; labels become int32', () => {
    const images = new Float32Array(2 * 2 * 2 * 1).fill(0.5);
    const ds = fromArrays(images, [1, -1], { shape: [2, 2, 1], numClasses: 3 });
    expect(ds.images).toBe(images);
    expect(ds.labels).toEqual(Int32Array.from([1, -1]));
    expect(ds.size).toBe(2);
    expect(ds.classNames).toEqual(['0', '1', '2']);
    expect(ds.name).toBe('custom');
  });

  it('scales Uint8Array images by 1/255', () => {
    const ds = fromArrays(new Uint8Array([0, 51, 255]), [0], { shape: [1, 1, 3], numClasses: 1 });
    expect(Array.from(ds.images)).toEqual([0, 0.2, 1].map((v) => Math.fround(v)));
  });

  it.each([
    [
      'a wrong image length',
      new Float32Array(3),
      [0],
      { shape: [2, 1, 1], numClasses: 2 },
      /'images' has 3 values, but 1 labels × \[2, 1, 1\] needs 2/,
    ],
    [
      'a pixel > 1',
      new Float32Array([0, 2]),
      [0],
      { shape: [2, 1, 1], numClasses: 2 },
      /'images\[1\]' is 2/,
    ],
    [
      'a NaN pixel',
      new Float32Array([0, Number.NaN]),
      [0],
      { shape: [2, 1, 1], numClasses: 2 },
      /'images\[1\]' is NaN/,
    ],
    [
      'a label ≥ numClasses',
      new Float32Array(2),
      [2],
      { shape: [2, 1, 1], numClasses: 2 },
      /'labels\[0\]' is 2/,
    ],
    [
      'a fractional label',
      new Float32Array(2),
      [0.5],
      { shape: [2, 1, 1], numClasses: 2 },
      /'labels\[0\]' is 0.5/,
    ],
    [
      'classNames of the wrong length',
      new Float32Array(2),
      [0],
      { shape: [2, 1, 1], numClasses: 2, classNames: ['a'] },
      /'classNames' has 1 names/,
    ],
    [
      'a bad shape',
      new Float32Array(2),
      [0],
      { shape: [2, 1] as unknown as [number, number, number], numClasses: 2 },
      /'shape' must be \[height, width, channels\]/,
    ],
    [
      'bad normalization',
      new Float32Array(2),
      [0],
      { shape: [2, 1, 1], numClasses: 2, normalization: { mean: [0], std: [0] } },
      /'normalization'/,
    ],
  ] as const)('rejects %s', (_, images, labels, options, pattern) => {
    try {
      fromArrays(images, labels, options);
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^fromArrays: /);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});
