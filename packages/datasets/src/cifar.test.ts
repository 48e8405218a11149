import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { makeCifarBytes } from '../test/fixtures.js';
import { parseCifarBatch } from './cifar.js';

describe('parseCifarBatch', () => {
  it('reads labels and transposes the R, G, B planes to NHWC', () => {
    const { bytes, labels } = makeCifarBytes(3);
    const batch = parseCifarBatch(bytes, 'x.bin', 3);
    expect(batch.count).toBe(3);
    expect(Array.from(batch.labels)).toEqual(Array.from(labels));
    // Record 2, pixel (row 5, col 7) = plane offset 5 * 32 + 7.
    const record = 2 * 3073;
    const p = 5 * 32 + 7;
    const at = 2 * 3072 + 3 * p;
    expect(batch.pixels[at]).toBe(bytes[record + 1 + p]);
    expect(batch.pixels[at + 1]).toBe(bytes[record + 1 + 1024 + p]);
    expect(batch.pixels[at + 2]).toBe(bytes[record + 1 + 2048 + p]);
  });

  it.each([
    ['truncated', (b: Uint8Array) => b.subarray(0, b.length - 100), /not a whole number/],
    ['empty', () => new Uint8Array(0), /is empty/],
    [
      'a label ≥ 10',
      (b: Uint8Array) => {
        const bad = b.slice();
        bad[3073] = 10;
        return bad;
      },
      /record 1 has label 10/,
    ],
  ] as const)('rejects a batch that is %s', (_, mutate, pattern) => {
    const { bytes } = makeCifarBytes(3);
    try {
      parseCifarBatch(mutate(bytes), 'x.bin');
      expect.unreachable();
    } catch (error) {
      expect(isKdkitError(error, 'CORRUPT_FILE')).toBe(true);
      expect((error as Error).message).toMatch(/'x\.bin'/);
      expect((error as Error).message).toMatch(pattern);
    }
  });

  it('rejects a wrong record count', () => {
    const { bytes } = makeCifarBytes(3);
    expect(() => parseCifarBatch(bytes, 'x.bin', 10_000)).toThrow(
      /holds 3 records; expected 10000/,
    );
  });
});
