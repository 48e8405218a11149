import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { quadrantDataset, testCrossEntropy, tinyMlp } from '../test/fixtures.js';
import { evaluate } from './evaluate.js';
import { trainSupervised } from './train-supervised.js';
import type { StopRequest } from './types.js';

describeBackends(['cpu', 'wasm'], 'trainSupervised', () => {
  it('learns: the loss goes down and accuracy is far above chance', async () => {
    const train = quadrantDataset(96, 1);
    const model = tinyMlp(3);
    const { history, completedEpochs } = await trainSupervised({
      model,
      train,
      validation: quadrantDataset(48, 2),
      epochs: 6,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.03 },
      seed: 5,
    });
    expect(completedEpochs).toBe(6);
    const first = history[0]?.losses['total'] ?? 0;
    const last = history[5]?.losses['total'] ?? 0;
    expect(last).toBeLessThan(first * 0.5);
    expect(history[5]?.validation?.['accuracy']).toBeGreaterThan(0.9);
    const { accuracy } = await evaluate(model, quadrantDataset(60, 3));
    expect(accuracy).toBeGreaterThan(0.9); // chance is 1/3
    model.dispose();
  });

  it('cosine schedule restores the base learning rate and still learns', async () => {
    const model = tinyMlp(4);
    const { history } = await trainSupervised({
      model,
      train: quadrantDataset(48, 1),
      epochs: 3,
      batchSize: 16,
      optimizer: { name: 'momentum', learningRate: 0.1 },
      lrSchedule: 'cosine',
    });
    expect(history[0]?.learningRate).toBeLessThan(0.1);
    expect(history[2]?.learningRate).toBeLessThan(history[0]?.learningRate ?? 0);
    expect(history[2]?.losses['total']).toBeLessThan(history[0]?.losses['total'] ?? 0);
    model.dispose();
  });

  it('rejects a model that does not fit the dataset, naming both shapes', async () => {
    const model = tinyMlp(1, { classes: 5 });
    const error = await trainSupervised({
      model,
      train: quadrantDataset(8, 1),
      epochs: 1,
      batchSize: 4,
    }).catch((e: unknown) => e);
    expect(isKdkitError(error, 'SHAPE_MISMATCH')).toBe(true);
    expect(String(error)).toMatch(/predicts 5 classes.*3 classes/);
    model.dispose();
  });

  it('a throwing step still reaches onTrainEnd (with a failed stop), then rethrows', async () => {
    const model = tinyMlp(2);
    let ended: StopRequest | undefined;
    const error = await trainSupervised({
      model,
      train: quadrantDataset(16, 1),
      epochs: 2,
      batchSize: 8,
      loss: {
        name: 'broken',
        compute: (ctx) => {
          if (ctx.step === 1) throw new Error('boom');
          return testCrossEntropy.compute(ctx);
        },
      },
      callbacks: [
        {
          onTrainEnd: (state) => {
            ended = state.stop;
          },
        },
      ],
    }).catch((e: unknown) => e);
    expect(String(error)).toContain('boom');
    expect(ended).toMatchObject({ failed: true, reason: 'trainSupervised: boom' });
    model.dispose();
  });

  it('leaks no tensors across a multi-epoch run', async () => {
    const model = tinyMlp(2);
    const train = quadrantDataset(24, 1);
    await expectNoLeaks(() =>
      trainSupervised({
        model,
        train,
        validation: train,
        epochs: 2,
        batchSize: 8,
        optimizer: 'adam',
        lrSchedule: 'cosine',
      }),
    );
    model.dispose();
  });
});
