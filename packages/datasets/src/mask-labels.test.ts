import { describe, expect, it } from 'vitest';
import { toyDataset } from '../test/toy.js';
import { maskLabels } from './mask-labels.js';

describe('maskLabels', () => {
  const ds = toyDataset(300, 2, 2, 1, 3); // 100 per class

  it('stratified: keeps round(fraction · n_c) labels per class, −1 elsewhere; images shared', () => {
    const masked = maskLabels(ds, { fraction: 0.05, seed: 3 });
    expect(masked.images).toBe(ds.images);
    expect(masked.size).toBe(300);
    const kept = [0, 0, 0];
    masked.labels.forEach((l, i) => {
      if (l >= 0) {
        kept[l] = (kept[l] ?? 0) + 1;
        expect(l).toBe(ds.labels[i]);
      } else {
        expect(l).toBe(-1);
      }
    });
    expect(kept).toEqual([5, 5, 5]);
    expect(ds.labels.every((l) => l >= 0)).toBe(true);
  });

  it('reproducible from the seed; unstratified keeps round(fraction · size); at least one per class', () => {
    expect(maskLabels(ds, { fraction: 0.05, seed: 3 }).labels).toEqual(
      maskLabels(ds, { fraction: 0.05, seed: 3 }).labels,
    );
    expect(maskLabels(ds, { fraction: 0.05, seed: 4 }).labels).not.toEqual(
      maskLabels(ds, { fraction: 0.05, seed: 3 }).labels,
    );
    const flat = maskLabels(ds, { fraction: 0.1, seed: 0, stratified: false });
    expect(flat.labels.filter((l) => l >= 0).length).toBe(30);
    const tiny = maskLabels(ds, { fraction: 0.001, seed: 0 });
    expect(tiny.labels.filter((l) => l >= 0).length).toBe(3);
    expect(maskLabels(ds, { fraction: 1 }).labels).toEqual(ds.labels);
    expect(() => maskLabels(ds, { fraction: 0 })).toThrow(/maskLabels: 'fraction'/);
  });
});
