// Forward + backward time of KD losses at batch 128 and 1000 classes. One JSON line per figure.
// Backend: wasm by default (KDKIT_BACKEND or argv[2] overrides), chosen through @kdkit/backend.
import { performance } from 'node:perf_hooks';
import { type BackendPreference, initBackend } from '@kdkit/backend';
import * as tf from '@tensorflow/tfjs-core';
// Bare tfjs-core has no gradients; tfjs-layers registers them.
import '@tensorflow/tfjs-layers';
import { getLoss } from '../src/index.js';
import type { LossContext } from '../src/types.js';

const BATCH = 128;
const CLASSES = 1000;
const WARMUP = 3;
const ITERATIONS = 20;

function randomLogits(seed: number): tf.Tensor2D {
  return tf.tidy(
    () => tf.mul(tf.randomNormal([BATCH, CLASSES], 0, 1, 'float32', seed), 3) as tf.Tensor2D,
  );
}

async function main(): Promise<void> {
  const backend = await initBackend((process.argv[2] ?? 'wasm') as BackendPreference, {
    log: false,
  });
  const labelValues = Int32Array.from({ length: BATCH }, (_, i) =>
    i % 4 === 3 ? -1 : (i * 37) % CLASSES,
  );
  const base: LossContext = {
    student: randomLogits(1),
    teacher: randomLogits(2),
    teachers: [randomLogits(3), randomLogits(4)],
    labels: tf.tensor1d(labelValues, 'int32'),
    epoch: 0,
    step: 0,
  };
  const cases: [string, Record<string, unknown>][] = [
    ['hinton', {}],
    ['hinton', { allowProbabilities: true }],
    ['kl', {}],
    ['mse', {}],
    ['dkd', {}],
    ['multi-teacher', {}],
    ['ce', {}],
  ];
  for (const [name, options] of cases) {
    const loss = getLoss(name, options);
    const step = (): void => {
      const { value, grads } = tf.valueAndGrads(
        (x: tf.Tensor) => loss.compute({ ...base, student: x as tf.Tensor2D }).total,
      )([base.student]);
      value.dataSync();
      (grads[0] as tf.Tensor).dataSync();
      tf.dispose([value, ...grads]);
    };
    for (let i = 0; i < WARMUP; i++) step();
    const times: number[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      const start = performance.now();
      step();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      JSON.stringify({
        bench: 'losses/forward+backward',
        loss: name,
        options,
        backend: backend.name,
        batch: BATCH,
        classes: CLASSES,
        iterations: ITERATIONS,
        medianMs: Number(median.toFixed(3)),
        meanMs: Number(mean.toFixed(3)),
        minMs: Number((times[0] ?? Number.NaN).toFixed(3)),
      }),
    );
  }
  tf.dispose([base.student, base.teacher, ...(base.teachers ?? []), base.labels] as tf.Tensor[]);
}

await main();
