import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES } from '../classes.js';
import { MINI_MANIFEST } from '../mini-manifest.js';
import { sha256Hex } from './download.js';
import { loadFashionMnistMini, MINI_ASSETS_URL } from './mini.js';

function classCounts(labels: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

describe('the embedded Fashion-MNIST mini set', () => {
  it('ships four assets whose SHA-256 matches the manifest, plus the MIT attribution', () => {
    const names = Object.keys(MINI_MANIFEST.sha256).sort();
    expect(names).toEqual([
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
    ]);
    let total = 0;
    for (const name of names) {
      const bytes = readFileSync(fileURLToPath(new URL(name, MINI_ASSETS_URL)));
      total += bytes.length;
      expect(sha256Hex(bytes), name).toBe(MINI_MANIFEST.sha256[name]);
      expect(sha256Hex(gunzipSync(bytes)), name).toBe(MINI_MANIFEST.idxSha256[name]);
    }
    expect(total).toBeLessThan(2_000_000);
    const license = readFileSync(
      fileURLToPath(new URL('LICENSE-fashion-mnist.txt', MINI_ASSETS_URL)),
      'utf8',
    );
    expect(license).toMatch(/MIT License/);
    expect(license).toMatch(/Zalando SE/);
  });

  it('train: 300 per class, 28×28×1, values in [0, 1]', async () => {
    const ds = await loadFashionMnistMini({ split: 'train' });
    expect(ds.name).toBe('fashion-mnist-mini/train');
    expect(ds.size).toBe(10 * MINI_MANIFEST.perClass.train);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASSES);
    expect(classCounts(ds.labels)).toEqual(new Array(10).fill(MINI_MANIFEST.perClass.train));
    expect(ds.images.every((v) => v >= 0 && v <= 1)).toBe(true);
    // Real images: not blank, mean pixel near Fashion-MNIST's 0.286.
    const mean = ds.images.reduce((a, b) => a + b, 0) / ds.images.length;
    expect(mean).toBeGreaterThan(0.2);
    expect(mean).toBeLessThan(0.4);
  });

  it('test: 100 per class; the classes are interleaved (original order kept)', async () => {
    const ds = await loadFashionMnistMini({ split: 'test' });
    expect(ds.size).toBe(10 * MINI_MANIFEST.perClass.test);
    expect(classCounts(ds.labels)).toEqual(new Array(10).fill(MINI_MANIFEST.perClass.test));
    expect(new Set(ds.labels.subarray(0, 50)).size).toBeGreaterThan(5);
  });

  it('limit keeps the first examples', async () => {
    const ds = await loadFashionMnistMini({ split: 'test', limit: 10 });
    expect(ds.size).toBe(10);
  });
});
