// Tiny deterministic data and teachers for the soft-target tests: fast on cpu, and the same in
// every process (the parallel-shard test rebuilds them in child processes).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import { SeededRandom } from '@kdkit/engine';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ShardBuffer, StoreSource } from '../src/source.js';

/** `size` random 4×4×1 images in [0, 1) with labels i mod classes. */
export function randomDataset(size: number, seed: number, classes = 10): ImageDataset {
  const rng = new SeededRandom(seed);
  const images = new Float32Array(size * 16);
  for (let i = 0; i < images.length; i++) images[i] = rng.nextFloat();
  return {
    name: `random-${seed}`,
    images,
    labels: Int32Array.from({ length: size }, (_, i) => i % classes),
    shape: [4, 4, 1],
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, c) => `c${c}`),
    size,
  };
}

/** flatten → dense(hidden, relu) → dense(classes): logits, weights fixed by `seed`. */
export function tinyModel(seed: number, classes = 10, hidden = 16): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [4, 4, 1] }));
  model.add(
    tfl.layers.dense({
      units: hidden,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: classes,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
      biasInitializer: tfl.initializers.randomNormal({ seed: seed + 2 }),
    }),
  );
  return model;
}

export const tempDir = (name: string): Promise<string> =>
  mkdtemp(join(tmpdir(), `kdkit-soft-targets-${name}-`));

/** An in-memory store: files by name, and a log of every byte range read. */
export function memorySource(files: Map<string, ArrayBuffer | unknown>): StoreSource & {
  reads: { file: string; bytes: number }[];
} {
  const reads: { file: string; bytes: number }[] = [];
  return {
    location: 'memory:',
    reads,
    async readJson(name) {
      if (!files.has(name)) throw new Error(`memorySource: no ${name}`);
      return files.get(name);
    },
    async open(name): Promise<ShardBuffer> {
      const data = files.get(name);
      if (!(data instanceof ArrayBuffer)) throw new Error(`memorySource: no shard ${name}`);
      return {
        byteLength: data.byteLength,
        slice(start, end = data.byteLength) {
          reads.push({ file: name, bytes: end - start });
          return data.slice(start, end);
        },
      };
    },
  };
}

/** The store parallel.test.ts writes in one process and in four. */
export const PARALLEL_FIXTURE = {
  size: 203,
  dataSeed: 3,
  modelSeed: 21,
  batchSize: 16,
  rowGroupSize: 10,
} as const;
