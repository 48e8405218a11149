import { expect, it } from 'vitest';
import { expandTopK, topKRows } from './top-k.js';

it('topKRows keeps the k largest logits per row, largest first, ties by lower class', () => {
  const { values, indices } = topKRows(Float32Array.from([1, 3, 2, 5, 5, -1]), 3, 2);
  expect(Array.from(values)).toEqual([3, 2, 5, 5]);
  expect(Array.from(indices)).toEqual([1, 2, 0, 1]);
});

it('expandTopK puts the kept values back and fills the other classes', () => {
  const full = expandTopK(Float32Array.from([3, 2]), Int32Array.from([1, 2]), 2, 4, -9);
  expect(Array.from(full)).toEqual([-9, 3, 2, -9]);
  expect(() => expandTopK(Float32Array.from([3]), Int32Array.from([4]), 1, 4, 0)).toThrow(
    /class index 4/,
  );
});

it('topKRows refuses k > classes', () => {
  expect(() => topKRows(new Float32Array(3), 3, 4)).toThrow(/k ≤ classes/);
});

it('topKRows matches a full sort on random rows with ties', () => {
  const classes = 37;
  const logits = Float32Array.from({ length: classes * 50 }, (_, i) =>
    Math.round(Math.sin(i * 7.1) * 6),
  );
  for (const k of [1, 5, 37]) {
    const { values, indices } = topKRows(logits, classes, k);
    for (let r = 0; r < 50; r++) {
      const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
      const order = row
        .map((_, c) => c)
        .sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
      expect(Array.from(indices.subarray(r * k, (r + 1) * k))).toEqual(order.slice(0, k));
      expect(Array.from(values.subarray(r * k, (r + 1) * k))).toEqual(
        order.slice(0, k).map((c) => row[c]),
      );
    }
  }
});
