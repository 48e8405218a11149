import type { DistillationLoss } from '@kdkit/losses';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { quadrantDataset, tinyMlp } from '../../test/fixtures.js';
import { trainSupervised } from '../train-supervised.js';
import { earlyStopping } from './early-stopping.js';

/** A loss whose value never changes (its gradient is zero): nothing ever improves. */
const flat: DistillationLoss = {
  name: 'flat',
  compute: (ctx) => ({ total: tf.add(tf.mul(tf.sum(ctx.student), 0), 1) as tf.Scalar }),
};

describeBackends(['cpu'], 'earlyStopping', () => {
  it('stops after `patience` epochs without improvement', async () => {
    const model = tinyMlp(3);
    const result = await trainSupervised({
      model,
      train: quadrantDataset(16, 1),
      epochs: 10,
      batchSize: 8,
      loss: flat,
      callbacks: [earlyStopping({ monitor: 'losses.total', patience: 2 })],
    });
    expect(result.completedEpochs).toBe(3);
    expect(result.stop).toMatchObject({ by: 'earlyStopping', failed: false });
    model.dispose();
  });

  it('names the available values when the monitor is missing', async () => {
    const model = tinyMlp(3);
    const error = await trainSupervised({
      model,
      train: quadrantDataset(16, 1),
      epochs: 1,
      batchSize: 8,
      loss: flat,
      callbacks: [earlyStopping({ monitor: 'validation.accuracy' })],
    }).catch((e: unknown) => e);
    expect(String(error)).toMatch(
      /'validation.accuracy' is not in the epoch logs; available: losses.total/,
    );
    model.dispose();
  });
});
