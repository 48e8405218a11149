import { createHash } from 'node:crypto';
import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { TeacherCache } from '@kdkit/trainers';
import type * as tf from '@tensorflow/tfjs-core';
import type { ByteWriter } from 'hyparquet-writer';
import { expect, it } from 'vitest';
import { memorySource } from '../test/fixtures.js';
import { TOP_K_FILL } from './columns.js';
import { MANIFEST_FILE, type StoreManifest } from './manifest.js';
import { ShardWriter } from './shard-writer.js';
import { openSoftTargetStore } from './soft-target-store.js';

const CLASSES = 4;
/** Logit j of sample i: distinct and exactly representable. */
const logitOf = (i: number, j: number) => i * 8 + j - (j === 2 ? 100 : 0);

/** A store of `size` samples in `shards` shards (ids in each shard in the given order). */
async function buildStore(
  size: number,
  shardIds: number[][],
  options: { topK?: number; rowGroupSize?: number } = {},
) {
  const files = new Map<string, unknown>();
  const shards = [];
  for (const [s, ids] of shardIds.entries()) {
    const writer = new ShardWriter({ numClasses: CLASSES, ...options });
    const logits = Float32Array.from(ids.flatMap((i) => [0, 1, 2, 3].map((j) => logitOf(i, j))));
    await writer.append({ ids: Int32Array.from(ids), logits });
    const buffer = ((await writer.finish()) as ByteWriter).getBuffer();
    const file = `part-${s}.parquet`;
    files.set(file, buffer);
    const sha256 = createHash('sha256').update(new Uint8Array(buffer)).digest('hex');
    shards.push({
      file,
      rows: ids.length,
      bytes: buffer.byteLength,
      sha256,
      shard: s,
      of: shardIds.length,
    });
  }
  const manifest: StoreManifest = {
    format: 'kdkit-soft-targets',
    version: 1,
    teacher: { name: 'tiny', hash: 'h' },
    dataset: { name: 'd', size },
    numClasses: CLASSES,
    k: options.topK ?? null,
    shards,
  };
  files.set(MANIFEST_FILE, manifest);
  return memorySource(files);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describeBackends(['cpu'], 'SoftTargetStore', () => {
  it('lookup serves a batch by dataset ids, across shards and row groups', async () => {
    const store = await openSoftTargetStore(
      await buildStore(10, [range(0, 5), range(5, 10).reverse()], { rowGroupSize: 2 }),
    );
    const batch = Int32Array.from([7, 0, 9, 4]);
    const logits = await store.lookup(batch);
    expect(logits.shape).toEqual([4, CLASSES]);
    expect(Array.from(logits.dataSync())).toEqual(
      Array.from(batch).flatMap((i) => [0, 1, 2, 3].map((j) => logitOf(i, j))),
    );
    logits.dispose();
    await expect(store.lookup(Int32Array.from([10]))).rejects.toThrow(/outside \[0, 10\)/);
  });

  it('fills a TeacherCache that then serves the stored logits', async () => {
    const store = await openSoftTargetStore(await buildStore(6, [range(0, 3), range(3, 6)]));
    const cache = new TeacherCache(6, CLASSES);
    await store.fillCache(cache);
    const hit = cache.lookup(Int32Array.from([5, 1])) as tf.Tensor2D;
    expect(Array.from(hit.dataSync())).toEqual(
      [5, 1].flatMap((i) => [0, 1, 2, 3].map((j) => logitOf(i, j))),
    );
    hit.dispose();
  });

  it('expands top-k rows with the fill value for the classes left out', async () => {
    const store = await openSoftTargetStore(await buildStore(2, [[0, 1]], { topK: 2 }));
    expect(store.k).toBe(2);
    const logits = await store.lookup(Int32Array.from([1]));
    // row 1: [8, 9, -90, 11] → top 2 are classes 3 and 1
    expect(Array.from(logits.dataSync())).toEqual([TOP_K_FILL, 9, TOP_K_FILL, 11]);
    logits.dispose();
  });

  it('refuses a dataset of another size or number of classes, before reading any shard', async () => {
    const source = await buildStore(6, [range(0, 6)]);
    const store = await openSoftTargetStore(source);
    const cache = new TeacherCache(7, CLASSES);
    let error: unknown;
    try {
      await store.fillCache(cache);
    } catch (e) {
      error = e;
    }
    expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect((error as Error).message).toMatch(/6 samples\).*has 7 samples/);
    await expect(store.checkDataset({ size: 6, numClasses: 3 })).rejects.toThrow(/4 classes/);
    expect(source.reads).toEqual([]);
  });

  it('names missing and duplicate ids and their shards', async () => {
    const gap = await openSoftTargetStore(await buildStore(6, [range(0, 2), range(3, 6)]));
    await expect(gap.checkDataset({ size: 6, numClasses: CLASSES })).rejects.toThrow(
      /1 missing id: 2 \(id 2 belongs in shard 0\/2/,
    );
    const twice = await openSoftTargetStore(await buildStore(4, [range(0, 3), range(2, 4)]));
    await expect(twice.checkDataset({ size: 4, numClasses: CLASSES })).rejects.toThrow(
      /duplicate ids: 2 \(part-0\.parquet and part-1\.parquet\)/,
    );
  });

  it('streams a store larger than its memory budget, one row group at a time', async () => {
    // ~20 row groups of 64 rows × 4 floats; budget: 3 row groups' bytes
    const source = await buildStore(1280, [range(0, 640), range(640, 1280)], { rowGroupSize: 64 });
    const store = await openSoftTargetStore(source, { footerFetchBytes: 1024 });
    const storeBytes = store.manifest.shards.reduce((s, e) => s + e.bytes, 0);
    const budget = Math.ceil((3 * storeBytes) / 20);
    expect(storeBytes).toBeGreaterThan(3 * budget);
    let seen = 0;
    let largestChunk = 0;
    const bytesAtFirstChunk: number[] = [];
    for await (const chunk of store.chunks()) {
      if (seen === 0) bytesAtFirstChunk.push(source.reads.reduce((s, r) => s + r.bytes, 0));
      largestChunk = Math.max(largestChunk, chunk.rows);
      seen += chunk.rows;
    }
    expect(seen).toBe(1280);
    expect(largestChunk).toBe(64);
    // nothing read ahead: the first row group came with less than the budget read
    expect(bytesAtFirstChunk[0]).toBeLessThan(budget);
    // no single read larger than the budget, though the reads add up to the whole store
    expect(Math.max(...source.reads.map((r) => r.bytes))).toBeLessThan(budget);
    expect(source.reads.reduce((s, r) => s + r.bytes, 0)).toBeGreaterThan(storeBytes * 0.9);
  });

  it('lookup leaks no tensors', async () => {
    const store = await openSoftTargetStore(await buildStore(4, [range(0, 4)], { topK: 1 }));
    await expectNoLeaks(() => store.lookup(Int32Array.from([3, 1])));
  });
});
