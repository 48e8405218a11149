import type { DistillationLoss } from '@kdkit/losses';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { quadrantDataset, testCrossEntropy, tinyMlp, weightsOf } from '../../test/fixtures.js';
import { memoryCheckpointStore } from '../checkpoint-store.js';
import { trainSupervised } from '../train-supervised.js';
import type { Callback } from '../types.js';
import { checkpoint } from './checkpoint.js';
import { nanGuard } from './nan-guard.js';

describeBackends(['cpu', 'wasm'], 'nanGuard', () => {
  it('stops at the NaN step, names step and term, and keeps the last good checkpoint', async () => {
    // 40 samples / 16 = 3 batches per epoch; step 4 is epoch 1, batch 1.
    const poisoned: DistillationLoss = {
      name: 'poisoned',
      compute: (ctx) => {
        const { total, ce } = testCrossEntropy.compute(ctx);
        const bad =
          ctx.step === 4
            ? (tf.mul(ce as tf.Scalar, Number.NaN) as tf.Scalar)
            : (tf.mul(ce as tf.Scalar, 0.5) as tf.Scalar);
        return { total: tf.add(total, bad) as tf.Scalar, ce: ce as tf.Scalar, aux: bad };
      },
    };
    const model = tinyMlp(3);
    const store = memoryCheckpointStore();
    let afterEpoch0: Float32Array[] = [];
    const snapshot: Callback = {
      onEpochEnd: (logs) => {
        if (logs.epoch === 0) afterEpoch0 = weightsOf(model);
      },
    };
    let batchesSeen = 0;
    const counter: Callback = { onBatchEnd: () => void batchesSeen++ };
    const result = await trainSupervised({
      model,
      train: quadrantDataset(40, 1),
      epochs: 3,
      batchSize: 16,
      loss: poisoned,
      callbacks: [snapshot, checkpoint({ store }), nanGuard(), counter],
    });
    expect(result.stop?.failed).toBe(true);
    expect(result.stop?.by).toBe('nanGuard');
    expect(result.stop?.reason).toMatch(/loss term 'total' is NaN at step 4 \(epoch 1, batch 1\)/);
    expect(result.completedEpochs).toBe(1);
    expect(result.history).toHaveLength(1);
    expect(batchesSeen).toBe(5); // stopped right after the poisoned batch
    const saved = (await store.read())!;
    expect(saved.completedEpochs).toBe(1);
    expect(saved.models[0]?.weights.map((w) => Array.from(w.values))).toEqual(
      afterEpoch0.map((w) => Array.from(w)),
    );
    expect(weightsOf(model).some((w) => w.some(Number.isNaN))).toBe(true); // live weights are ruined
    model.dispose();
  });
});
