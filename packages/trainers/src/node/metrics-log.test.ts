import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import {
  quadrantDataset,
  stopAfter,
  tempDir,
  testCrossEntropy,
  tinyMlp,
} from '../../test/fixtures.js';
import { trainSupervised } from '../train-supervised.js';
import { metricsLog } from './metrics-log.js';

describeBackends(['cpu'], 'metricsLog', () => {
  it('writes one JSON line per epoch with loss terms, validation metrics and images/s', async () => {
    const path = join(await tempDir(), 'nested', 'metrics.jsonl');
    const model = tinyMlp(3);
    await trainSupervised({
      model,
      train: quadrantDataset(16, 1),
      validation: quadrantDataset(8, 2),
      epochs: 3,
      batchSize: 8,
      loss: testCrossEntropy,
      callbacks: [metricsLog(path), stopAfter(2)],
    });
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ kind: 'supervised', epoch: 0 });
    expect(Object.keys(lines[1].losses)).toEqual(['total', 'ce']);
    expect(Object.keys(lines[1].validation)).toEqual(['accuracy', 'topK', 'meanLoss', 'ece']);
    expect(lines[1].imagesPerSecond).toBeGreaterThan(0);
    expect(lines[2].stop).toMatchObject({ reason: 'stopAfter(2)', failed: false });
    model.dispose();
  });
});
