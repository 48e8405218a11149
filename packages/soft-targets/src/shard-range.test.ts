import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { parseShardSpec, shardBaseName, shardRange } from './shard-range.js';

describe('shardRange', () => {
  it('tiles [0, size) with contiguous ranges that differ by at most one id', () => {
    for (const [size, of] of [
      [10, 4],
      [3, 5],
      [60_000, 7],
    ] as const) {
      const ranges = Array.from({ length: of }, (_, shard) => shardRange(size, { shard, of }));
      expect(ranges[0]?.start).toBe(0);
      expect(ranges[of - 1]?.end).toBe(size);
      ranges.slice(1).forEach((r, i) => {
        expect(r.start).toBe(ranges[i]?.end);
      });
      const lengths = ranges.map((r) => r.end - r.start);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
    }
    expect(shardRange(10, { shard: 1, of: 4 })).toEqual({ start: 2, end: 5 });
  });

  it('refuses a shard outside 0…N−1', () => {
    expect(() => shardRange(10, { shard: 4, of: 4 })).toThrow(/0 to 3/);
  });
});

describe('parseShardSpec', () => {
  it("parses 'I/N' and refuses anything else", () => {
    expect(parseShardSpec('3/8')).toEqual({ shard: 3, of: 8 });
    for (const bad of ['8/8', '1', '-1/4', 'a/b', '0/0']) {
      let error: unknown;
      try {
        parseShardSpec(bad);
      } catch (e) {
        error = e;
      }
      expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('names shard files with zero-padded numbers', () => {
    expect(shardBaseName({ shard: 3, of: 12 })).toBe('part-00003-of-00012');
  });
});
