// Fuzzing the checkpoint decoder (fast-check), and issue 17 #12: temporary files that a killed
// run left beside its checkpoint are removed on the next start.
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isKdkitError } from '@kdkit/engine';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckpointData, decodeCheckpoint, encodeCheckpoint } from '../checkpoint-io.js';
import { fileCheckpointStore } from './file-checkpoint-store.js';

const RUNS = Number(process.env['KDKIT_FUZZ_RUNS'] ?? 300);
const SEED = Number(process.env['KDKIT_FUZZ_SEED'] ?? 17);

const sample: CheckpointData = {
  kind: 'distill',
  completedEpochs: 1,
  globalStep: 3,
  seed: 0,
  rng: { s0: 1, s1: 2, s2: 3, s3: 4 } as unknown as CheckpointData['rng'],
  history: [{ epoch: 0, losses: { total: 1 }, imagesPerSecond: 1, seconds: 1 }],
  recipe: { lr: 0.001 },
  partialEpoch: { batches: 1, images: 4, sums: { total: 2 } },
  models: [
    {
      name: 'student',
      weights: [{ name: '0:w', shape: [2, 2], dtype: 'float32', values: new Float32Array(4) }],
      extra: [],
    },
  ],
  optimizers: [
    {
      className: 'Adam',
      extra: { accBeta1: 0.9 },
      weights: [{ name: 'iter', shape: [], dtype: 'int32', values: new Int32Array(1) }],
    },
  ],
};

const concat = (chunks: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
};

/** The bytes of a checkpoint whose JSON header is `header` (any value) and `payload` after it. */
function withHeader(header: unknown, payload: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(header) ?? 'null');
  const padded = Math.ceil(text.length / 4) * 4;
  const prefix = new Uint8Array(12 + padded).fill(0x20);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, 0x434b444b, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, padded, true);
  prefix.set(text, 12);
  return concat([prefix, payload]);
}

describe('decodeCheckpoint under random and mutated bytes (fast-check)', () => {
  const good = concat(encodeCheckpoint(sample));

  it('round-trips a checkpoint', () => {
    const back = decodeCheckpoint(good, 'x.kdkc');
    expect(back.partialEpoch).toEqual(sample.partialEpoch);
    expect(back.recipe).toEqual(sample.recipe);
    expect(Array.from(back.models[0]?.weights[0]?.values ?? [])).toEqual([0, 0, 0, 0]);
  });

  it('mutated bytes and random headers decode validly or give CORRUPT_FILE naming the file', () => {
    const header = JSON.parse(
      new TextDecoder().decode(
        good.subarray(12, 12 + new DataView(good.buffer).getUint32(8, true)),
      ),
    );
    const payload = good.subarray(good.length - 20);
    const input = fc.oneof(
      fc
        .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })
        .map((edits) => {
          const out = good.slice();
          for (const [at, value] of edits) out[at % out.length] = value;
          return out;
        }),
      fc.nat({ max: good.length }).map((n) => good.slice(0, n)),
      fc.jsonValue().map((value) => withHeader(value, payload)),
      fc
        .tuple(fc.constantFrom(...Object.keys(header)), fc.jsonValue())
        .map(([key, value]) => withHeader({ ...header, [key]: value }, payload)),
      fc.uint8Array({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        try {
          const data = decodeCheckpoint(bytes, 'fuzz.kdkc');
          for (const model of data.models)
            for (const w of model.weights)
              expect(w.values.length).toBe(w.shape.reduce((a, b) => a * b, 1));
        } catch (error) {
          expect(isKdkitError(error, 'CORRUPT_FILE'), String(error)).toBe(true);
          expect((error as Error).message).toContain('fuzz.kdkc');
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('fileCheckpointStore after kills (issue 17 #12)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdkit-checkpoint-temps-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("removes dead processes' and outdated temp files, keeps live ones", async () => {
    const store = fileCheckpointStore(dir);
    await store.write(sample);
    const dead = '.checkpoint.kdkc.tmp-999999999-abcd1234'; // no such pid
    const liveOld = `.checkpoint.kdkc.tmp-${process.ppid}-00000000`; // alive, older than the checkpoint
    const liveNew = `.checkpoint.kdkc.tmp-${process.ppid}-11111111`; // alive, newer: a write under way
    for (const name of [dead, liveOld, liveNew]) await writeFile(join(dir, name), 'x');
    const past = new Date(Date.now() - 3_600_000);
    await utimes(join(dir, liveOld), past, past);
    const future = new Date(Date.now() + 3_600_000);
    await utimes(join(dir, liveNew), future, future);
    const next = fileCheckpointStore(dir); // the next start
    expect((await next.read())?.globalStep).toBe(3);
    expect((await readdir(dir)).sort()).toEqual([liveNew, 'checkpoint.kdkc'].sort());
  });

  it('a checkpoint directory that is a file is named in the error', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    await expect(fileCheckpointStore(file).read()).rejects.toThrow(`'${file}' is a file`);
  });
});
