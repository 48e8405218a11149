import { describe, expect, it } from 'vitest';
import { toyDataset } from '../test/toy.js';
import { trainValSplit } from './train-val-split.js';

const counts = (labels: Int32Array, k: number) => {
  const c = new Array(k).fill(0);
  for (const l of labels) c[l]++;
  return c;
};

describe('trainValSplit', () => {
  const ds = toyDataset(30, 2, 2, 1, 3); // 10 per class

  it('stratified: round(valFraction · n_c) of each class to val, the rest to train', () => {
    const { train, val } = trainValSplit(ds, { valFraction: 0.2, seed: 1 });
    expect(counts(val.labels, 3)).toEqual([2, 2, 2]);
    expect(counts(train.labels, 3)).toEqual([8, 8, 8]);
    expect(train.size + val.size).toBe(30);
    expect(val.name).toBe('toy:val');
  });

  it('partitions the examples, copies rows intact and is reproducible from the seed', () => {
    const a = trainValSplit(ds, { valFraction: 0.3, seed: 4, stratified: false });
    expect(a.val.size).toBe(9);
    const rows = (d: typeof ds) =>
      Array.from({ length: d.size }, (_, i) => d.images[i * 4] as number);
    const all = [...rows(a.train), ...rows(a.val)].sort();
    expect(all).toEqual(rows(ds).sort());
    const b = trainValSplit(ds, { valFraction: 0.3, seed: 4, stratified: false });
    expect(b.val.images).toEqual(a.val.images);
    const c = trainValSplit(ds, { valFraction: 0.3, seed: 5, stratified: false });
    expect(c.val.images).not.toEqual(a.val.images);
  });

  it('rejects a fraction outside (0, 1) or one that empties a side', () => {
    expect(() => trainValSplit(ds, { valFraction: 0 })).toThrow(/'valFraction'/);
    expect(() => trainValSplit(ds, { valFraction: 1 })).toThrow(/'valFraction'/);
    expect(() => trainValSplit(ds, { valFraction: 0.01 })).toThrow(/both must be non-empty/);
  });
});
