import { isKdkitError } from '@kdkit/engine';
import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import {
  disposeModels,
  quadrantDataset,
  stopAfter,
  testCrossEntropy,
  tinyMlp,
  weightsOf,
} from '../../test/fixtures.js';
import { memoryCheckpointStore } from '../checkpoint-store.js';
import { distill } from '../distill.js';
import { mutualLearning } from '../mutual-learning.js';
import { trainSupervised } from '../train-supervised.js';
import type { OptimizerSpec } from '../types.js';
import { checkpoint } from './checkpoint.js';

describeBackends(['cpu', 'wasm'], 'checkpoint + resumeFrom', () => {
  const train = quadrantDataset(40, 1);
  const common = { train, epochs: 4, batchSize: 16, seed: 7, loss: testCrossEntropy };

  for (const optimizer of [
    { name: 'momentum', learningRate: 0.05 },
    { name: 'adam', learningRate: 0.01 },
  ] as const satisfies readonly OptimizerSpec[]) {
    it(`kill after epoch 2 + resume = uninterrupted run (${optimizer.name}, cosine lr)`, async () => {
      const uninterrupted = tinyMlp(3);
      const full = await trainSupervised({
        ...common,
        model: uninterrupted,
        optimizer,
        lrSchedule: 'cosine',
      });

      const store = memoryCheckpointStore();
      const killed = tinyMlp(3);
      const partial = await trainSupervised({
        ...common,
        model: killed,
        optimizer,
        lrSchedule: 'cosine',
        callbacks: [checkpoint({ store }), stopAfter(2)],
      });
      expect(partial.completedEpochs).toBe(2);

      const resumed = tinyMlp(99); // other initial weights: everything must come from the checkpoint
      const rest = await trainSupervised({
        ...common,
        model: resumed,
        optimizer,
        lrSchedule: 'cosine',
        resumeFrom: store,
      });
      expect(rest.completedEpochs).toBe(4);
      expect(rest.history.map((h) => h.losses)).toEqual(full.history.map((h) => h.losses));
      expect(weightsOf(resumed)).toEqual(weightsOf(uninterrupted));
      disposeModels(uninterrupted, killed, resumed);
    });
  }

  it('stores weights, optimizer state, epoch, step, RNG state and history', async () => {
    const store = memoryCheckpointStore();
    const model = tinyMlp(3);
    await trainSupervised({
      ...common,
      epochs: 2,
      model,
      optimizer: 'adam',
      callbacks: [checkpoint({ store })],
    });
    const data = (await store.read())!;
    expect(data).toMatchObject({ kind: 'supervised', completedEpochs: 2, globalStep: 6, seed: 7 });
    expect(data.history).toHaveLength(2);
    expect(data.rng.s).toHaveLength(4);
    expect(data.models[0]?.weights.map((w) => w.shape)).toEqual([[16, 16], [16], [16, 3], [3]]);
    // Adam: iterations + m and v per variable, plus its running β powers
    expect(data.optimizers[0]?.weights).toHaveLength(1 + 2 * 4);
    expect(Object.keys(data.optimizers[0]?.extra ?? {})).toEqual(['accBeta1', 'accBeta2']);
    expect(data.models[0]?.weights.map((w) => Array.from(w.values))).toEqual(
      weightsOf(model).map((w) => Array.from(w)),
    );
    model.dispose();
  });

  it('leaks no tensors while checkpointing and resuming', async () => {
    const store = memoryCheckpointStore();
    const model = tinyMlp(3);
    await expectNoLeaks(() =>
      trainSupervised({
        ...common,
        epochs: 1,
        model,
        optimizer: 'adam',
        callbacks: [checkpoint({ store })],
      }),
    );
    await expectNoLeaks(() =>
      trainSupervised({ ...common, epochs: 2, model, optimizer: 'adam', resumeFrom: store }),
    );
    model.dispose();
  });

  it('distill and mutualLearning resume too', async () => {
    const teacher = tinyMlp(11);
    const store = memoryCheckpointStore();
    const killed = tinyMlp(3);
    const opts = { teacher, train, epochs: 3, batchSize: 16, seed: 2, optimizer: 'sgd' as const };
    await distill({ ...opts, student: killed, callbacks: [checkpoint({ store }), stopAfter(1)] });
    const resumed = tinyMlp(50);
    await distill({ ...opts, student: resumed, resumeFrom: store });
    const full = tinyMlp(3);
    await distill({ ...opts, student: full });
    expect(weightsOf(resumed)).toEqual(weightsOf(full));

    const mstore = memoryCheckpointStore();
    const pair = () => [tinyMlp(3), tinyMlp(4)];
    const mopts = { train, epochs: 2, batchSize: 16, seed: 2, optimizer: 'adam' as const };
    const a = pair();
    await mutualLearning({
      ...mopts,
      models: a,
      callbacks: [checkpoint({ store: mstore }), stopAfter(1)],
    });
    const b = [tinyMlp(5), tinyMlp(6)];
    await mutualLearning({ ...mopts, models: b, resumeFrom: mstore });
    const c = pair();
    await mutualLearning({ ...mopts, models: c });
    expect(b.map(weightsOf)).toEqual(c.map(weightsOf));
    const wrongKind = await trainSupervised({
      ...common,
      model: tinyMlp(1),
      resumeFrom: mstore,
    }).catch((e: unknown) => e);
    expect(String(wrongKind)).toMatch(/'mutual' run, cannot resume a 'supervised' run/);
    const empty = await trainSupervised({
      ...common,
      model: tinyMlp(1),
      resumeFrom: memoryCheckpointStore(),
    }).catch((e: unknown) => e);
    expect(isKdkitError(empty, 'FILE_NOT_FOUND')).toBe(true);
    expect(String(empty)).toMatch(/resumeFrom: no checkpoint in memory/);
    disposeModels(teacher, killed, resumed, full, ...a, ...b, ...c);
  });
});
