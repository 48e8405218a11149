import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { makeCifarBytes, makeTar, tempDir } from '../../test/fixtures.js';
import { CIFAR10_CLASSES, CIFAR10_NORMALIZATION } from '../classes.js';
import { CIFAR10_SOURCE, loadCifar10 } from './cifar10.js';
import { type FetchLike, sha256Hex } from './download.js';

describe('loadCifar10', () => {
  // Official batch files hold exactly 10,000 records.
  const { bytes, labels } = makeCifarBytes(10_000);
  const dir = tempDir();
  writeFileSync(join(dir, 'test_batch.bin'), bytes);
  writeFileSync(join(dir, 'data_batch_1.bin'), bytes);

  it('reads test_batch.bin: NHWC floats, labels, CIFAR defaults', async () => {
    const ds = await loadCifar10({ split: 'test', dir });
    expect(ds.name).toBe('cifar10/test');
    expect(ds.size).toBe(10_000);
    expect(ds.shape).toEqual([32, 32, 3]);
    expect(ds.classNames).toEqual(CIFAR10_CLASSES);
    expect(ds.labels.subarray(0, 12)).toEqual(Int32Array.from(labels.subarray(0, 12)));
    // Record 1, pixel 0, green channel = byte 1 + 1024 of the record.
    expect(ds.images[3072 + 1]).toBeCloseTo((bytes[3073 + 1025] as number) / 255, 6);
    expect(ds.normalization).toEqual(CIFAR10_NORMALIZATION);
    expect(ds.defaultAugment).toEqual({ cropPadding: 4, horizontalFlip: true });
  });

  it('a train limit reads only the batch files it needs', async () => {
    const ds = await loadCifar10({ split: 'train', dir, limit: 25 });
    expect(ds.size).toBe(25);
    await expect(loadCifar10({ split: 'train', dir })).rejects.toThrow(/lacks data_batch_2\.bin/);
  });

  it('a truncated batch file is rejected, naming it', async () => {
    const bad = tempDir();
    writeFileSync(join(bad, 'test_batch.bin'), bytes.subarray(0, 3073 * 10));
    const error = await loadCifar10({ split: 'test', dir: bad }).catch((e) => e);
    expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
    expect(error.message).toMatch(/test_batch\.bin' holds 10 records; expected 10000/);
  });

  it('refuses a downloaded archive whose SHA-256 is not the official one (injected fetch)', async () => {
    const root = tempDir();
    const archive = gzipSync(
      makeTar({
        'cifar-10-batches-bin/test_batch.bin': bytes,
        'cifar-10-batches-bin/readme.html': new Uint8Array(3),
      }),
    );
    const fetchFn: FetchLike = async () => ({
      ok: true,
      status: 200,
      arrayBuffer: async () => new Uint8Array(archive).buffer,
    });
    const refused = await loadCifar10({
      split: 'test',
      env: {},
      systemDir: join(root, 'sys'),
      cacheDir: join(root, 'cache'),
      fetch: fetchFn,
    }).catch((e) => e);
    expect(isKdkitError(refused, 'DATA_UNAVAILABLE')).toBe(true);
    expect(refused.message).toContain(
      `expected ${(CIFAR10_SOURCE.download as { sha256: string }).sha256}`,
    );
    expect(refused.message).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
    expect(sha256Hex(archive)).not.toBe((CIFAR10_SOURCE.download as { sha256: string }).sha256);
  });
});
