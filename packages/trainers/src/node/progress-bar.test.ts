import { Writable } from 'node:stream';
import { describeBackends } from '@kdkit/test-utils';
import { expect, it } from 'vitest';
import { quadrantDataset, testCrossEntropy, tinyMlp } from '../../test/fixtures.js';
import { trainSupervised } from '../train-supervised.js';
import { progressBar } from './progress-bar.js';

describeBackends(['cpu'], 'progressBar', () => {
  it('shows epoch, step, images/s, loss terms and ETA', async () => {
    let text = '';
    const stream = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    const model = tinyMlp(3);
    await trainSupervised({
      model,
      train: quadrantDataset(16, 1),
      epochs: 2,
      batchSize: 8,
      loss: testCrossEntropy,
      callbacks: [progressBar({ stream, nonTtyIntervalMs: 1 })],
    });
    const lastLine = text.trim().split('\n').at(-1) ?? '';
    expect(lastLine).toMatch(
      /^epoch 2\/2 .* 2\/2 \| \d+ img\/s \| total [\d.]+ · ce [\d.]+ \| ETA /,
    );
    expect(text).toContain('epoch 1/2');
    model.dispose();
  });
});
