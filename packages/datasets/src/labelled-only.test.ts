import { describe, expect, it } from 'vitest';
import { fromArrays } from './from-arrays.js';
import { labelledOnly } from './labelled-only.js';

describe('labelledOnly', () => {
  it('keeps the labelled examples, in order, with their images', () => {
    const images = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const ds = fromArrays(images, [2, -1, 0, -1], { shape: [1, 1, 1], numClasses: 3, name: 'd' });
    const out = labelledOnly(ds);
    expect(out.size).toBe(2);
    expect(Array.from(out.labels)).toEqual([2, 0]);
    expect(out.images[0]).toBeCloseTo(0.1, 6);
    expect(out.images[1]).toBeCloseTo(0.3, 6);
    expect(out.name).toBe('d:labelled');
    expect(out.shape).toEqual([1, 1, 1]);
  });
});
