// Inference and training throughput (images/s) of every zoo model at batch 128 on the backend
// that initBackend() picks (KDKIT_BACKEND overrides). One JSON line per figure.
// Usage: pnpm --filter @kdkit/models bench [model ...]   (env: BENCH_SECONDS, BENCH_INPUT=32x32x3)
import { initBackend } from '@kdkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createModel, listModels } from '../src/index.js';

const BATCH = 128;
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 3);
const inputShape = (process.env['BENCH_INPUT'] ?? '28x28x1').split('x').map(Number) as [
  number,
  number,
  number,
];

/** Runs `step` once to warm up, then until `SECONDS` have passed (at least 2 runs). */
async function timeSteps(step: () => Promise<void>): Promise<{ steps: number; ms: number }> {
  await step();
  const start = performance.now();
  let steps = 0;
  while (steps < 2 || performance.now() - start < SECONDS * 1000) {
    await step();
    steps++;
  }
  return { steps, ms: performance.now() - start };
}

function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1))) as tf.Scalar;
}

async function benchModel(name: string, backend: string): Promise<void> {
  const model: tfl.LayersModel = createModel(name, { inputShape, seed: 0 });
  const info = listModels({ inputShape }).find((m) => m.name === name);
  const xs = tf.randomUniform([BATCH, ...inputShape], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labels = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: BATCH }, (_, i) => i % 10),
        'int32',
      ),
      10,
    ),
  ) as tf.Tensor2D;
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(1e-3);
  const base = {
    bench: 'models',
    model: name,
    backend,
    batch: BATCH,
    input: inputShape,
    params: info?.params,
    flops: info?.flops,
  };

  const inference = await timeSteps(async () => {
    const logits = model.predict(xs) as tf.Tensor;
    await logits.data();
    logits.dispose();
  });
  const train = await timeSteps(async () => {
    const loss = optimizer.minimize(
      () => crossEntropy(model.apply(xs, { training: true }) as tf.Tensor2D, labels),
      true,
      variables,
    );
    await loss?.data();
    loss?.dispose();
  });
  for (const [mode, { steps, ms }] of [
    ['inference', inference],
    ['train', train],
  ] as const) {
    console.log(
      JSON.stringify({
        ...base,
        mode,
        imagesPerSecond: Math.round((steps * BATCH * 1000) / ms),
        msPerBatch: Math.round((ms / steps) * 10) / 10,
        steps,
      }),
    );
  }
  optimizer.dispose();
  tf.dispose([xs, labels]);
  model.dispose();
}

const { name: backend } = await initBackend();
const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : listModels().map((m) => m.name);
for (const name of names) await benchModel(name, backend);
