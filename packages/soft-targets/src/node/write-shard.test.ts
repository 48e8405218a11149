import { readdir, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends } from '@kdkit/test-utils';
import { layersTeacher } from '@kdkit/trainers';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomDataset, tempDir, tinyModel } from '../../test/fixtures.js';
import { mergeStore, softTargetStore, type WriteShardOptions, writeShard } from './index.js';

const data = randomDataset(50, 7);
let model: LayersModel;
let common: Omit<WriteShardOptions, 'shard' | 'of' | 'out'>;

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describeBackends(['cpu'], 'writeShard / mergeStore', () => {
  let out: string;
  beforeAll(async () => {
    out = await tempDir('write');
    model = tinyModel(11);
    const teacher = layersTeacher(model, { name: 'tiny' });
    common = { teacher, teacherHash: 'h1', dataset: data, batchSize: 8, rowGroupSize: 6 };
  });
  afterAll(() => model.dispose());

  it('writes shards atomically, skips finished ones, and merges them into a store', async () => {
    const first = await writeShard({ ...common, shard: 1, of: 3, out, topK: 3 });
    expect(first).toMatchObject({ start: 16, end: 33, rows: 17, skipped: false });
    const before = (await stat(first.file)).mtimeMs;
    const again = await writeShard({ ...common, shard: 1, of: 3, out, topK: 3 });
    expect(again.skipped).toBe(true);
    expect((await stat(first.file)).mtimeMs).toBe(before);

    const missing = await errorOf(mergeStore(out));
    expect(isKdkitError(missing, 'FILE_NOT_FOUND')).toBe(true);
    expect(missing.message).toMatch(/lacks 2 of 3 shards: 0, 2/);
    await expect(softTargetStore(out)).rejects.toThrow(/kdkit soft-targets merge/);

    await writeShard({ ...common, shard: 0, of: 3, out, topK: 3 });
    await writeShard({ ...common, shard: 2, of: 3, out, topK: 3 });
    expect((await readdir(out)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const manifest = await mergeStore(out);
    expect(manifest.shards.map((s) => s.rows)).toEqual([16, 17, 17]);
    expect(manifest).toMatchObject({ k: 3, numClasses: 10, dataset: { size: 50 } });

    const store = await softTargetStore(out);
    await store.checkDataset(data);
    const logits = await store.lookup(Int32Array.from([49, 0]));
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
  });

  it('refuses to mix another teacher into the folder', async () => {
    const error = await errorOf(
      writeShard({ ...common, teacherHash: 'h2', shard: 0, of: 3, out, topK: 3 }),
    );
    expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toMatch(/belongs to another store/);
  });

  it('rewrites a shard whose file no longer matches its hash', async () => {
    const path = join(out, 'part-00002-of-00003.parquet');
    const good = await readFile(path);
    await writeFile(path, good.subarray(0, 100));
    const rerun = await writeShard({ ...common, shard: 2, of: 3, out, topK: 3 });
    expect(rerun.skipped).toBe(false);
    expect(await readFile(path)).toEqual(good);
  });

  it('names a corrupt or missing shard file', async () => {
    const path = join(out, 'part-00000-of-00003.parquet');
    const good = await readFile(path);
    await truncate(path, good.length - 10);
    const corrupt = await errorOf(mergeStore(out));
    expect(isKdkitError(corrupt, 'CORRUPT_FILE')).toBe(true);
    expect(corrupt.message).toContain(path);
    // the reader names it too (byte count against the manifest)
    const store = await softTargetStore(out);
    const read = await errorOf(store.checkDataset(data));
    expect(isKdkitError(read, 'CORRUPT_FILE')).toBe(true);
    expect(read.message).toContain(path);

    await unlink(path);
    const gone = await errorOf(mergeStore(out));
    expect(isKdkitError(gone, 'FILE_NOT_FOUND')).toBe(true);
    expect(gone.message).toContain(path);
    const unreadable = await errorOf((await softTargetStore(out)).checkDataset(data));
    expect(isKdkitError(unreadable, 'FILE_NOT_FOUND')).toBe(true);
    expect(unreadable.message).toContain(path);
    await writeFile(path, good);
  });
});
