// Issue 17: interrupts, resume settings, empty data, bad loss results, leaks on a throwing loss.
import { isKdkitError } from '@kdkit/engine';
import type { DistillationLoss } from '@kdkit/losses';
import { describeBackends } from '@kdkit/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { quadrantDataset, testCrossEntropy, tinyMlp, weightsOf } from '../test/fixtures.js';
import { checkpoint } from './callbacks/checkpoint.js';
import { nanGuard } from './callbacks/nan-guard.js';
import { memoryCheckpointStore } from './checkpoint-store.js';
import { distill } from './distill.js';
import { trainSupervised } from './train-supervised.js';
import type { Callback } from './types.js';

const rejects = async (run: () => Promise<unknown>): Promise<Error> => {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

describeBackends(['cpu'], 'training reliability (issue 17)', () => {
  it('#1 an aborted signal stops after the current step, saves it, and the resume is bit-exact', async () => {
    const train = quadrantDataset(48, 1); // 3 batches of 16 per epoch
    const options = { train, epochs: 2, batchSize: 16, seed: 3 } as const;
    const reference = tinyMlp(5);
    await trainSupervised({ ...options, model: reference });

    const model = tinyMlp(5);
    const store = memoryCheckpointStore();
    const controller = new AbortController();
    let steps = 0;
    const abortAtStep4: Callback = {
      onBatchEnd(logs) {
        steps++;
        if (logs.step === 3) controller.abort('Ctrl-C');
      },
    };
    const stopped = await trainSupervised({
      ...options,
      model,
      signal: controller.signal,
      callbacks: [abortAtStep4, checkpoint({ store })],
    });
    expect(steps).toBe(4); // stopped right after the step that saw the abort
    expect(stopped.stop).toMatchObject({ interrupted: true, failed: false, by: 'signal' });
    expect(stopped.stop?.reason).toBe('interrupted (Ctrl-C)');
    expect(stopped.completedEpochs).toBe(1);
    const saved = await store.read();
    expect(saved?.globalStep).toBe(4);
    expect(saved?.partialEpoch?.batches).toBe(1);

    const resumedModel = tinyMlp(99);
    const resumed = await trainSupervised({ ...options, model: resumedModel, resumeFrom: store });
    expect(resumed.completedEpochs).toBe(2);
    expect(weightsOf(resumedModel)).toEqual(weightsOf(reference));
    tf.dispose([reference, model, resumedModel].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it('#2 a resume with other settings is refused, naming each setting and both values', async () => {
    const train = quadrantDataset(32, 1);
    const store = memoryCheckpointStore();
    const model = tinyMlp(1);
    const base = { model, train, batchSize: 16, seed: 0, recipe: { dataset: 'quadrants' } };
    await trainSupervised({ ...base, epochs: 2, callbacks: [checkpoint({ store })] });
    const error = await rejects(() =>
      trainSupervised({
        ...base,
        epochs: 1,
        optimizer: { name: 'adam', learningRate: 0.5 },
        recipe: { dataset: 'other' },
        resumeFrom: store,
      }),
    );
    expect(isKdkitError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('epochs 2 in the checkpoint, 1 now');
    expect(error.message).toContain('learningRates [0.001] in the checkpoint, [0.5] now');
    expect(error.message).toContain('dataset "quadrants" in the checkpoint, "other" now');
  });

  it('#8 an empty training set is refused before any step', async () => {
    const empty = {
      ...quadrantDataset(4, 1),
      images: new Float32Array(0),
      labels: new Int32Array(0),
      size: 0,
    };
    const error = await rejects(() =>
      trainSupervised({ model: tinyMlp(1), train: empty, epochs: 1, batchSize: 4 }),
    );
    expect(isKdkitError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error.message).toContain("'train' holds 0 images");
  });

  it('#5 NaN in the first epoch says there is no checkpoint yet; an exploding loss warns once', async () => {
    const warnings: string[] = [];
    // The loss grows a thousandfold per step, then turns NaN at step 5 (epoch 0).
    const exploding: DistillationLoss = {
      name: 'exploding',
      compute: (ctx) => {
        const { total } = testCrossEntropy.compute(ctx);
        const scale = ctx.step === 5 ? Number.NaN : 1000 ** ctx.step;
        return { total: tf.mul(total, scale) as tf.Scalar };
      },
    };
    const result = await trainSupervised({
      model: tinyMlp(2),
      train: quadrantDataset(64, 1),
      epochs: 3,
      batchSize: 4,
      loss: exploding,
      callbacks: [nanGuard({ warn: (m) => warnings.push(m) })],
    });
    expect(result.stop?.failed).toBe(true);
    expect(result.stop?.reason).toContain('no checkpoint yet');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('the loss is exploding');
  });

  it('#11 a loss returning a number names the loss and asks for tf.Scalar terms', async () => {
    const numeric = { name: 'returns-number', compute: () => 3 } as unknown as DistillationLoss;
    const error = await rejects(() =>
      distill({
        teacher: tinyMlp(1),
        student: tinyMlp(2),
        train: quadrantDataset(16, 1),
        epochs: 1,
        batchSize: 8,
        loss: numeric,
      }),
    );
    expect(isKdkitError(error)).toBe(true);
    expect(error.message).toContain("loss 'returns-number'");
    expect(error.message).toContain('tf.Scalar');
  });

  it('#12 a distill whose loss throws leaks no tensors', async () => {
    const teacher = tinyMlp(1);
    const student = tinyMlp(2);
    const train = quadrantDataset(16, 1);
    let calls = 0;
    const throwing: DistillationLoss = {
      name: 'throws',
      compute: (ctx) => {
        calls++;
        testCrossEntropy.compute(ctx); // make some tensors first
        throw new Error('boom');
      },
    };
    const run = () =>
      rejects(() => distill({ teacher, student, train, epochs: 1, batchSize: 8, loss: throwing }));
    await run(); // warm-up: lazily created state
    const before = tf.memory().numTensors;
    const error = await run();
    expect(error.message).toContain('boom');
    expect(calls).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
