import { describeBackends, expectNoLeaks } from '@kdkit/test-utils';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect, it } from 'vitest';
import { disposeModels, quadrantDataset, tinyMlp } from '../test/fixtures.js';
import { evaluate } from './evaluate.js';
import { selfDistill } from './self-distill.js';

describeBackends(['cpu', 'wasm'], 'selfDistill', () => {
  it('trains generation 0 on labels, then distills each generation into the next', async () => {
    const built: number[] = [];
    const { models, results } = await selfDistill({
      createModel: (g) => {
        built.push(g);
        return tinyMlp(10 + g);
      },
      generations: 2,
      train: quadrantDataset(96, 1),
      epochs: 4,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.03 },
      lossOptions: { temperature: 2, alpha: 0.5 },
    });
    expect(built).toEqual([0, 1, 2]);
    expect(models).toHaveLength(3);
    expect(results.map((r) => r?.completedEpochs)).toEqual([4, 4, 4]);
    expect(Object.keys(results[0]?.history[0]?.losses ?? {})).toEqual(['total', 'hard']);
    const test = quadrantDataset(60, 3);
    const last = models[2] as tfl.LayersModel;
    const { accuracy, agreement } = await evaluate(last, test, { teacher: models[1] });
    expect(accuracy).toBeGreaterThan(0.9);
    expect(agreement).toBeGreaterThan(0.9);
    disposeModels(...models);
  });

  it("with a given teacher and keep 'last', returns only the last generation and frees the rest", async () => {
    const teacher = tinyMlp(1);
    const train = quadrantDataset(24, 1);
    await expectNoLeaks(async () => {
      const { models } = await selfDistill({
        teacher,
        createModel: (g) => tinyMlp(20 + g),
        generations: 2,
        keep: 'last',
        train,
        epochs: 1,
        batchSize: 8,
      });
      expect(models).toHaveLength(1);
      expect(teacher.getWeights()[0]?.isDisposed).toBe(false);
      disposeModels(...models);
    });
    teacher.dispose();
  });
});
