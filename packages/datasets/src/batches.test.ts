import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { toyDataset } from '../test/toy.js';
import { batches, countBatches } from './batches.js';
import type { BatchOptions, ImageDataset } from './types.js';

function collect(ds: ImageDataset, options: BatchOptions) {
  const out: {
    xs: Float32Array;
    labels: Int32Array;
    indices: Int32Array;
    shape: number[];
    key?: string;
    labelDtype: string;
  }[] = [];
  for (const b of batches(ds, options)) {
    out.push({
      xs: b.xs.dataSync() as Float32Array,
      labels: b.labels.dataSync() as Int32Array,
      indices: b.indices,
      shape: b.xs.shape,
      labelDtype: b.labels.dtype,
      ...(b.augmentationKey === undefined ? {} : { key: b.augmentationKey }),
    });
    tf.dispose([b.xs, b.labels]);
  }
  return out;
}

const order = (bs: ReturnType<typeof collect>) => bs.flatMap((b) => Array.from(b.indices));

describeBackends(['cpu', 'wasm'], 'batches', () => {
  const ds = toyDataset(10);
  const per = 12;
  /** Each sample's pixels, by dataset index. */
  const byIndex = (bs: ReturnType<typeof collect>) => {
    const rows = new Map<number, number[]>();
    for (const b of bs) {
      b.indices.forEach((index, r) => {
        rows.set(index, Array.from(b.xs.subarray(r * per, (r + 1) * per)));
      });
    }
    return rows;
  };

  it('yields every example once, rows copied from the dataset, labels int32', () => {
    const bs = collect(ds, { batchSize: 4, seed: 3 });
    expect(bs.map((b) => b.shape)).toEqual([
      [4, 3, 4, 1],
      [4, 3, 4, 1],
      [2, 3, 4, 1],
    ]);
    expect(order(bs).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const b of bs) {
      expect(b.labelDtype).toBe('int32');
      b.indices.forEach((index, row) => {
        expect(b.labels[row]).toBe(ds.labels[index]);
        expect(b.xs.subarray(row * per, (row + 1) * per)).toEqual(
          ds.images.subarray(index * per, (index + 1) * per),
        );
      });
    }
    expect(countBatches(ds, { batchSize: 4 })).toBe(3);
  });

  it('same seed and epoch → same order; another epoch or seed → another order', () => {
    const a = order(collect(ds, { batchSize: 3, seed: 7, epoch: 2 }));
    expect(order(collect(ds, { batchSize: 3, seed: 7, epoch: 2 }))).toEqual(a);
    expect(order(collect(ds, { batchSize: 5, seed: 7, epoch: 2 }))).toEqual(a);
    expect(order(collect(ds, { batchSize: 3, seed: 7, epoch: 3 }))).not.toEqual(a);
    expect(order(collect(ds, { batchSize: 3, seed: 8, epoch: 2 }))).not.toEqual(a);
  });

  it('shuffle: false keeps dataset order; dropRemainder drops the short batch', () => {
    const bs = collect(ds, { batchSize: 4, shuffle: false, dropRemainder: true });
    expect(order(bs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(countBatches(ds, { batchSize: 4, dropRemainder: true })).toBe(2);
  });

  it('applies the dataset normalization: (x − mean) / std', () => {
    const normalized = { ...ds, normalization: { mean: [0.5], std: [0.25] } };
    const [b] = collect(normalized, { batchSize: 10, shuffle: false });
    const expected = Array.from(ds.images, (v) => (v - 0.5) / 0.25);
    expect(b?.xs).toBeAllClose(expected, { atol: 1e-6 });
  });

  it('augmentation is deterministic per (seed, epoch, index), whatever the batch size', () => {
    const augment = { cropPadding: 1, horizontalFlip: true };
    const a = collect(ds, { batchSize: 3, seed: 1, epoch: 4, augment });
    const b = collect(ds, { batchSize: 7, seed: 1, epoch: 4, augment });
    expect(byIndex(b)).toEqual(byIndex(a));
    expect(a[0]?.key).toBe('seed=1;epoch=4;crop=1;flip=1');
    const c = collect(ds, { batchSize: 3, seed: 1, epoch: 5, augment });
    expect(byIndex(c)).not.toEqual(byIndex(a));
    expect(c[0]?.key).toBe('seed=1;epoch=5;crop=1;flip=1');
    expect(collect(ds, { batchSize: 3, augment: false })[0]?.key).toBeUndefined();
  });

  it('without views, augmented pixels are those drawn before views existed', () => {
    // Computed with the code before `views` (toy values × 96; 0 = cropped-in padding).
    const before = [
      {
        indices: [3, 2, 0, 1],
        key: 'seed=1;epoch=0;crop=1;flip=1',
        pixels: [
          0, 0, 0, 0, 24, 23, 22, 21, 28, 27, 26, 25, 0, 0, 0, 0, 17, 16, 15, 14, 21, 20, 19, 18, 0,
          0, 0, 0, 2, 1, 0, 0, 6, 5, 4, 0, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14,
        ],
      },
      {
        indices: [2, 1, 0, 3],
        key: 'seed=1;epoch=1;crop=1;flip=1',
        pixels: [
          0, 0, 0, 0, 16, 15, 14, 0, 20, 19, 18, 0, 0, 0, 0, 0, 0, 10, 9, 8, 0, 14, 13, 12, 0, 0, 0,
          0, 2, 1, 0, 0, 6, 5, 4, 0, 0, 0, 0, 0, 24, 23, 22, 21, 28, 27, 26, 25,
        ],
      },
    ];
    const augment = { cropPadding: 1, horizontalFlip: true };
    before.forEach((expected, epoch) => {
      const [b, more] = collect(toyDataset(4), { batchSize: 4, seed: 1, epoch, augment });
      expect(more).toBeUndefined();
      expect(Array.from(b?.indices ?? [])).toEqual(expected.indices);
      expect(b?.key).toBe(expected.key);
      expect(Array.from(b?.xs ?? [], (v) => Math.round(v * 96))).toEqual(expected.pixels);
    });
  });

  it('views: V repeats each image exactly every V epochs, in a new order, with the view as key', () => {
    const views = 2;
    const augment = { cropPadding: 1, horizontalFlip: true, views };
    const epochs = [0, 1, 2, 3, 4].map((epoch) =>
      collect(ds, { batchSize: 3, seed: 1, epoch, augment }),
    );
    const pixels = epochs.map(byIndex);
    for (let e = 0; e + views < epochs.length; e++) {
      expect(pixels[e + views]).toEqual(pixels[e]);
      expect(order(epochs[e + views] ?? [])).not.toEqual(order(epochs[e] ?? []));
      expect(epochs[e + views]?.[0]?.key).toBe(epochs[e]?.[0]?.key);
    }
    // The two views differ, and view v is what an unlimited run draws in epoch v.
    const changed = [...(pixels[0]?.keys() ?? [])].filter(
      (i) => JSON.stringify(pixels[0]?.get(i)) !== JSON.stringify(pixels[1]?.get(i)),
    );
    expect(changed.length).toBeGreaterThan(ds.size / 2);
    const unlimited = { cropPadding: 1, horizontalFlip: true };
    expect(pixels[3]).toEqual(
      byIndex(collect(ds, { batchSize: 3, seed: 1, epoch: 1, augment: unlimited })),
    );
    expect(epochs[3]?.[0]?.key).toBe('seed=1;view=1;crop=1;flip=1');
  });

  it('erase: 1 zeroes one rectangle of every image, a different one per epoch, keyed', () => {
    const ones = { ...ds, images: new Float32Array(ds.images.length).fill(1) };
    const zeroed = (epoch: number) =>
      collect(ones, { batchSize: 4, epoch, augment: { erase: 1 } }).flatMap((b) =>
        Array.from({ length: b.indices.length }, (_, r) =>
          Array.from(b.xs.subarray(r * per, (r + 1) * per), (v) => (v === 0 ? 1 : 0)).join(''),
        ),
      );
    const first = zeroed(0);
    // Every image has a zeroed rectangle and keeps some ones (at most 40% of 12 pixels, rounded).
    expect(first.every((mask) => mask.includes('1') && mask.includes('0'))).toBe(true);
    expect(zeroed(0)).toEqual(first);
    expect(zeroed(1)).not.toEqual(first);
    expect(collect(ones, { batchSize: 10, augment: { erase: 1 } })[0]?.key).toBe(
      'seed=0;epoch=0;crop=0;flip=0;erase=1',
    );
  });

  it('uses the dataset default augmentation unless augment: false', () => {
    const withDefault = { ...ds, defaultAugment: { horizontalFlip: true } };
    expect(collect(withDefault, { batchSize: 10 })[0]?.key).toBe('seed=0;epoch=0;crop=0;flip=1');
    expect(collect(withDefault, { batchSize: 10, augment: false })[0]?.key).toBeUndefined();
  });

  it('rejects bad options, naming them', () => {
    expect(() => batches(ds, { batchSize: 0 })).toThrow(
      /batches: 'batchSize' must be an integer ≥ 1, got 0/,
    );
    expect(() => batches(ds, { batchSize: 2, seed: -1 })).toThrow(/'seed'/);
    expect(() => batches(ds, { batchSize: 2, epoch: 1.5 })).toThrow(/'epoch'/);
    expect(() => batches(ds, { batchSize: 2, augment: { cropPadding: -1 } })).toThrow(
      /'augment.cropPadding'/,
    );
    expect(() =>
      batches(ds, { batchSize: 2, augment: { horizontalFlip: true, views: 0 } }),
    ).toThrow(/batches: 'augment.views' must be a positive integer/);
  });

  it('each batch owns its tensors: earlier batches keep their values while later ones are made', () => {
    const held = [...batches(ds, { batchSize: 3, shuffle: false })];
    held.forEach((b, k) => {
      expect(b.xs.dataSync()).toEqual(
        ds.images.subarray(k * 3 * per, (k * 3 + b.indices.length) * per),
      );
      tf.dispose([b.xs, b.labels]);
    });
  });

  it('leaks no tensors once the consumer disposes each batch', async () => {
    await expectNoLeaks(() => {
      const kept: tf.Tensor[] = [];
      for (const b of batches(ds, {
        batchSize: 4,
        augment: { cropPadding: 2, horizontalFlip: true },
      }))
        kept.push(b.xs, b.labels);
      return kept;
    });
  });
});
