import { describe, expect, it } from 'vitest';
import { sampleCheckpoint } from '../test/fixtures.js';
import { memoryCheckpointStore } from './checkpoint-store.js';

describe('memoryCheckpointStore', () => {
  it('holds nothing at first, then the last checkpoint written', async () => {
    const store = memoryCheckpointStore();
    expect(store.description).toBe('memory');
    expect(await store.read()).toBeUndefined();
    await store.write(sampleCheckpoint);
    const later = { ...sampleCheckpoint, completedEpochs: 4 };
    await store.write(later);
    expect(await store.read()).toBe(later);
    expect(await memoryCheckpointStore().read()).toBeUndefined(); // stores don't share
  });
});
