import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectAllClose, expectNoLeaks } from '@kdkit/test-utils';
import type * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { TeacherCache } from './teacher-cache.js';

const logSoftmax = (row: number[]) => {
  const max = Math.max(...row);
  const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
  return row.map((v) => v - lse);
};

describeBackends(['cpu'], 'TeacherCache', () => {
  it('is keyed by dataset index, not by batch position', () => {
    const cache = new TeacherCache(5, 2);
    cache.store(Int32Array.from([3, 0]), Float32Array.from([30, 31, 0, 1]));
    const hit = cache.lookup(Int32Array.from([0, 3])) as tf.Tensor2D;
    expectAllClose(hit, [
      [0, 1],
      [30, 31],
    ]);
    hit.dispose();
    expect(cache.lookup(Int32Array.from([0, 1]))).toBeUndefined(); // 1 never stored
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 2 });
  });

  it('misses under another augmentation key and drops old entries when one is stored', () => {
    const cache = new TeacherCache(2, 2);
    cache.store(Int32Array.from([0, 1]), Float32Array.from([1, 2, 3, 4]), 'epoch=0');
    expect(cache.lookup(Int32Array.from([0]), 'epoch=1')).toBeUndefined();
    expect(cache.lookup(Int32Array.from([0]))).toBeUndefined();
    cache.store(Int32Array.from([0]), Float32Array.from([9, 9]), 'epoch=1');
    expect(cache.lookup(Int32Array.from([1]), 'epoch=1')).toBeUndefined();
    const hit = cache.lookup(Int32Array.from([0]), 'epoch=1') as tf.Tensor2D;
    expectAllClose(hit, [[9, 9]]);
    hit.dispose();
  });

  it('with views: V holds V keys at once and drops the least recently used for one more', () => {
    const cache = new TeacherCache(2, 2, { views: 2 });
    const bytesPerSlot = 2 * 2 * 4 + 2;
    expect(cache.bytes).toBe(bytesPerSlot); // the '' slot; others are allocated when first stored
    const served = (key: string) => {
      const hit = cache.lookup(Int32Array.from([0, 1]), key);
      const values = hit ? Array.from(hit.dataSync()) : undefined;
      hit?.dispose();
      return values;
    };
    cache.store(Int32Array.from([0, 1]), Float32Array.from([1, 2, 3, 4]), 'view=0');
    cache.store(Int32Array.from([0, 1]), Float32Array.from([5, 6, 7, 8]), 'view=1');
    expect(cache.bytes).toBe(2 * bytesPerSlot); // 'view=1' reused the least recently used '' slot
    expect(served('view=0')).toEqual([1, 2, 3, 4]);
    expect(served('view=1')).toEqual([5, 6, 7, 8]);
    expect(served('')).toBeUndefined();
    // 'view=0' was used before 'view=1' last: a third key takes its slot, emptied.
    cache.store(Int32Array.from([1]), Float32Array.from([9, 9]), 'view=2');
    expect(served('view=0')).toBeUndefined();
    expect(served('view=1')).toEqual([5, 6, 7, 8]);
    expect(cache.lookup(Int32Array.from([0]), 'view=2')).toBeUndefined(); // not stored under view=2
    expect(served('view=2')).toBeUndefined();
    expect(cache.bytes).toBe(2 * bytesPerSlot);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 6, misses: 7 });
  });

  it('top-k works per view', () => {
    const cache = new TeacherCache(1, 3, { topK: 1, views: 2 });
    const rows = { a: [3, 0, 1], b: [-1, 4, 2] };
    cache.store(Int32Array.from([0]), Float32Array.from(rows.a), 'a');
    cache.store(Int32Array.from([0]), Float32Array.from(rows.b), 'b');
    for (const [key, row] of Object.entries(rows)) {
      const hit = cache.lookup(Int32Array.from([0]), key) as tf.Tensor2D;
      const rebuilt = Array.from(hit.dataSync());
      hit.dispose();
      const top = row.indexOf(Math.max(...row));
      expect(rebuilt[top]).toBeCloseTo(row[top] ?? 0, 6);
      const p = logSoftmax(row).map(Math.exp);
      const q = logSoftmax(rebuilt).map(Math.exp);
      expect(q[top]).toBeCloseTo(p[top] ?? 0, 6);
    }
    expect(() => new TeacherCache(1, 3, { views: 0 })).toThrow(
      /TeacherCache: 'views' must be an integer ≥ 1, got 0/,
    );
  });

  it('top-k keeps the k largest logits exactly and the residual probability mass', () => {
    const row = [2, -1, 0.5, 3, -2];
    const cache = new TeacherCache(1, 5, { topK: 2 });
    expect(cache.k).toBe(2);
    const served = cache.fill(Int32Array.from([0]), Float32Array.from(row));
    const rebuilt = Array.from(served.dataSync());
    served.dispose();
    expect(rebuilt[3]).toBeCloseTo(3, 6);
    expect(rebuilt[0]).toBeCloseTo(2, 6);
    const p = logSoftmax(row).map(Math.exp);
    const q = logSoftmax(rebuilt).map(Math.exp);
    expect(q[3]).toBeCloseTo(p[3] ?? 0, 6);
    expect(q[0]).toBeCloseTo(p[0] ?? 0, 6);
    const rest = (v: number[]) => (v[1] ?? 0) + (v[2] ?? 0) + (v[4] ?? 0);
    expect(rest(q)).toBeCloseTo(rest(p), 6);
    expect(rebuilt[1]).toBeCloseTo(rebuilt[4] ?? 0, 6);
  });

  it('refuses indices outside the dataset and logits of the wrong size', () => {
    const cache = new TeacherCache(4, 3);
    const outside = (() => {
      try {
        cache.lookup(Int32Array.from([4]));
      } catch (e) {
        return e;
      }
    })();
    expect(isKdkitError(outside, 'OUT_OF_RANGE')).toBe(true);
    expect(() => cache.store(Int32Array.from([0]), new Float32Array(2))).toThrow(/3 classes/);
  });

  it('leaks no tensors', async () => {
    const cache = new TeacherCache(4, 3, { topK: 1 });
    await expectNoLeaks(() => cache.fill(Int32Array.from([1, 2]), new Float32Array(6)));
    const views = new TeacherCache(4, 3, { views: 2 });
    await expectNoLeaks(() => [
      views.fill(Int32Array.from([1, 2]), new Float32Array(6), 'view=0'),
      views.fill(Int32Array.from([1, 2]), new Float32Array(6), 'view=1'),
      views.lookup(Int32Array.from([2, 1]), 'view=0') as tf.Tensor2D,
    ]);
  });
});
