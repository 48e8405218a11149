import { describe, expect, it } from 'vitest';
import { quickQuality } from '../options.js';
import { augmentProtocol } from './build.js';

describe('augmentProtocol', () => {
  it("says what each student's batches get, and that the KD teacher sees them", () => {
    expect(augmentProtocol(quickQuality())).toBe('No augmentation.');
    const text = augmentProtocol({
      ...quickQuality(),
      augment: { cropPadding: 2, horizontalFlip: true },
    });
    expect(text).toMatch(/^Augmentation `crop2,flip` \(zero-pad by 2 px and crop back/);
    expect(text).toContain('flip left-right with probability ½');
    expect(text).toContain('(scratch, KD, baselines)');
    expect(text).toContain('the KD teacher runs on each augmented batch');
    const flipOnly = augmentProtocol({
      ...quickQuality(),
      baselines: [],
      augment: { cropPadding: 0, horizontalFlip: true },
    });
    expect(flipOnly).toMatch(/^Augmentation `flip` \(flip left-right with probability ½\)/);
    expect(flipOnly).toContain('(scratch, KD)');
  });
});
