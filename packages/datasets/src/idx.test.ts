import { gzipSync } from 'node:zlib';
import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { makeIdxPair } from '../test/fixtures.js';
import { encodeIdx, isGzip, parseIdx } from './idx.js';

function expectCorrupt(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isKdkitError(error, 'CORRUPT_FILE'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/'bad\.idx'/);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  expect.unreachable('expected a CORRUPT_FILE error');
}

describe('parseIdx', () => {
  const { imagesIdx, pixels } = makeIdxPair(5, 4, 3);

  it('reads a raw file: dims from the header, data byte for byte', () => {
    const parsed = parseIdx(imagesIdx, 'ok.idx', 3);
    expect(parsed.dims).toEqual([5, 4, 3]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
  });

  it('reads the same file gzipped (detected by magic)', () => {
    const gz = gzipSync(imagesIdx);
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(imagesIdx)).toBe(false);
    const parsed = parseIdx(gz, 'ok.idx.gz');
    expect(parsed.dims).toEqual([5, 4, 3]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
  });

  it('rejects a bad magic number', () => {
    const bad = imagesIdx.slice();
    bad[0] = 0x12;
    expectCorrupt(() => parseIdx(bad, 'bad.idx'), /bad magic number \(12 00 08 03\)/);
  });

  it('rejects a wrong dtype, naming it', () => {
    const bad = imagesIdx.slice();
    bad[2] = 0x0d;
    expectCorrupt(() => parseIdx(bad, 'bad.idx'), /dtype 0x0d \(float32\); expected 0x08/);
  });

  it('rejects truncated data, in the header or the payload, gzipped or raw', () => {
    expectCorrupt(
      () => parseIdx(imagesIdx.subarray(0, 10), 'bad.idx'),
      /truncated inside its header/,
    );
    expectCorrupt(
      () => parseIdx(imagesIdx.subarray(0, imagesIdx.length - 1), 'bad.idx'),
      /truncated: .*needs 60 data bytes, found 59/,
    );
    const gz = gzipSync(imagesIdx);
    expectCorrupt(() => parseIdx(gz.subarray(0, gz.length - 12), 'bad.idx'), /not a valid gzip/);
  });

  it('rejects a wrong count (header smaller than the data)', () => {
    const bad = imagesIdx.slice();
    bad[7] = 4; // 5 → 4 images
    expectCorrupt(() => parseIdx(bad, 'bad.idx'), /12 bytes beyond what its header \[4, 4, 3\]/);
  });

  it('rejects a wrong rank and an empty file', () => {
    expectCorrupt(() => parseIdx(imagesIdx, 'bad.idx', 1), /has 3 dimensions; expected 1/);
    expectCorrupt(() => parseIdx(new Uint8Array(0), 'bad.idx'), /too short/);
  });

  it('encodeIdx refuses data that does not match dims', () => {
    expect(() => encodeIdx(new Uint8Array(5), [2, 3])).toThrow(/need 6/);
  });
});
