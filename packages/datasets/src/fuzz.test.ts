// Random and mutated bytes must give a clean KdkitError (or, for a harmless mutation, a result
// consistent with its header): never another exception, a hang or a crash.
import { gzipSync } from 'node:zlib';
import { isKdkitError, SeededRandom } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { makeCifarBytes, makeIdxPair } from '../test/fixtures.js';
import { parseCifarBatch } from './cifar.js';
import { parseIdx } from './idx.js';
import { idxPairToDataset } from './idx-dataset.js';

const ITERATIONS = 400;

function mutate(rng: SeededRandom, source: Uint8Array): Uint8Array {
  switch (rng.nextInt(4)) {
    case 0: {
      const out = source.slice();
      const flips = 1 + rng.nextInt(4);
      for (let k = 0; k < flips; k++) out[rng.nextInt(out.length)] = rng.nextInt(256);
      return out;
    }
    case 1:
      return source.slice(0, rng.nextInt(source.length));
    case 2: {
      const extra = Uint8Array.from({ length: 1 + rng.nextInt(64) }, () => rng.nextInt(256));
      const out = new Uint8Array(source.length + extra.length);
      out.set(source);
      out.set(extra, source.length);
      return out;
    }
    default:
      return Uint8Array.from({ length: rng.nextInt(300) }, () => rng.nextInt(256));
  }
}

/** Runs `parse` on mutated inputs; returns how many were rejected. */
function fuzz(seed: number, sources: Uint8Array[], parse: (bytes: Uint8Array) => void): number {
  const rng = new SeededRandom(seed);
  let rejected = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(rng, sources[rng.nextInt(sources.length)] as Uint8Array);
    try {
      parse(input);
    } catch (error) {
      if (!isKdkitError(error)) {
        throw new Error(`iteration ${i}: not a KdkitError: ${String(error)}`, { cause: error });
      }
      rejected++;
    }
  }
  return rejected;
}

describe('parsers under random and mutated bytes', () => {
  const pair = makeIdxPair(6, 5, 4);
  const idxSources = [
    pair.imagesIdx,
    pair.labelsIdx,
    gzipSync(pair.imagesIdx),
    gzipSync(pair.labelsIdx),
  ];

  it('parseIdx: a result consistent with its header, or a KdkitError', () => {
    const rejected = fuzz(1, idxSources, (bytes) => {
      const { dims, data } = parseIdx(bytes, 'fuzz.idx');
      expect(data.length).toBe(dims.reduce((a, b) => a * b, 1));
    });
    expect(rejected).toBeGreaterThan(ITERATIONS / 2);
  });

  it('idxPairToDataset: a valid dataset, or a KdkitError', () => {
    const rng = new SeededRandom(2);
    const rejected = fuzz(3, [pair.imagesIdx, gzipSync(pair.imagesIdx)], (images) => {
      const labels = rng.nextFloat() < 0.5 ? pair.labelsIdx : mutate(rng, pair.labelsIdx);
      const ds = idxPairToDataset(images, 'i', labels, 'l', {
        name: 'fuzz',
        classNames: ['a'].concat(Array(9).fill('x')),
      });
      expect(ds.images.length).toBe(ds.size * ds.shape[0] * ds.shape[1] * ds.shape[2]);
    });
    expect(rejected).toBeGreaterThan(ITERATIONS / 2);
  });

  it('parseCifarBatch: a result of whole records, or a KdkitError', () => {
    const { bytes } = makeCifarBytes(2);
    const rejected = fuzz(4, [bytes], (input) => {
      const batch = parseCifarBatch(input, 'fuzz.bin');
      expect(batch.pixels.length).toBe(batch.count * 3072);
    });
    expect(rejected).toBeGreaterThan(ITERATIONS / 2);
  });
});
