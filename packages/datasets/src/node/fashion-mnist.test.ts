import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { tempDir, writeIdxSplit } from '../../test/fixtures.js';
import { FASHION_MNIST_CLASSES } from '../classes.js';
import { loadFashionMnist } from './fashion-mnist.js';

const DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

function classCounts(labels: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

describe('loadFashionMnist from a directory', () => {
  const dir = tempDir();
  const pair = writeIdxSplit(dir, 'test', 12);

  it('reads a split from dir: shape, [0, 1] floats, labels, class names', async () => {
    const ds = await loadFashionMnist({ split: 'test', dir });
    expect(ds.name).toBe('fashion-mnist/test');
    expect(ds.size).toBe(12);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(ds.images[100]).toBeCloseTo((pair.pixels[100] as number) / 255, 6);
    expect(Array.from(ds.labels)).toEqual(Array.from(pair.labels));
  });

  it('limit keeps the first examples', async () => {
    const ds = await loadFashionMnist({ split: 'test', dir, limit: 5 });
    expect(ds.size).toBe(5);
    expect(ds.images.length).toBe(5 * 784);
  });

  it('rejects a bad split or limit, and a dir without the split', async () => {
    await expect(loadFashionMnist({ split: 'val' as 'test', dir })).rejects.toThrow(
      /'split' must be one of 'train', 'test'/,
    );
    await expect(loadFashionMnist({ split: 'test', dir, limit: 0 })).rejects.toThrow(/'limit'/);
    const error = await loadFashionMnist({ split: 'train', dir }).catch((e) => e);
    expect(isKdkitError(error, 'FILE_NOT_FOUND')).toBe(true);
    expect(error.message).toMatch(/train-images-idx3-ubyte\.gz/);
  });

  it('images and labels with different counts are rejected, naming both files', async () => {
    const other = tempDir();
    writeIdxSplit(other, 'test', 12);
    const shorter = tempDir();
    writeIdxSplit(shorter, 'test', 11);
    writeFileSync(
      join(other, 't10k-labels-idx1-ubyte.gz'),
      readFileSync(join(shorter, 't10k-labels-idx1-ubyte.gz')),
    );
    const error = await loadFashionMnist({ split: 'test', dir: other }).catch((e) => e);
    expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
    expect(error.message).toMatch(
      /t10k-labels-idx1-ubyte\.gz' holds 11 labels but '.*t10k-images-idx3-ubyte\.gz' holds 12 images/,
    );
  });
});

describe('the real Fashion-MNIST (Debian package dataset-fashion-mnist)', () => {
  it('is installed', () => {
    expect(
      existsSync(DEBIAN_DIR),
      `Fashion-MNIST is missing from ${DEBIAN_DIR}: run 'sudo apt-get install dataset-fashion-mnist' (CI installs it).`,
    ).toBe(true);
  });

  it('train: 60,000 images of 28×28×1, 6,000 per class, values in [0, 1]', async () => {
    const ds = await loadFashionMnist({
      split: 'train',
      systemDir: '/usr/share/datasets',
      env: {},
      download: false,
    });
    expect(ds.size).toBe(60_000);
    expect(ds.images.length).toBe(60_000 * 784);
    expect(classCounts(ds.labels)).toEqual(new Array(10).fill(6_000));
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < ds.images.length; i += 97) {
      const v = ds.images[i] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('test: 10,000 images, 1,000 per class', async () => {
    const ds = await loadFashionMnist({ split: 'test', env: {}, download: false });
    expect(ds.size).toBe(10_000);
    expect(classCounts(ds.labels)).toEqual(new Array(10).fill(1_000));
  });
});
