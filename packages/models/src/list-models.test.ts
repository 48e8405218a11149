import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { ZOO_NAMES } from '../test/helpers.js';
import { listModels } from './list-models.js';
import { modelInfo } from './model-info.js';

describeBackends(['cpu'], 'listModels', () => {
  it('lists every zoo model with its info', () => {
    const models = listModels();
    expect(models.map((m) => m.name)).toEqual(ZOO_NAMES);
    expect(models[0]).toEqual(modelInfo('mlp-1200'));
    expect(models.filter((m) => m.role === 'teacher').map((m) => m.name)).toEqual([
      'mlp-1200',
      'cnn-teacher',
      'resnet20',
      'vgg8',
    ]);
  });

  it('reports params for the given options', () => {
    const cifar = listModels({ inputShape: [32, 32, 3], numClasses: 100 });
    expect(cifar.find((m) => m.name === 'resnet20')?.params).toBe(
      modelInfo('resnet20', { inputShape: [32, 32, 3], numClasses: 100 }).params,
    );
  });
});
