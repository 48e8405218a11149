import { describe, expect, it } from 'vitest';
import { toyDataset } from '../test/toy.js';
import { maskLabels } from './mask-labels.js';
import { subsetPerClass } from './subset-per-class.js';

describe('subsetPerClass', () => {
  const ds = toyDataset(30, 2, 2, 1, 3);

  it('takes exactly n of each class, reproducibly, in dataset order', () => {
    const sub = subsetPerClass(ds, 4, 2);
    expect(sub.size).toBe(12);
    const counts = [0, 0, 0];
    for (const l of sub.labels) counts[l] = (counts[l] ?? 0) + 1;
    expect(counts).toEqual([4, 4, 4]);
    expect(subsetPerClass(ds, 4, 2).images).toEqual(sub.images);
    expect(subsetPerClass(ds, 4, 3).images).not.toEqual(sub.images);
    expect(sub.name).toBe('toy:4-per-class');
  });

  it('leaves unlabelled examples out; too few of a class is an error naming it', () => {
    const masked = maskLabels(ds, { fraction: 0.5, seed: 0 });
    expect(subsetPerClass(masked, 5).size).toBe(15);
    expect(() => subsetPerClass(masked, 6)).toThrow(
      /class 0 \('0'\) has 5 examples in 'toy:labels-0.5', fewer than n = 6/,
    );
    expect(() => subsetPerClass(ds, 0)).toThrow(/'n'/);
  });
});
