import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { tempDir, writeIdxSplit } from '../../test/fixtures.js';
import { MNIST_CLASSES } from '../classes.js';
import { loadMnist } from './mnist.js';

describe('loadMnist', () => {
  it('reads raw (not gzipped) files found under $KDKIT_DATA_DIR/mnist', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'mnist'));
    const pair = writeIdxSplit(join(root, 'mnist'), 'train', 7, { gzip: false });
    const ds = await loadMnist({ split: 'train', env: { KDKIT_DATA_DIR: root }, download: false });
    expect(ds.name).toBe('mnist/train');
    expect(ds.size).toBe(7);
    expect(ds.classNames).toEqual(MNIST_CLASSES);
    expect(Array.from(ds.labels)).toEqual(Array.from(pair.labels));
  });

  it('accepts unzipped files with the unzipped names (train-images-idx3-ubyte)', async () => {
    const dir = tempDir();
    writeIdxSplit(dir, 'test', 4, { gzip: false, unzippedNames: true });
    const ds = await loadMnist({ split: 'test', dir });
    expect(ds.size).toBe(4);
  });

  it('with no copy and no network, says how to get it', async () => {
    const root = tempDir();
    const error = await loadMnist({
      split: 'test',
      env: {},
      systemDir: join(root, 'system'),
      cacheDir: join(root, 'cache'),
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    }).catch((e) => e);
    expect(isKdkitError(error, 'DATA_UNAVAILABLE')).toBe(true);
    expect(error.message).toMatch(
      /^loadMnist: MNIST files \(t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz\) not found/,
    );
    expect(error.message).toContain(
      'https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz: fetch failed',
    );
    expect(error.message).toContain("pass { dir: '<that directory>' }");
  });
});
