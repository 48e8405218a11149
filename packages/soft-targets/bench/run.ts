// Soft-target store throughput: write (teacher stub → Parquet shard on disk) and streaming read,
// for full logits and top-10, at 10 and 1000 classes. Prints one JSON line per measurement.
// Run: pnpm --filter @kdkit/soft-targets bench
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageDataset } from '@kdkit/datasets';
import * as tf from '@tensorflow/tfjs-core';
import type { LogitsTeacher } from '../src/index.js';
import { mergeStore, softTargetStore, writeShard } from '../src/node/index.js';

const configs = [
  { classes: 10, topK: undefined, rows: 200_000 },
  { classes: 1000, topK: 10, rows: 100_000 },
  { classes: 1000, topK: undefined, rows: 5_000 },
] as const;

/** A stand-in teacher: seeded normal logits (σ = 3); costs little next to the store. */
const stubTeacher = (classes: number): LogitsTeacher => {
  let seed = 1;
  return {
    name: 'stub',
    logits: (xs) => tf.randomNormal([xs.shape[0], classes], 0, 3, 'float32', seed++) as tf.Tensor2D,
  };
};

const tinyImages = (size: number, classes: number): ImageDataset => ({
  name: 'bench',
  images: new Float32Array(size),
  labels: new Int32Array(size),
  shape: [1, 1, 1],
  numClasses: classes,
  classNames: Array.from({ length: classes }, (_, c) => String(c)),
  size,
});

await tf.setBackend('cpu');
for (const { classes, topK, rows } of configs) {
  const dir = await mkdtemp(join(tmpdir(), 'kdkit-soft-targets-bench-'));
  try {
    const dataset = tinyImages(rows, classes);
    let started = performance.now();
    const written = await writeShard({
      teacher: stubTeacher(classes),
      teacherHash: 'stub',
      dataset,
      shard: 0,
      of: 1,
      out: dir,
      batchSize: 1024,
      ...(topK === undefined ? {} : { topK }),
    });
    const writeSeconds = (performance.now() - started) / 1000;
    await mergeStore(dir);
    const store = await softTargetStore(dir);
    started = performance.now();
    let read = 0;
    for await (const chunk of store.chunks()) read += chunk.rows;
    const readSeconds = (performance.now() - started) / 1000;
    const common = {
      bench: 'soft-targets',
      classes,
      k: topK ?? 'all',
      rows,
      bytes: written.bytes,
      bytesPerMillionSamples: Math.round((written.bytes / rows) * 1e6),
    };
    const line = (op: string, seconds: number, n: number) =>
      console.log(
        JSON.stringify({
          ...common,
          op,
          seconds: Number(seconds.toFixed(3)),
          rowsPerSecond: Math.round(n / seconds),
          megabytesPerSecond: Number((written.bytes / 1e6 / seconds).toFixed(2)),
        }),
      );
    line('write', writeSeconds, rows);
    line('read', readSeconds, read);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
