// Datasets benchmark: prints one JSON line per figure.
//   pnpm --filter @kdkit/datasets bench
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@kdkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { batches } from '../src/batches.js';
import { parseIdx } from '../src/idx.js';
import { loadFashionMnist } from '../src/node/fashion-mnist.js';

const DIR = process.env['KDKIT_BENCH_FASHION_DIR'] ?? '/usr/share/datasets/fashion-mnist';
const REPEATS = 3;

function emit(figure: Record<string, unknown>): void {
  console.log(JSON.stringify({ package: '@kdkit/datasets', ...figure }));
}

function best(times: number[]): number {
  return Math.min(...times);
}

async function main(): Promise<void> {
  await initBackend('cpu', { log: false });

  const imagesPath = join(DIR, 'train-images-idx3-ubyte.gz');
  const compressed = readFileSync(imagesPath);
  const parseTimes: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    parseIdx(compressed, imagesPath, 3);
    parseTimes.push(performance.now() - t0);
  }
  emit({
    figure: 'parse_idx_gz_ms',
    what: 'gunzip + check Fashion-MNIST train images (26 MB gz → 47 MB), best of 3',
    value: Number(best(parseTimes).toFixed(1)),
    unit: 'ms',
  });

  const loadTimes: number[] = [];
  let ds = await loadFashionMnist({ split: 'train', dir: DIR });
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    ds = await loadFashionMnist({ split: 'train', dir: DIR });
    loadTimes.push(performance.now() - t0);
  }
  emit({
    figure: 'load_fashion_mnist_train_ms',
    what: 'loadFashionMnist train: read + parse both files + convert 47M pixels to float32, best of 3',
    value: Number(best(loadTimes).toFixed(1)),
    unit: 'ms',
  });

  const runs = [
    ['cpu', false],
    ['cpu', { cropPadding: 2, horizontalFlip: true }],
    ['wasm', false],
  ] as const;
  for (const [backend, augment] of runs) {
    await initBackend(backend, { log: false });
    const epochTimes: number[] = [];
    let count = 0;
    for (let r = 0; r < REPEATS; r++) {
      count = 0;
      const t0 = performance.now();
      for (const b of batches(ds, { batchSize: 128, seed: 0, epoch: r, augment })) {
        count++;
        tf.dispose([b.xs, b.labels]);
      }
      epochTimes.push(performance.now() - t0);
    }
    const ms = best(epochTimes);
    emit({
      figure: `${augment === false ? 'epoch_batches_ms' : 'epoch_batches_augmented_ms'}_${backend}`,
      what: `one shuffled epoch of 60,000 at batch 128 (${count} batches, tensors made and disposed, backend ${tf.getBackend()}${augment === false ? '' : ', crop 2 + flip'}), best of 3`,
      value: Number(ms.toFixed(1)),
      unit: 'ms',
      imagesPerSecond: Math.round(60_000 / (ms / 1000)),
    });
  }
}

await main();
