import { isKdkitError } from '@kdkit/engine';
import { describe, expect, it } from 'vitest';
import { getDataset, listDatasets } from './registry.js';

describe('dataset registry', () => {
  it('lists the four datasets with their shapes', () => {
    const list = listDatasets();
    expect(list.map((d) => d.name)).toEqual([
      'fashion-mnist',
      'fashion-mnist-mini',
      'mnist',
      'cifar10',
    ]);
    expect(list.find((d) => d.name === 'cifar10')?.shape).toEqual([32, 32, 3]);
    expect(list.filter((d) => d.embedded).map((d) => d.name)).toEqual(['fashion-mnist-mini']);
  });

  it('loads by name', async () => {
    const ds = await getDataset('fashion-mnist-mini', { split: 'test', limit: 20 });
    expect(ds.size).toBe(20);
    expect(ds.name).toBe('fashion-mnist-mini/test');
  });

  it('an unknown name lists the valid ones and suggests the closest', async () => {
    const error = await getDataset('fashion-mnst', { split: 'test' }).catch((e) => e);
    expect(isKdkitError(error, 'UNKNOWN_NAME')).toBe(true);
    expect(error.message).toMatch(/Did you mean 'fashion-mnist'\?/);
    expect(error.message).toMatch(/cifar10, fashion-mnist, fashion-mnist-mini, mnist/);
  });
});
