// Property-based fuzzing (fast-check) of every parser that reads user files: IDX (raw and gzip),
// CIFAR binary batches, tar archives. Random and mutated inputs give a valid result or a
// KdkitError naming the file: never another exception, a hang, or a read out of bounds.
// More runs: KDKIT_FUZZ_RUNS=20000 node scripts/fuzz.mjs (from the repository root).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isKdkitError } from '@kdkit/engine';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCifarBytes, makeIdxPair, makeTar } from '../test/fixtures.js';
import { parseCifarBatch } from './cifar.js';
import { parseIdx } from './idx.js';
import { readDataFile } from './node/read-data-file.js';
import { readTar } from './tar.js';

const RUNS = Number(process.env['KDKIT_FUZZ_RUNS'] ?? 300);
const SEED = Number(process.env['KDKIT_FUZZ_SEED'] ?? 17);

/** A seed input, mutated: bytes overwritten, cut, extended, or replaced by random bytes. */
const mutated = (seeds: readonly Uint8Array[]) =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
      )
      .map(([seed, edits]) => {
        const out = seed.slice();
        for (const [at, value] of edits) out[at % Math.max(1, out.length)] = value;
        return out;
      }),
    fc
      .tuple(fc.constantFrom(...seeds), fc.nat())
      .map(([seed, at]) => seed.slice(0, at % (seed.length + 1))),
    fc
      .tuple(fc.constantFrom(...seeds), fc.uint8Array({ minLength: 1, maxLength: 64 }))
      .map(([seed, extra]) => Uint8Array.from([...seed, ...extra])),
    fc.uint8Array({ maxLength: 600 }),
  );

/** Runs `parse` on `input`: a KdkitError naming `file` is a valid outcome, anything else throws. */
function parsesOrRefuses(file: string, parse: () => void): void {
  try {
    parse();
  } catch (error) {
    if (!isKdkitError(error)) throw error;
    expect(error.message).toContain(file);
  }
}

describe('fuzzing the byte parsers (fast-check)', () => {
  const pair = makeIdxPair(5, 4, 3);
  const idxSeeds = [
    pair.imagesIdx,
    pair.labelsIdx,
    gzipSync(pair.imagesIdx),
    gzipSync(pair.labelsIdx),
  ];

  it('parseIdx (raw and gzip)', () => {
    fc.assert(
      fc.property(mutated(idxSeeds), (bytes) =>
        parsesOrRefuses('fuzz.idx', () => {
          const { dims, data } = parseIdx(bytes, 'fuzz.idx');
          expect(data.length).toBe(dims.reduce((a, b) => a * b, 1));
        }),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('parseCifarBatch', () => {
    const { bytes } = makeCifarBytes(2);
    fc.assert(
      fc.property(mutated([bytes]), (input) =>
        parsesOrRefuses('data_batch_1.bin', () => {
          const batch = parseCifarBatch(input, 'data_batch_1.bin');
          expect(batch.pixels.length).toBe(batch.count * 3072);
          expect(batch.labels.every((l) => l < 10)).toBe(true);
        }),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('readTar', () => {
    const tar = makeTar({
      'a/data_batch_1.bin': new Uint8Array(700).fill(7),
      'b.txt': new Uint8Array(3),
    });
    fc.assert(
      fc.property(mutated([tar, gzipSync(tar)]), (input) =>
        parsesOrRefuses('cifar.tar', () => {
          const files = readTar(input, 'cifar.tar');
          for (const data of files.values()) expect(data.length).toBeLessThanOrEqual(input.length);
        }),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('data files that are not files (issue 17 #11)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdkit-datasets-dir-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a directory where a data file is expected is named in the error', async () => {
    await expect(readDataFile(dir)).rejects.toThrow(
      `readDataFile: cannot read '${dir}': it is a directory, not a data file.`,
    );
  });
});
